"""The warehouse's books under any order of parcels and cancels: what leaves
is what was ordered, never more; stock and allocations follow it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.flux_wms.state import CANCELLED, SHIPPED, Warehouse, WmsRefusal

OWNER = "OWNER"
SKUS = ("SKU-A", "SKU-B", "SKU-C")


def warehouse() -> Warehouse:
    books = Warehouse(OWNER, lambda: datetime(2026, 1, 5, tzinfo=UTC), skus=set(SKUS))
    for sku in SKUS:
        books.set_stock("WH", sku, 1000)
    return books


def header(reference: str, quantities: list[int]) -> dict[str, object]:
    return {
        "CUSTOMERID": OWNER,
        "WAREHOUSEID": "WH",
        "SOREFERENCE1": reference,
        "CONSIGNEEID": "D001",
        "detailsItem": [
            {"LINENO": n, "SKU": sku, "QTYORDERED_EACH": qty}
            for n, (sku, qty) in enumerate(zip(SKUS, quantities, strict=False), start=1)
        ],
    }


steps = st.lists(
    st.one_of(
        st.tuples(st.just("ship"), st.dictionaries(st.integers(1, 3), st.integers(0, 6))),
        st.tuples(st.just("ship_rest"), st.none()),
        st.tuples(st.just("cancel"), st.none()),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(quantities=st.lists(st.integers(1, 9), min_size=1, max_size=3), steps=steps)
def test_parcels_never_exceed_the_order_and_stock_follows(
    quantities: list[int], steps: list[tuple[str, dict[int, int] | None]]
) -> None:
    books = warehouse()
    order = books.put_order(header("HUB-1", quantities))
    parcels = []
    for action, lines in steps:
        try:
            if action == "cancel":
                books.cancel("HUB-1", None)
            else:
                parcels.append(books.ship("HUB-1", lines if action == "ship" else None))
        except WmsRefusal:
            continue  # nothing left to ship, or already shipped / cancelled
    shipped: dict[str, int] = {}
    for parcel in parcels:
        for item in parcel.header["detailsItem"]:
            assert item["QTYSHIPPED_EACH"] > 0
            shipped[item["SKU"]] = shipped.get(item["SKU"], 0) + item["QTYSHIPPED_EACH"]
    for line in order.lines:
        out = shipped.get(line.sku, 0)
        assert out == line.shipped <= line.ordered
        qty, allocated = books.stock["WH", line.sku].qty, books.stock["WH", line.sku].allocated
        assert qty == 1000 - out
        assert allocated == (0 if order.status == CANCELLED else line.ordered - out)
    if order.status == CANCELLED:
        assert not parcels, "a cancel is refused once anything shipped"
    assert (order.status == SHIPPED) == all(ln.shipped == ln.ordered for ln in order.lines)
    assert len({p.header["deliveryNo"] for p in parcels}) == len(parcels)


def test_a_second_put_of_one_reference_names_the_first() -> None:
    books = warehouse()
    first = books.put_order(header("HUB-2", [1]))
    with pytest.raises(WmsRefusal) as refused:
        books.put_order(header("HUB-2", [5]))
    assert (refused.value.code, refused.value.order_no) == ("S006", first.order_no)
    assert books.documents("HUB-2") == [first.order_no]
