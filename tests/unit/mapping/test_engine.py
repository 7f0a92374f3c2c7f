"""Applying mappings: building targets, and reporting bad records field by field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.mapping import InMemoryCrossReference, Mapping, MappingFailure
from connectors.mapping import paths as paths_module
from dms_domain.errors import BadRecord, ConfigurationError, TransientError

Make = Callable[..., Mapping]


def failure_of(mapping: Mapping, record: Any, xref: Any = None) -> MappingFailure:
    with pytest.raises(MappingFailure) as caught:
        mapping.apply(record, xref)
    return caught.value


def pairs(failure: MappingFailure) -> list[tuple[str, str]]:
    return [(issue.field, issue.code) for issue in failure.issues]


# Building targets ---------------------------------------------------------------


def test_dotted_targets_build_nested_objects_in_file_order(make: Make) -> None:
    mapping = make(
        """
        fields:
          a.x: $.one
          b: $.two
          a.y.z: $.three
        """
    )

    result = mapping.apply({"one": 1, "two": 2, "three": 3})

    assert result == {"a": {"x": 1, "y": {"z": 3}}, "b": 2}
    assert list(result) == ["a", "b"]


def test_object_with_a_source_reads_inside_it_and_root_scope_reads_the_record(make: Make) -> None:
    mapping = make(
        """
        fields:
          shipTo:
            source: $.ship_to
            fields:
              name: $.name
              order: {source: $.order_no, scope: root}
        """
    )

    result = mapping.apply({"order_no": "SO1", "ship_to": {"name": "Li"}})

    assert result == {"shipTo": {"name": "Li", "order": "SO1"}}


def test_lists_map_each_item_and_filter_keeps_some(make: Make) -> None:
    mapping = make(
        """
        fields:
          lines:
            source: $.lines[*]
            filter: {path: $.is_gift, not_equals: true}
            items:
              sku: $.sku
              qty: {source: $.qty, type: int}
              order: {source: $.order_no, scope: root}
        """
    )
    record = {
        "order_no": "SO1",
        "lines": [
            {"sku": "A", "qty": "2", "is_gift": False},
            {"sku": "G", "qty": 1, "is_gift": True},
            {"sku": "B", "qty": 3},
        ],
    }

    result = mapping.apply(record)

    assert result == {
        "lines": [
            {"sku": "A", "qty": 2, "order": "SO1"},
            {"sku": "B", "qty": 3, "order": "SO1"},
        ]
    }


def test_a_list_source_may_name_the_list_itself(make: Make) -> None:
    mapping = make("fields:\n  lines: {source: $.lines, items: {sku: $.sku}}\n")

    assert mapping.apply({"lines": [{"sku": "A"}]}) == {"lines": [{"sku": "A"}]}
    assert mapping.apply({"lines": []}) == {"lines": []}


def test_elements_build_a_fixed_list(make: Make) -> None:
    mapping = make(
        """
        fields:
          partners:
            elements:
              - fields: {role: {value: AG}, number: $.customer}
              - fields: {role: {value: WE}, number: $.ship_to_party}
              - {value: extra, when: {path: $.more, exists: true}}
        """
    )

    result = mapping.apply({"customer": "C1", "ship_to_party": "C2"})

    assert result == {"partners": [{"role": "AG", "number": "C1"}, {"role": "WE", "number": "C2"}]}


def test_when_writes_a_field_only_if_its_condition_holds(make: Make) -> None:
    mapping = make(
        """
        fields:
          mode: {value: EXPRESS, when: {path: $.urgent, equals: true}}
          kind:
            value: BIG
            when: {all: [{path: $.qty, in: [10, 20]}, {not: {path: $.x, exists: true}}]}
          any: {value: 1, when: {any: [{path: $.a, equals: "1"}, {path: $.b, not_in: [1]}]}}
        """
    )

    assert mapping.apply({"urgent": True, "qty": 10}) == {
        "mode": "EXPRESS",
        "kind": "BIG",
        "any": 1,
    }
    # true is not 1 and "1" is not 1, as in JSON
    assert mapping.apply({"urgent": 1, "qty": 10, "x": 0, "a": 1, "b": 1}) == {}


def test_null_fields_keep_writes_null_and_omit_leaves_out(make: Make) -> None:
    body = """
        fields:
          a: $.a
          g.b: $.b
        """
    keep = make(body)
    omit = make(body, header="null_fields: omit\n")

    assert keep.apply({}) == {"a": None, "g": {"b": None}}
    assert omit.apply({}) == {}


def test_default_is_used_after_transforms_and_in_the_target_type(make: Make) -> None:
    mapping = make(
        """
        fields:
          priority:
            source: $.urgent
            type: str
            default: NORMAL
            transforms: [{map: {true: HIGH, false: NORMAL}}]
          rate: {source: $.rate, type: decimal, default: 0.13}
          tags: {source: $.tags, default: []}
        """
    )

    first = mapping.apply({"urgent": True})
    second = mapping.apply({})

    assert first == {"priority": "HIGH", "rate": Decimal("0.13"), "tags": []}
    assert second["priority"] == "NORMAL"
    first["tags"].append("changed")
    assert mapping.apply({})["tags"] == []  # a list default is not shared


def test_a_source_list_gives_the_list_of_values(make: Make) -> None:
    mapping = make(
        """
        fields:
          name: {source: [$.nick, $.name], transforms: [coalesce]}
          label: {source: [$.code, $.name], transforms: [{template: "{0} / {1}"}]}
          total: {source: "$.lines[*].amount", type: decimal, transforms: [sum]}
        """
    )

    result = mapping.apply(
        {"name": "Li", "code": "C1", "lines": [{"amount": "1.5"}, {"amount": 2}]}
    )

    assert result == {"name": "Li", "label": "C1 / Li", "total": Decimal("3.5")}


def test_types_convert_and_times_get_the_declared_zone(make: Make) -> None:
    mapping = make(
        """
        fields:
          at: {source: $.at, type: datetime, format: "%Y-%m-%d %H:%M"}
          day: {source: $.at_utc, type: date}
          text: {source: $.at_utc, type: str, format: "%Y%m%d %H%M"}
          n: {source: $.n, type: int}
          ok: {source: $.ok, type: bool}
        """,
        header="timezone: Asia/Shanghai\n",
        direction="in",
    )

    result = mapping.apply(
        {"at": "2026-01-05 08:00", "at_utc": "2026-01-05T20:00:00Z", "n": "7", "ok": "Y"}
    )

    assert result["at"] == datetime.fromisoformat("2026-01-05T08:00:00+08:00")
    assert result["at"].utcoffset() is not None
    assert result["day"] == date(2026, 1, 6)  # 20:00 UTC is the next day in Shanghai
    assert result["text"] == "20260106 0400"
    assert result["n"] == 7
    assert result["ok"] is True


def test_constants_are_converted_once_at_load(make: Make) -> None:
    mapping = make(
        """
        fields:
          day: {value: "2026-01-05", type: str, format: "%d.%m.%Y"}
          rate: {value: "13", type: decimal}
          kind: {value: {FNUMBER: XSDD01_SYS}}
        """
    )

    first = mapping.apply({})
    first["kind"]["FNUMBER"] = "changed"

    assert first["day"] == "05.01.2026"
    assert first["rate"] == Decimal(13)
    assert mapping.apply({})["kind"] == {"FNUMBER": "XSDD01_SYS"}  # not shared between results


def test_a_typeless_field_copies_objects_so_results_never_alias_the_input(make: Make) -> None:
    mapping = make("fields:\n  extra: $.extra\n")
    record = {"extra": {"a": [1]}}

    result = mapping.apply(record)
    result["extra"]["a"].append(2)

    assert record == {"extra": {"a": [1]}}


def test_apply_leaves_the_record_unchanged(make: Make) -> None:
    mapping = make(
        """
        fields:
          w: {source: $.w, type: str, transforms: [strip, upper]}
          lines: {source: $.lines, items: {q: {source: $.q, type: int}}}
        """
    )
    record = {"w": " a ", "lines": [{"q": "1"}]}

    mapping.apply(record)

    assert record == {"w": " a ", "lines": [{"q": "1"}]}


def test_applying_parses_nothing(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = make(
        """
        fields:
          a: $.a.b
          b: {source: "$.lines[?(@.q > 1)].q"}
          c: {source: "$.lines[0].q", when: {path: $.a, exists: true}}
        """
    )

    def no_parsing(*_args: Any) -> Any:
        raise AssertionError("a path was parsed while applying")

    monkeypatch.setattr(paths_module, "_jsonpath_parse", no_parsing)

    assert mapping.apply({"a": {"b": 1}, "lines": [{"q": 1}, {"q": 2}]}) == {"a": 1, "b": 2, "c": 1}


# Reporting bad records ------------------------------------------------------------


def test_every_bad_field_is_reported_with_file_line_field_and_value(make: Make) -> None:
    mapping = make(
        """
        fields:
          order_no: {source: $.order_no, type: str, required: true}
          lines:
            source: $.lines[*]
            items:
              sku: {source: $.sku, required: true}
              qty:
                source: $.qty
                type: int
        """
    )

    failure = failure_of(mapping, {"lines": [{"sku": "A", "qty": 1}, {"qty": "x"}, {"sku": "C"}]})

    assert pairs(failure) == [
        ("order_no", "missing_required"),
        ("lines[1].sku", "missing_required"),
        ("lines[1].qty", "type_mismatch"),
    ]
    qty = failure.issues[2]
    assert qty.file == str(mapping.path)
    assert qty.line == 12  # the line of "qty:" in the file
    assert qty.value == "x"
    assert str(qty).startswith(f"{mapping.path}:12: lines[1].qty: expected a whole number")
    assert "(value: 'x')" in str(qty)
    assert isinstance(failure, BadRecord)
    assert [e.field for e in failure.errors] == ["order_no", "lines[1].sku", "lines[1].qty"]


def test_a_failing_transform_reports_its_own_line(make: Make) -> None:
    mapping = make(
        """
        fields:
          code:
            source: $.code
            transforms:
              - strip
              - map: {A: 1}
        """
    )

    issue = failure_of(mapping, {"code": " B "}).issues[0]

    assert (issue.field, issue.code, issue.line, issue.value) == ("code", "unmapped_value", 11, "B")
    assert issue.message.startswith("map: no entry for this value")


def test_a_missing_cross_reference_names_the_field_and_the_key(make: Make) -> None:
    mapping = make(
        """
        fields:
          lines:
            source: $.lines
            items:
              material: {source: $.sku, transforms: [{xref: erp_material}]}
        """
    )
    xref = InMemoryCrossReference({"erp_material": {"A": "M-A"}})

    failure = failure_of(mapping, {"lines": [{"sku": "A"}, {"sku": "Z"}]}, xref)

    assert pairs(failure) == [("lines[1].material", "xref_missing")]
    assert failure.issues[0].value == "Z"
    assert "'Z'" in failure.issues[0].message
    assert "'erp_material'" in failure.issues[0].message


def test_nested_lists_number_every_level(make: Make) -> None:
    mapping = make(
        """
        fields:
          lines:
            source: $.lines
            items:
              lots: {source: $.lots, items: {qty: {source: $.qty, type: int}}}
        """
    )

    failure = failure_of(mapping, {"lines": [{"lots": []}, {"lots": [{"qty": 1}, {"qty": 1.5}]}]})

    assert pairs(failure) == [("lines[1].lots[1].qty", "type_mismatch")]


def test_items_and_objects_that_are_not_objects_are_reported(make: Make) -> None:
    mapping = make(
        """
        fields:
          lines: {source: $.lines, items: {sku: $.sku}}
          ship: {source: $.ship, fields: {name: $.name}}
        """
    )

    failure = failure_of(mapping, {"lines": [{"sku": "A"}, "B"], "ship": "here"})

    assert pairs(failure) == [("lines[1]", "type_mismatch"), ("ship", "type_mismatch")]


def test_a_record_that_is_not_an_object_is_a_failure(make: Make) -> None:
    mapping = make("fields:\n  a: $.a\n")

    assert pairs(failure_of(mapping, ["not", "a", "record"])) == [("", "type_mismatch")]


def test_required_lists_and_objects(make: Make) -> None:
    mapping = make(
        """
        fields:
          lines: {source: $.lines, required: true, items: {sku: $.sku}}
          ship: {source: $.ship, required: true, fields: {name: $.name}}
        """
    )

    assert pairs(failure_of(mapping, {})) == [
        ("lines", "missing_required"),
        ("ship", "missing_required"),
    ]


def test_a_path_jsonpath_ng_cannot_evaluate_is_a_bad_record(make: Make) -> None:
    mapping = make("fields:\n  up: {source: '$.`parent`'}\n")

    assert pairs(failure_of(mapping, {"a": 1})) == [("up", "path_failed")]


def test_a_mapping_that_reads_cross_references_refuses_to_run_without_them(make: Make) -> None:
    mapping = make("fields:\n  c: {source: $.d, transforms: [{xref: erp_customer}]}\n")

    assert mapping.xref_tables == frozenset({"erp_customer"})
    with pytest.raises(ConfigurationError, match="erp_customer"):
        mapping.apply({"d": "D1"})


def test_a_cross_reference_outage_is_not_a_bad_record(make: Make) -> None:
    mapping = make("fields:\n  c: {source: $.d, transforms: [{xref: erp_customer}]}\n")

    class DownCrossReference:
        def lookup(self, table: str, key: str) -> str | None:
            raise TransientError("database unavailable")

    with pytest.raises(TransientError):
        mapping.apply({"d": "D1"}, DownCrossReference())


def test_issues_render_as_dicts_for_apis_and_logs(make: Make) -> None:
    mapping = make("fields:\n  n: {source: $.n, type: int}\n")

    issue = failure_of(mapping, {"n": "x" * 200}).issues[0]

    data = issue.as_dict()
    assert data["field"] == "n"
    assert data["line"] == 6
    assert data["code"] == "type_mismatch"
    assert len(data["value"]) <= 80  # long values are cut for reports
