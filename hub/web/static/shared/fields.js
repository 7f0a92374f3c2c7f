// A refusal's message shown next to the field it names ("lines[1].qty"), the
// field marked invalid and described by it, and what was typed left alone.
import { h } from "/web/shared/dom.js";
import { t } from "/web/shared/i18n.js";

// One entry of a 422's errors in the reader's language where the page knows
// the validator's type (shared/strings.js "field.<type>", with its limits);
// the hub's own message, which is English, otherwise.
export function fieldMessage(error) {
  if (!error.type) return error.message;
  const key = `field.${error.type}`;
  const text = t(key, error.limits || {});
  return text === key ? error.message : text;
}

function noteFor(input) {
  const id = `${input.id}-error`;
  let note = document.getElementById(id);
  if (!note) {
    note = h("p", { id, class: "field-error" });
    // After the input, or after the group the input sits in when it has one.
    (input.closest("[data-field-group]") || input).after(note);
  }
  return note;
}

export function showFieldError(input, message) {
  const note = noteFor(input);
  note.textContent = message;
  input.setAttribute("aria-invalid", "true");
  const described = new Set((input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  described.add(note.id);
  input.setAttribute("aria-describedby", [...described].join(" "));
}

export function clearFieldError(input) {
  const note = document.getElementById(`${input.id}-error`);
  if (note) note.remove();
  input.removeAttribute("aria-invalid");
  const rest = (input.getAttribute("aria-describedby") || "")
    .split(" ")
    .filter((id) => id && id !== `${input.id}-error`);
  if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
  else input.removeAttribute("aria-describedby");
}

// Shows each of the error's field messages on the input `inputFor(field)`
// finds; returns the messages no input was found for.
export function showFieldErrors(error, inputFor) {
  const unplaced = [];
  for (const entry of error.fields || []) {
    const message = fieldMessage(entry);
    const input = inputFor(entry.field);
    if (input) showFieldError(input, message);
    else unplaced.push(message);
  }
  return unplaced;
}
