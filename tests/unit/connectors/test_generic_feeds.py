"""Reading one page of a generic ERP feed: broken pages are transient, records
without a key or place are rejected, and a mapping file that cannot give a
canonical record is a configuration error."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from connectors import records
from connectors.generic import feeds
from connectors.generic.feeds import Feed, read_page
from connectors.mapping import InMemoryCrossReference, load_mapping
from dms_domain.errors import ConfigurationError, TransientError
from dms_domain.exchange import ErpOrderEvent, OrderEventIn, Rejected

EVENTS = Path(__file__).resolve().parents[3] / "mappings/generic/order_event.in.yaml"
XREF = InMemoryCrossReference()


def event_feed(mapping_path: Path = EVENTS) -> Feed[OrderEventIn]:
    return Feed(
        "order_event",
        "/events",
        load_mapping(mapping_path),
        "seq",
        lambda record: feeds.text_at(record, "externalRef"),
        records.order_event,
    )


RAW = {
    "seq": 7,
    "type": "CONFIRMED",
    "orderNo": "SO-000007",
    "externalRef": "SO20260105-0007",
    "at": "2026-01-05 10:30:00",
}


def test_a_record_becomes_a_versioned_canonical_one() -> None:
    event = event_feed().read(RAW, source="erp_east", xref=XREF)

    assert isinstance(event, OrderEventIn)
    assert (event.source, event.key, event.version) == ("erp_east", "SO20260105-0007", "7")
    assert event.event is ErpOrderEvent.CONFIRMED
    assert event.at == datetime.fromisoformat("2026-01-05T10:30:00+08:00")


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        ({**RAW, "externalRef": " "}, "#7", "no key"),
        ({**RAW, "seq": "7"}, "SO20260105-0007", "no seq"),
        ({**RAW, "seq": True}, "SO20260105-0007", "no seq"),
        ("not an object", "?", "no key"),
        ({**RAW, "type": "ON_HOLD"}, "SO20260105-0007", "map: no entry"),
    ],
)
def test_a_record_that_cannot_be_read_is_rejected_with_a_reason(
    raw: Any, key: str, reason: str
) -> None:
    rejected = event_feed().read(raw, source="erp_east", xref=XREF)

    assert isinstance(rejected, Rejected)
    assert (rejected.source, rejected.entity, rejected.key) == ("erp_east", "order_event", key)
    assert reason in rejected.reason
    assert rejected.raw == raw


def test_a_mapping_that_gives_no_canonical_record_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "generic" / "order_event.in.yaml"
    broken.parent.mkdir()
    broken.write_text(
        textwrap.dedent(
            """
            version: 1
            system: generic
            entity: order_event
            direction: in
            fields:
              order_no: {source: $.externalRef, type: str}
            """
        ),
        encoding="utf-8",
    )

    with pytest.raises(ConfigurationError, match="does not give a canonical order_event"):
        event_feed(broken).read(RAW, source="erp_east", xref=XREF)


@pytest.mark.parametrize(
    "answer",
    [
        None,
        [],
        {"items": {}, "last": 1, "hasMore": False},
        {"items": [], "last": "1", "hasMore": False},
        {"items": [], "last": 1, "hasMore": "no"},
        {"items": [], "last": 3, "hasMore": False},  # behind the cursor (5)
    ],
)
def test_a_broken_page_is_transient(answer: Any) -> None:
    with pytest.raises(TransientError):
        read_page(answer, 5, "erp_east: GET /events")


def test_a_page_keeps_its_place() -> None:
    page = read_page({"items": [RAW], "last": 7, "hasMore": True}, 5, "GET /events")

    assert (page.items, page.last, page.more) == ([RAW], 7, True)


def test_a_stock_key_is_warehouse_and_material() -> None:
    assert (
        feeds.stock_key({"warehouse": {"code": "WH-SH "}, "item": {"code": "M-1"}}) == "WH-SH/M-1"
    )
    assert feeds.stock_key({"warehouse": {"code": "WH-SH"}}) is None
