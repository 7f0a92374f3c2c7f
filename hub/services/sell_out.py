"""Sell-out reports: what a dealer sold, when, and to which region.

Every record is checked before any is stored (each bad field named, nothing
written if one is bad): the SKU must exist, the day may not be after today in
the business time zone, and the buyer is given by region or by a point, which
the configured region areas place (``dms_domain.diversion.region_of``). A
point in no area is stored unlocated. A record with a ``ref`` the dealer
already sent is a duplicate and changes nothing, so a dealer's system may
send a batch again after a lost answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dms_domain.diversion import Area, region_of
from dms_domain.errors import FieldErrors, InvalidInput
from hub.auth.principal import Principal
from hub.db.schema import region_areas, sell_out_reports
from hub.services.lookups import dealer_exists, existing_skus


@dataclass(frozen=True, slots=True)
class SellOutRecord:
    sold_on: date
    sku: str
    qty: int
    region: str | None
    lat: Decimal | None
    lon: Decimal | None
    ref: str | None


def load_areas(conn: Connection) -> list[Area]:
    return [
        Area(row.region, row.min_lat, row.max_lat, row.min_lon, row.max_lon)
        for row in conn.execute(select(region_areas))
    ]


def report_sell_out(
    conn: Connection,
    dealer_code: str,
    records: Sequence[SellOutRecord],
    *,
    actor: Principal,
    today: date,
    now: datetime,
) -> dict[str, Any]:
    if not dealer_exists(conn, dealer_code):
        raise InvalidInput.field("dealer_code", f"no dealer {dealer_code!r}")
    known = existing_skus(conn, {r.sku for r in records})
    errors = FieldErrors()
    refs: set[str] = set()
    for i, record in enumerate(records):
        if record.sku not in known:
            errors.add(f"records[{i}].sku", f"unknown SKU {record.sku!r}")
        if record.sold_on > today:
            errors.add(f"records[{i}].date", f"{record.sold_on} is after today ({today})")
        if record.ref is not None:
            if record.ref in refs:
                errors.add(f"records[{i}].ref", f"{record.ref!r} appears twice in this report")
            refs.add(record.ref)
    errors.raise_if_any("sell-out report not stored")
    areas = load_areas(conn)
    rows = []
    unlocated = 0
    for record in records:
        region = record.region
        if region is None and record.lat is not None and record.lon is not None:
            region = region_of(record.lat, record.lon, areas)
            unlocated += region is None
        rows.append(
            {
                "dealer_code": dealer_code,
                "sold_on": record.sold_on,
                "sku": record.sku,
                "qty": record.qty,
                "buyer_region": region,
                "lat": record.lat,
                "lon": record.lon,
                "ref": record.ref,
                "reported_at": now,
                "reported_by": actor.name,
            }
        )
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert_(sell_out_reports)
        .on_conflict_do_nothing(index_elements=["dealer_code", "ref"])
        .returning(sell_out_reports.c.id)
    )
    stored = 0
    for row in rows:  # one by one: RETURNING tells which were new
        stored += len(conn.execute(statement.values(**row)).all())
    return {
        "dealer_code": dealer_code,
        "accepted": stored,
        "duplicates": len(rows) - stored,
        "unlocated": unlocated,
    }


def put_region_areas(conn: Connection, region: str, boxes: Sequence[Area]) -> list[dict[str, Any]]:
    """Replace a region's areas."""
    conn.execute(region_areas.delete().where(region_areas.c.region == region))
    for box in boxes:
        conn.execute(
            region_areas.insert().values(
                region=region,
                min_lat=box.min_lat,
                max_lat=box.max_lat,
                min_lon=box.min_lon,
                max_lon=box.max_lon,
            )
        )
    return [
        {
            "min_lat": b.min_lat,
            "max_lat": b.max_lat,
            "min_lon": b.min_lon,
            "max_lon": b.max_lon,
        }
        for b in boxes
    ]
