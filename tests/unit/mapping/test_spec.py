"""Loading mapping files: every problem reported with its file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from connectors.mapping import MappingSpecError, load_mapping
from connectors.mapping.errors import Issue
from connectors.mapping.golden import mapping_files
from connectors.mapping.spec import read_source, schema, transform_names
from connectors.mapping.transforms import REGISTRY

from .conftest import SHIPPED

Write = Callable[..., Path]


def issues_of(path: Path) -> list[Issue]:
    with pytest.raises(MappingSpecError) as caught:
        load_mapping(path)
    assert caught.value.issues, "a MappingSpecError always lists its issues"
    return caught.value.issues


def test_yaml_syntax_errors_name_the_line(write: Write) -> None:
    path = write("fields:\n  a: {source: $.a\n  b: $.b\n")

    (issue,) = issues_of(path)

    assert issue.code == "yaml_syntax"
    assert issue.file == str(path)
    assert issue.line == 7
    assert str(issue).startswith(f"{path}:7: YAML syntax")


def test_a_key_given_twice_is_an_error_naming_both_lines(write: Write) -> None:
    path = write("fields:\n  a: $.a\n  b: $.b\n  a: $.c\n")

    (issue,) = issues_of(path)

    assert (issue.code, issue.line, issue.field) == ("duplicate_key", 8, "a")
    assert "first on line 6" in issue.message


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing here\n", encoding="utf-8")

    assert [i.code for i in issues_of(empty)] == ["empty_file"]
    assert [i.code for i in issues_of(tmp_path / "missing.yaml")] == ["unreadable"]


def test_yaml_is_read_with_1_2_core_rules(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text("a: no\nb: off\nc: 010\nd: 12:30\ne: 2026-01-05\nf: 0.1\ng: true\nh: ~\n")

    data = read_source(path).data

    assert data == {
        "a": "no",
        "b": "off",
        "c": 10,
        "d": "12:30",
        "e": "2026-01-05",
        "f": Decimal("0.1"),
        "g": True,
        "h": None,
    }
    assert isinstance(data["f"], Decimal)


def test_each_missing_top_level_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text("version: 1\nsystem: sap\n", encoding="utf-8")

    messages = [issue.message for issue in issues_of(path)]

    assert messages == ["missing key 'entity'", "missing key 'direction'", "missing key 'fields'"]


def test_unknown_keys_are_named_with_a_suggestion(write: Write) -> None:
    path = write("fields:\n  a:\n    sourc: $.a\n    typ: str\n")

    issues = issues_of(path)

    unknown = [i for i in issues if i.code == "unknown_key"]
    assert [(i.line, i.value) for i in unknown] == [(7, "sourc"), (8, "typ")]
    assert "did you mean 'source'?" in unknown[0].message


def test_structural_rules_have_plain_messages(write: Write) -> None:
    path = write(
        """
        fields:
          a: {source: $.a, value: 1}
          b: {source: $.b, format: "%Y"}
          c: {fields: {x: $.x}, type: str}
          d: {items: {x: $.x}}
          e: 5
        """
    )

    messages = {i.field: i.message for i in issues_of(path)}

    assert messages["a"] == "give either source or value, not both"
    assert messages["b"].startswith("format applies to the types str, date and datetime")
    assert messages["c"].startswith("an object or list field has no value, type")
    assert messages["d"] == "items need a source to read the list from"
    assert messages["e"].startswith("a field is a jsonpath (text) or a mapping")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("uppr", "unknown transform 'uppr'; did you mean 'upper'?"),
        ("prefix", "transform 'prefix' needs an argument: write '- prefix: ...'"),
        ("{upper: 1}", "transform 'upper' takes no argument: write '- upper'"),
        ("{round: 2, mode: sideways}", "round: 'sideways' is not one of"),
        ("{map: {A: 1}, default: 2, passthrough: true}", "map: give default or passthrough"),
        ("{strip: x, upper: y}", "one transform per step, found 'strip', 'upper'"),
        ("{divide: 0}", "divide: divide by a number other than 0"),
        ("[1]", "a transform is a name or a mapping"),
    ],
)
def test_a_bad_transform_step_says_what_is_wrong(write: Write, step: str, message: str) -> None:
    path = write(
        f"fields:\n  a:\n    source: $.a\n    transforms:\n      - strip\n      - {step}\n"
    )

    (issue,) = issues_of(path)

    assert issue.code == "bad_transform"
    assert issue.line == 10
    assert issue.field == "a (transforms[1])"
    assert issue.message.startswith(message)


def test_compile_time_problems_are_all_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "generic" / "orders.out.yaml"
    path.parent.mkdir()
    path.write_text(
        """version: 1
