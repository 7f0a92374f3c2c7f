"""Promotions: stored and validated here; applied by pricing when orders are placed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from dms_domain.dealers import Tier
from dms_domain.errors import FieldErrors, NotFound, Refused
from dms_domain.promotions import Promotion, PromotionKind, validate_promotion
from hub.auth.principal import Principal
from hub.db.schema import promotions
from hub.pagination import Page, keyset_page
from hub.services import audit
from hub.services.lookups import existing_skus


def _render(row: Any) -> dict[str, Any]:
    promotion = dict(row._mapping)
    promotion.pop("created_at", None)
    return promotion


def to_promotion(row: Any) -> Promotion:
    m = row._mapping
    return Promotion(
        code=m["code"],
        kind=PromotionKind(m["kind"]),
        starts_at=m["starts_at"],
        ends_at=m["ends_at"],
        tiers=None if m["tiers"] is None else frozenset(Tier(t) for t in m["tiers"]),
        skus=None if m["skus"] is None else frozenset(m["skus"]),
        threshold_amount=m["threshold_amount"],
        discount_amount=m["discount_amount"],
        percent=m["percent"],
        gift_sku=m["gift_sku"],
        gift_qty=m["gift_qty"],
    )


def create_promotion(
    conn: Connection, promotion: Promotion, *, actor: Principal, now: datetime
) -> dict[str, Any]:
    validate_promotion(promotion)
    errors = FieldErrors()
    wanted = set(promotion.skus or ())
    if promotion.gift_sku:
        wanted.add(promotion.gift_sku)
    known = existing_skus(conn, wanted)
    for i, sku in enumerate(sorted(promotion.skus or ())):
        if sku not in known:
            errors.add(f"skus[{i}]", f"no product {sku!r}")
    if promotion.gift_sku and promotion.gift_sku not in known:
        errors.add("gift_sku", f"no product {promotion.gift_sku!r}")
    errors.raise_if_any(f"promotion {promotion.code} not saved")
    values = {
        "code": promotion.code,
        "kind": promotion.kind.value,
        "starts_at": promotion.starts_at,
        "ends_at": promotion.ends_at,
        "tiers": None if promotion.tiers is None else sorted(t.value for t in promotion.tiers),
        "skus": None if promotion.skus is None else sorted(promotion.skus),
        "threshold_amount": promotion.threshold_amount,
        "discount_amount": promotion.discount_amount,
        "percent": promotion.percent,
        "gift_sku": promotion.gift_sku,
        "gift_qty": promotion.gift_qty,
    }
    try:
        with conn.begin_nested():
            conn.execute(insert(promotions).values(created_at=now, **values))
    except IntegrityError as exc:
        raise Refused(
            f"promotion {promotion.code} exists already", code="promotion_exists", field="code"
        ) from exc
    created = get_promotion(conn, promotion.code)
    audit.record(
        conn,
        actor=actor,
        action="create",
        entity="promotion",
        key=promotion.code,
        before=None,
        after=audit.snapshot(created),
        at=now,
    )
    return created


def _in_force(at: datetime) -> tuple[ColumnElement[bool], ...]:
    # [starts_at, ends_at): a promotion ending at 10:00 no longer applies at 10:00.
    return (promotions.c.starts_at <= at, promotions.c.ends_at > at)


def get_promotion(conn: Connection, code: str) -> dict[str, Any]:
    row = conn.execute(select(promotions).where(promotions.c.code == code)).first()
    if row is None:
        raise NotFound(f"no promotion {code!r}")
    return _render(row)


def list_promotions(
    conn: Connection, *, in_force_at: datetime | None, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    query = select(promotions)
    if in_force_at is not None:
        query = query.where(
            promotions.c.starts_at <= in_force_at, promotions.c.ends_at > in_force_at
        )
    page = keyset_page(conn, query, (promotions.c.code,), cursor, limit)
    for item in page.items:
        item.pop("created_at", None)
    return page


_IN_FORCE = select(promotions).where(
    *_in_force(bindparam("at", type_=promotions.c.starts_at.type))  # type: ignore[arg-type]
)


def promotions_in_force(conn: Connection, at: datetime) -> list[Promotion]:
    return [to_promotion(row) for row in conn.execute(_IN_FORCE, {"at": at})]
