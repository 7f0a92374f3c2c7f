"""Turning a checked mapping file into runners, once, at load time.

Everything that can be wrong with a file is found here or in spec.py, and
reported all together with lines: bad jsonpaths, unknown zones and formats,
transform arguments, defaults and constants that do not fit their type, and
targets defined twice (``a`` and ``a.b``). Nothing is left to parse per record.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from connectors.mapping.coerce import check_format, exact_class, make_coercer
from connectors.mapping.conditions import Condition, Location, compile_condition
from connectors.mapping.engine import (
    Absent,
    Entry,
    Getter,
    Mapping,
    Runner,
    Step,
    Target,
    TargetPath,
    elements_runner,
    list_runner,
    object_runner,
    scalar_field,
)
from connectors.mapping.errors import Issue, MappingSpecError, Problem, SpecProblem
from connectors.mapping.fastpath import level_runner
from connectors.mapping.paths import CompiledPath, PathSyntaxError
from connectors.mapping.spec import SourceDoc, read_source, validate
from connectors.mapping.transforms import REGISTRY, build

_CONVENTIONAL_NAME = re.compile(r"(?P<entity>[a-z][a-z0-9_]*)\.(?P<direction>in|out)\.ya?ml")


def load_mapping(path: str | Path) -> Mapping:
    """Read, check and compile one mapping file; ``MappingSpecError`` lists all its problems."""
    doc = read_source(Path(path))
    issues = validate(doc)
    if issues:
        raise MappingSpecError(issues)
    return _Compiler(doc).compile()


@dataclass
class _Leaf:
    spec: Any
    loc: Location


@dataclass
class _Group:
    """Targets sharing a dotted prefix (``ship_to.name``, ``ship_to.phone``)."""

    loc: Location
    children: dict[str, _Leaf | _Group] = field(default_factory=dict)


def _constant(value: Any) -> Getter:
    return lambda _doc: value


class _Compiler:
    def __init__(self, doc: SourceDoc) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.issues: list[Issue] = []
        self.xref_tables: set[str] = set()
        self.fast_paths = 0
        self.slow_paths = 0
        self.zone = self._zone(self.data.get("timezone"), ("timezone",))
        self.keep_null = self.data.get("null_fields", "keep") == "keep"

    def compile(self) -> Mapping:
        self._check_file_name()
        fields = self._level(self.data["fields"], ("fields",), ())
        if self.issues:
            raise MappingSpecError(sorted(self.issues, key=lambda i: (i.line or 0, i.field)))
        return Mapping(
            path=self.doc.path,
            system=self.data["system"],
            entity=self.data["entity"],
            direction=self.data["direction"],
            description=self.data.get("description", ""),
            fields=fields,
            xref_tables=frozenset(self.xref_tables),
            fast_paths=self.fast_paths,
            slow_paths=self.slow_paths,
        )

    # Reporting -------------------------------------------------------------

    def _fail(self, loc: Location, message: str, code: str, value: Any = None) -> None:
        self.issues.append(self.doc.issue(loc, message, code, value=value, has_value=True))

    def _check_file_name(self) -> None:
        match = _CONVENTIONAL_NAME.fullmatch(self.doc.path.name)
        if match is None:
            return  # a file outside the mappings/<system>/ layout (a draft, a test)
        folder = self.doc.path.parent
        expected = {
            "entity": match["entity"],
            "direction": match["direction"],
            "system": folder.name,
        }
        # A system spoken in several protocols keeps one subfolder per mode
        # (mappings/sap/odata/): its system is the folder above.
        if self.data["system"] == folder.parent.name:
            expected["system"] = folder.parent.name
        for key, wanted in expected.items():
            if self.data[key] != wanted:
                self._fail(
                    (key,),
                    f"{key} must be {wanted!r} for a file at {self.doc.path.parent.name}/"
                    f"{self.doc.path.name}",
                    "name_mismatch",
                    self.data[key],
                )

    # Settings ----------------------------------------------------------------

    def _zone(self, name: Any, loc: Location) -> tzinfo | None:
        if name is None:
            return None
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            message = f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)"
            self._fail(loc, message, "bad_timezone", name)
            return None

    def path(self, text: Any, loc: Location) -> CompiledPath:
        """Parse a jsonpath (conditions.PathCompiler); a bad one is reported, not raised."""
        try:
            compiled = CompiledPath(str(text))
        except PathSyntaxError as exc:
            self._fail(loc, str(exc), "bad_jsonpath", text)
            return CompiledPath("$")
        if compiled.fast:
            self.fast_paths += 1
        else:
            self.slow_paths += 1
        return compiled

    def _getter(self, source: Any, loc: Location) -> Getter:
        if isinstance(source, list):
            getters = [self.path(text, (*loc, i)).get for i, text in enumerate(source)]
            return lambda doc: [get(doc) for get in getters]
        return self.path(source, loc).get

    def _condition(self, spec: Any, loc: Location) -> Condition | None:
        return None if spec is None else compile_condition(spec, loc, self)

    def _step(self, spec: Any, loc: Location) -> Step:
        if isinstance(spec, str):
            name, arg, options = spec, None, {}
        else:
            name = next(key for key in spec if key in REGISTRY)
            arg = spec[name]
            options = {key: value for key, value in spec.items() if key != name}
        try:
            built = build(name, arg, options)
        except SpecProblem as problem:
            self._fail(loc, problem.message, problem.code, problem.value)
            return Step(name, None, lambda value, _x: value, accepts_null=False)
        if name == "xref":
            self.xref_tables.add(str(arg))
        return Step(name, self.doc.line_of(loc), built.fn, built.accepts_null)

    def _setting_of_type(
        self, coerce: Callable[[Any], Any], value: Any, loc: Location, what: str
    ) -> Any:
        try:
            return coerce(value)
        except Problem as problem:
            message = f"{what} does not fit the field's type: {problem.message}"
            self._fail(loc, message, "bad_default", value)
            return value

    # Targets -------------------------------------------------------------------

    def _tree(self, fields: dict[str, Any], loc: Location) -> dict[str, _Leaf | _Group]:
        top: dict[str, _Leaf | _Group] = {}
        for name, spec in fields.items():
            field_loc = (*loc, name)
            *parents, last = name.split(".")
            level = top
            for depth, part in enumerate(parents):
                node = level.setdefault(part, _Group(field_loc))
                if isinstance(node, _Leaf):
                    self._conflict(".".join(parents[: depth + 1]), node.loc, field_loc, name)
                    break
                level = node.children
            else:
                if last in level:
                    self._conflict(name, level[last].loc, field_loc, name)
                else:
                    level[last] = _Leaf(spec, field_loc)
        return top

    def _conflict(self, taken: str, first: Location, loc: Location, name: str) -> None:
        self._fail(
            loc,
            f"target {name!r} clashes with {first[-1]!r} on line {self.doc.line_of(first)}: "
            f"{taken!r} cannot be both a value and an object of dotted names",
            "target_conflict",
            name,
        )

    def _level(self, fields: dict[str, Any], loc: Location, prefix: TargetPath) -> Runner:
        return self._build(self._tree(fields, loc), prefix)

    def _build(self, level: dict[str, _Leaf | _Group], prefix: TargetPath) -> Runner:
        entries: list[Entry] = []
        for key, node in level.items():
            path = (*prefix, key)
            if isinstance(node, _Group):
                entries.append(
                    object_runner(
                        key=key,
                        target=Target(path, self.doc.line_of(node.loc)),
                        get=None,
                        from_root=False,
                        fields=self._build(node.children, path),
                        absent=Absent(None, required=False, keep_null=self.keep_null),
                        when=None,
                    )
                )
            else:
                entries.append(self._field(key, node.spec, node.loc, path))
        return level_runner(entries)

    def _field(self, key: Any, spec: Any, loc: Location, path: TargetPath) -> Entry:
        if isinstance(spec, str):
            spec = {"source": spec}
        target = Target(path, self.doc.line_of(loc))
        when = self._condition(spec.get("when"), (*loc, "when"))
        from_root = spec.get("scope") == "root"
        absent = Absent(spec.get("default"), bool(spec.get("required")), self.keep_null)
        if "items" in spec:
            source = spec["source"]
            if isinstance(source, list):
                message = "items read one source path, not a list"
                self._fail((*loc, "source"), message, "bad_source", source)
                source = "$"
            return list_runner(
                key=key,
                target=target,
                find=self.path(source, (*loc, "source")).find,
                from_root=from_root,
                fields=self._level(spec["items"], (*loc, "items"), (*path, None)),
                item_filter=self._condition(spec.get("filter"), (*loc, "filter")),
                absent=absent,
                when=when,
            )
        if "fields" in spec:
            return object_runner(
                key=key,
                target=target,
                get=self._getter(spec["source"], (*loc, "source")) if "source" in spec else None,
                from_root=from_root,
                fields=self._level(spec["fields"], (*loc, "fields"), path),
                absent=absent,
                when=when,
            )
        if "elements" in spec:
            parts = [
                level_runner([self._field(i, element, (*loc, "elements", i), (*path, i))])
                for i, element in enumerate(spec["elements"])
            ]
            return elements_runner(key=key, target=target, elements=parts, when=when)
        return self._scalar(key, spec, loc, target=target, when=when, absent=absent)

    def _scalar(
        self,
        key: Any,
        spec: dict[str, Any],
        loc: Location,
        *,
        target: Target,
        when: Condition | None,
        absent: Absent,
    ) -> Entry:
        type_name: str | None = spec.get("type")
        fmt: str | None = spec.get("format")
        zone = self._zone(spec["timezone"], (*loc, "timezone")) if "timezone" in spec else self.zone
        if fmt is not None:
            try:
                check_format(fmt)
            except ValueError as exc:
                self._fail((*loc, "format"), f"bad format: {exc}", "bad_format", fmt)
                fmt = None
        coerce = make_coercer(type_name, fmt, zone) if type_name else None
        exact = exact_class(type_name, fmt) if type_name else None
        steps = tuple(
            self._step(step, (*loc, "transforms", i))
            for i, step in enumerate(spec.get("transforms", []))
        )
        if absent.default is not None and coerce is not None:
            default = self._setting_of_type(coerce, absent.default, (*loc, "default"), "default")
            absent = Absent(default, absent.required, absent.keep_null)
        if "value" in spec:
            constant = spec["value"]
            if constant is not None and coerce is not None and not steps:
                constant = self._setting_of_type(coerce, constant, (*loc, "value"), "value")
                coerce = exact = None  # converted once, here: "05.01.2026" is no ISO date to redo
            get, name = _constant(constant), None
        elif isinstance(spec["source"], str):
            path = self.path(spec["source"], (*loc, "source"))
            get, name = path.get, path.single_name
        else:
            get, name = self._getter(spec["source"], (*loc, "source")), None
        return scalar_field(
            key=key,
            target=target,
            get=get,
            name=name,
            from_root=spec.get("scope") == "root",
            steps=steps,
            coerce=coerce,
            exact=exact,
            absent=absent,
            when=when,
        )