system: sap
entity: orders
direction: in
timezone: Mars/Olympus
fields:
  b:
    source: $.x[
  c:
    source: $.y
    transforms:
      - template: "{value}-{foo}"
  d: {source: $.z, type: date, format: "%Q"}
  e: {value: abc, type: int}
  f: {source: $.f, default: "x1", type: decimal}
  h.i: $.h
  h: $.h2
  t: {source: $.t, type: datetime, timezone: Nowhere/Land}
  k: {source: $.k, when: {path: "$.[", exists: true}}
""",
        encoding="utf-8",
    )

    found = {(i.line, i.code) for i in issues_of(path)}

    assert found == {
        (2, "name_mismatch"),  # system must be the folder's name, generic
        (4, "name_mismatch"),  # direction must be out, as in the file name
        (5, "bad_timezone"),
        (8, "bad_jsonpath"),
        (12, "invalid_setting"),
        (13, "bad_format"),
        (14, "bad_default"),
        (15, "bad_default"),
        (17, "target_conflict"),
        (18, "bad_timezone"),
        (19, "bad_jsonpath"),
    }


def test_a_bad_jsonpath_issue_carries_the_path(write: Write) -> None:
    path = write("fields:\n  a: $.lines[\n")

    (issue,) = issues_of(path)

    assert (issue.line, issue.field, issue.value) == (6, "a (source)", "$.lines[")
    assert "bad jsonpath" in issue.message


def test_target_conflicts_name_the_first_definition(write: Write) -> None:
    path = write("fields:\n  a.b: $.x\n  a: $.y\n")

    (issue,) = issues_of(path)

    assert issue.code == "target_conflict"
    assert "'a.b' on line 6" in issue.message


def test_schema_json_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema())


def test_the_schema_and_the_registry_name_the_same_transforms() -> None:
    bare, keyed = transform_names()

    assert bare == {n for n, d in REGISTRY.items() if d.arg in ("none", "optional")}
    assert keyed == {n for n, d in REGISTRY.items() if d.arg in ("required", "optional")}


@pytest.mark.parametrize("path", mapping_files(SHIPPED), ids=lambda p: p.name)
def test_shipped_files_pass_the_schema_as_an_editor_checks_them(path: Path) -> None:
    # an editor reads the YAML with its own parser and checks the JSON Schema
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))

    assert list(Draft202012Validator(schema()).iter_errors(data)) == []


@pytest.mark.parametrize(("system", "fits"), [("sap", True), ("odata", True), ("kingdee", False)])
def test_a_file_in_a_mode_subfolder_names_the_system_above_it(
    tmp_path: Path, system: str, fits: bool
) -> None:
    folder = tmp_path / "mappings" / "sap" / "odata"
    folder.mkdir(parents=True)
    path = folder / "stock.in.yaml"
    path.write_text(
        f"version: 1\nsystem: {system}\nentity: stock\ndirection: in\nfields:\n  a: $.a\n",
        encoding="utf-8",
    )

    if fits:
        assert load_mapping(path).system == system
    else:
        assert {issue.code for issue in issues_of(path)} == {"name_mismatch"}
