"""Dealers: upsert with the status lifecycle, scoped reads, credit figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from dms_domain.dealers import DealerStatus, Tier, check_transition
from dms_domain.errors import FieldErrors, NotFound, Refused
from hub.auth.principal import Principal
from hub.db.schema import dealer_regions, dealers
from hub.pagination import Page, keyset_page
from hub.services import audit
from hub.services.credit import exposure_of
from hub.services.lookups import warehouse_exists
from hub.services.scope import dealer_visible


@dataclass(frozen=True, slots=True)
class DealerInput:
    name: str
    tier: Tier
    regions: list[str]
    credit_limit: Decimal | None
    payment_terms_days: int
    status: DealerStatus
    default_warehouse: str | None
    erp_system: str | None
    erp_customer_code: str | None


def _render(row: Mapping[Any, Any], regions: list[str]) -> dict[str, Any]:
    erp = None
    if row["erp_system"]:
        erp = {"system": row["erp_system"], "customer_code": row["erp_customer_code"]}
    dealer = {k: row[k] for k in _COLUMNS}
    dealer["regions"] = regions
    dealer["erp"] = erp
    return dealer


_COLUMNS = (
    "code",
    "name",
    "tier",
    "credit_limit",
    "payment_terms_days",
    "status",
    "default_warehouse",
    "created_at",
    "updated_at",
)


def _regions_of(conn: Connection, codes: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {code: [] for code in codes}
    if codes:
        query = (
            select(dealer_regions.c.dealer_code, dealer_regions.c.region)
            .where(dealer_regions.c.dealer_code.in_(codes))
            .order_by(dealer_regions.c.region)
        )
        for code, region in conn.execute(query):
            found[code].append(region)
    return found


def _load(conn: Connection, code: str, *, lock: bool = False) -> dict[str, Any] | None:
    query = select(dealers).where(dealers.c.code == code)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        return None
    return _render(row._mapping, _regions_of(conn, [code])[code])


def put_dealer(
    conn: Connection, code: str, data: DealerInput, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Create or replace a dealer. Returns the dealer and whether it was created."""
    errors = FieldErrors()
    if data.default_warehouse and not warehouse_exists(conn, data.default_warehouse):
        errors.add("default_warehouse", f"no warehouse {data.default_warehouse!r}")
    errors.raise_if_any(f"dealer {code} not saved")

    before = _load(conn, code, lock=True)
    if before is not None:
        check_transition(code, DealerStatus(before["status"]), data.status)
    values = {
        "name": data.name,
        "tier": data.tier.value,
        "credit_limit": data.credit_limit,
        "payment_terms_days": data.payment_terms_days,
        "status": data.status.value,
        "default_warehouse": data.default_warehouse,
        "erp_system": data.erp_system,
        "erp_customer_code": data.erp_customer_code,
        "updated_at": now,
    }
    try:
        with conn.begin_nested():
            if before is None:
                conn.execute(insert(dealers).values(code=code, created_at=now, **values))
            else:
                conn.execute(update(dealers).where(dealers.c.code == code).values(**values))
    except IntegrityError as exc:
        raise Refused(
            f"dealer {code}: ERP customer {data.erp_system}/{data.erp_customer_code} "
            "belongs to another dealer",
            code="erp_customer_taken",
            field="erp.customer_code",
        ) from exc
    regions = sorted(set(data.regions))
    if before is None or before["regions"] != regions:
        conn.execute(delete(dealer_regions).where(dealer_regions.c.dealer_code == code))
        if regions:
            conn.execute(
                insert(dealer_regions), [{"dealer_code": code, "region": r} for r in regions]
            )
    after = _load(conn, code)
    assert after is not None
    audit.record(
        conn,
        actor=actor,
        action="create" if before is None else "update",
        entity="dealer",
        key=code,
        before=audit.snapshot(before),
        after=audit.snapshot(after),
        at=now,
    )
    return after, before is None


def get_dealer(conn: Connection, code: str, principal: Principal) -> dict[str, Any]:
    row = conn.execute(
        select(dealers).where(dealers.c.code == code, dealer_visible(principal, dealers.c.code))
    ).first()
    if row is None:
        raise NotFound(f"no dealer {code!r}")
    dealer = _render(row._mapping, _regions_of(conn, [code])[code])
    exposure = exposure_of(conn, code)
    dealer["exposure"] = exposure
    limit = dealer["credit_limit"]
    dealer["headroom"] = None if limit is None else limit - exposure
    return dealer


def list_dealers(
    conn: Connection,
    principal: Principal,
    *,
    status: str | None,
    tier: str | None,
    region: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = select(dealers).where(dealer_visible(principal, dealers.c.code))
    if status:
        query = query.where(dealers.c.status == status)
    if tier:
        query = query.where(dealers.c.tier == tier)
    if region:
        query = query.where(
            dealers.c.code.in_(
                select(dealer_regions.c.dealer_code).where(dealer_regions.c.region == region)
            )
        )
    page = keyset_page(conn, query, (dealers.c.code,), cursor, limit)
    regions = _regions_of(conn, [row["code"] for row in page.items])
    items = [_render(row, regions[row["code"]]) for row in page.items]
    return Page(items, page.next_cursor)
