"""The benchmark compares like with like: all four variants give the same record."""

from __future__ import annotations

import pytest

from bench.mapping.variants import (
    Refused,
    compile_jsonpaths,
    handwritten,
    jsonpath_once,
    jsonpath_per_record,
    sample_order,
    sample_xref,
)
from connectors.mapping import MappingFailure, load_mapping

from .conftest import SHIPPED


def test_every_variant_maps_the_sample_order_alike() -> None:
    mapping = load_mapping(SHIPPED / "generic" / "sales_order.out.yaml")
    order, xref = sample_order(), sample_xref()

    expected = handwritten(order, xref)

    assert len(order["lines"]) == 20
    assert mapping.apply(order, xref) == expected
    assert jsonpath_once(order, xref, compile_jsonpaths()) == expected
    assert jsonpath_per_record(order, xref) == expected


def test_every_variant_refuses_an_unknown_sku() -> None:
    mapping = load_mapping(SHIPPED / "generic" / "sales_order.out.yaml")
    order, xref = sample_order(), sample_xref()
    order["lines"][3]["sku"] = "SKU-NONE"

    with pytest.raises(MappingFailure):
        mapping.apply(order, xref)
    with pytest.raises(Refused):
        handwritten(order, xref)
    with pytest.raises(Refused):
        jsonpath_once(order, xref, compile_jsonpaths())
