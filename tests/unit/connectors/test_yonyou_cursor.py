"""The U8 connector's pull cursor: what a page delivered, read back exactly."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.yonyou.cursor import EMPTY, Cursor
from dms_domain.errors import PermanentError

ids = st.lists(st.integers(min_value=1, max_value=10**15), max_size=50).map(tuple)
batches = st.none() | st.uuids().map(str)


@given(batch=batches, orders=ids, cancels=ids)
def test_a_cursor_reads_back_as_it_was_written(
    batch: str | None, orders: tuple[int, ...], cancels: tuple[int, ...]
) -> None:
    cursor = Cursor(batch, orders, cancels)
    assert Cursor.parse(cursor.dump(), "u8") == cursor


def test_nothing_delivered_is_the_empty_cursor() -> None:
    assert Cursor().dump() == EMPTY
    assert Cursor.parse(None, "u8") == Cursor.parse(EMPTY, "u8") == Cursor()


@pytest.mark.parametrize(
    "text",
    ["42", "b=not-a-uuid", f"b={uuid.uuid4()};o=1,x", "o=", "o=1;;c=2", "b=1; DROP TABLE x"],
)
def test_a_cursor_it_did_not_give_is_refused(text: str) -> None:
    with pytest.raises(PermanentError) as refused:
        Cursor.parse(text, "u8")
    assert refused.value.code == "bad_cursor"
