"""Everything an order needs before it is placed: the dealer, the warehouse, the
catalog facts of its SKUs, the priced order and the stock it would take.

Shared by quotes (no locks, nothing written) and placement (inside the order
transaction, with the dealer row and the stock rows locked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select

from dms_domain.dealers import DealerStatus, Tier
from dms_domain.errors import FieldErrors, InvalidInput, Refused
from dms_domain.pricing import PricedOrder, RequestedLine, price_order, validate_lines
from hub.auth.principal import Principal
from hub.db.schema import dealers, prices, products, stock, warehouses
from hub.services.credit import exposure_of
from hub.services.licences import valid_licence_kinds
from hub.services.promotions import promotions_in_force
from hub.services.scope import dealer_visible


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order (or quote) as the caller asked for it, already checked for shape."""

    dealer_code: str
    lines: Sequence[RequestedLine]
    warehouse: str | None = None
    urgent: bool = False
    remark: str | None = None
    customer_po: str | None = None
    requested_date: date | None = None
    ship_to: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Dealer:
    code: str
    tier: Tier
    status: DealerStatus
    credit_limit: Decimal | None
    default_warehouse: str | None
    erp_system: str | None
    exposure: Decimal


@dataclass(frozen=True, slots=True)
class Shortage:
    sku: str
    requested: int
    available: int

    def as_dict(self) -> dict[str, Any]:
        return {"sku": self.sku, "requested": self.requested, "available": self.available}


@dataclass(frozen=True, slots=True)
class PreparedOrder:
    dealer: Dealer
    warehouse: str
    priced: PricedOrder  # out-of-stock gifts already dropped
    shortages: tuple[Shortage, ...]  # of ordered (non-gift) lines
    reservations: dict[str, int]  # sku -> units to reserve, ordered and gift lines


def load_dealer(conn: Connection, code: str, principal: Principal, *, lock: bool) -> Dealer:
    """The dealer with its exposure; locked (FOR UPDATE) when placing an order, so
    two concurrent orders cannot both pass the credit check.

    The exposure is read by a second statement, after the lock is held: under
    READ COMMITTED a statement sees the data as of its start, so an exposure
    computed in the locking statement itself would miss the order whose
    transaction we waited for.
    """
    query = select(
        dealers.c.code,
        dealers.c.tier,
        dealers.c.status,
        dealers.c.credit_limit,
        dealers.c.default_warehouse,
        dealers.c.erp_system,
    ).where(dealers.c.code == code, dealer_visible(principal, dealers.c.code))
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        # Unknown and out-of-scope dealers get the same answer: codes cannot be probed.
        raise InvalidInput.field("dealer_code", f"no dealer {code!r}")
    return Dealer(
        code=row.code,
        tier=Tier(row.tier),
        status=DealerStatus(row.status),
        credit_limit=row.credit_limit,
        default_warehouse=row.default_warehouse,
        erp_system=row.erp_system,
        exposure=exposure_of(conn, row.code),
    )


def _check_warehouse(conn: Connection, dealer: Dealer, requested: str | None) -> str:
    code = requested or dealer.default_warehouse
    if code is None:
        raise InvalidInput.field("warehouse", "no warehouse given and the dealer has no default")
    row = conn.execute(
        select(warehouses.c.kind, warehouses.c.dealer_code).where(warehouses.c.code == code)
    ).first()
    # Another dealer's own warehouse is as good as unknown to this one.
    if row is None or (row.kind == "dealer" and row.dealer_code != dealer.code):
        raise InvalidInput.field("warehouse", f"no warehouse {code!r}")
    return code


@dataclass(frozen=True, slots=True)
class _CatalogFacts:
    unit_prices: dict[str, Decimal]
    tax_rates: dict[str, Decimal]
    currency: dict[str, str]
    licence_kinds: dict[str, str]


def _catalog_facts(
    conn: Connection, tier: Tier, skus: set[str]
) -> tuple[_CatalogFacts, set[str], set[str]]:
    """Prices and product facts of ``skus``; also the unknown and inactive SKUs."""
    query = (
        select(
            products.c.sku,
            products.c.active,
            products.c.tax_rate,
            products.c.licence_kind,
            prices.c.unit_price,
            prices.c.currency,
        )
        .select_from(
            products.outerjoin(
                prices, and_(prices.c.sku == products.c.sku, prices.c.tier == tier.value)
            )
        )
        .where(products.c.sku.in_(skus))
    )
    facts = _CatalogFacts({}, {}, {}, {})
    inactive: set[str] = set()
    found: set[str] = set()
    for row in conn.execute(query):
        found.add(row.sku)
        facts.tax_rates[row.sku] = row.tax_rate
        if row.licence_kind:
            facts.licence_kinds[row.sku] = row.licence_kind
        if not row.active:
            inactive.add(row.sku)
        elif row.unit_price is not None:
            facts.unit_prices[row.sku] = row.unit_price
            facts.currency[row.sku] = row.currency
    return facts, skus - found, inactive


def _check_lines(
    lines: Sequence[RequestedLine],
    facts: _CatalogFacts,
    unknown: set[str],
    inactive: set[str],
    tier: Tier,
) -> None:
    """Every bad field at once: the domain's shape rules plus what the catalog says."""
    errors = FieldErrors()
    try:
        # Shape only (empty, qty, duplicates): every SKU counts as priced here.
        validate_lines(lines, {line.sku: Decimal(0) for line in lines})
    except InvalidInput as exc:
        errors.errors.extend(exc.errors)
    for index, line in enumerate(lines):
        if line.sku in unknown:
            errors.add(f"lines[{index}].sku", f"unknown SKU {line.sku!r}")
        elif line.sku in inactive:
            errors.add(f"lines[{index}].sku", f"product {line.sku!r} is not active")
        elif line.sku and line.sku not in facts.unit_prices:
            errors.add(f"lines[{index}].sku", f"{line.sku!r} has no {tier.value} price")
    currencies = {facts.currency[line.sku] for line in lines if line.sku in facts.currency}
    if len(currencies) > 1:
        errors.add(
            "lines", f"the prices of these SKUs are in several currencies: {sorted(currencies)}"
        )
    errors.raise_if_any("the order has invalid lines")


def _check_licences(
    conn: Connection,
    dealer: Dealer,
    lines: Sequence[RequestedLine],
    facts: _CatalogFacts,
    today: date,
) -> None:
    needed = {
        line.sku: facts.licence_kinds[line.sku] for line in lines if line.sku in facts.licence_kinds
    }
    if not needed:
        return
    held = valid_licence_kinds(conn, dealer.code, today)
    missing = {sku: kind for sku, kind in needed.items() if kind not in held}
    if missing:
        sku, kind = sorted(missing.items())[0]
        raise Refused(
            f"dealer {dealer.code} has no valid {kind!r} licence, which {sku} requires",
            code="licence_required",
            status=403,
            missing=[{"sku": s, "licence_kind": k} for s, k in sorted(missing.items())],
        )


def _available(conn: Connection, warehouse: str, skus: set[str], *, lock: bool) -> dict[str, int]:
    """on_hand - reserved per SKU; rows locked in SKU order when placing, so two
    multi-line orders lock in the same order and cannot deadlock."""
    query = (
        select(stock.c.sku, (stock.c.on_hand - stock.c.reserved).label("available"))
        .where(stock.c.warehouse_code == warehouse, stock.c.sku.in_(skus))
        .order_by(stock.c.sku)
    )
    if lock:
        query = query.with_for_update()
    found = {row.sku: int(row.available) for row in conn.execute(query)}
    return {sku: found.get(sku, 0) for sku in skus}


def prepare_order(
    conn: Connection,
    request: OrderRequest,
    principal: Principal,
    *,
    now: datetime,
    today: date,
    lock: bool,
) -> PreparedOrder:
    dealer = load_dealer(conn, request.dealer_code, principal, lock=lock)
    warehouse = _check_warehouse(conn, dealer, request.warehouse)
    skus = {line.sku for line in request.lines}
    facts, unknown, inactive = _catalog_facts(conn, dealer.tier, skus)
    _check_lines(request.lines, facts, unknown, inactive, dealer.tier)
    if dealer.status is not DealerStatus.ACTIVE:
        raise Refused(
            f"dealer {dealer.code} is {dealer.status.value}; only active dealers may order",
            code="dealer_not_active",
            status=403,
        )
    _check_licences(conn, dealer, request.lines, facts, today)

    promotions = promotions_in_force(conn, now)
    currency = next(iter(facts.currency[line.sku] for line in request.lines))
    priced = price_order(
        tier=dealer.tier,
        lines=request.lines,
        unit_prices=facts.unit_prices,
        tax_rates=facts.tax_rates,
        promotions=promotions,
        at=now,
        currency=currency,
    )
    gift_skus = {line.sku for line in priced.gift_lines}
    available = _available(conn, warehouse, skus | gift_skus, lock=lock)

    shortages = []
    remaining = dict(available)
    for line in request.lines:
        if line.qty > remaining[line.sku]:
            shortages.append(Shortage(line.sku, line.qty, max(available[line.sku], 0)))
        remaining[line.sku] -= line.qty
    reservations = {line.sku: line.qty for line in request.lines}
    out_of_stock = set()
    for gift in priced.gift_lines:
        if gift.qty > remaining[gift.sku]:
            out_of_stock.add(gift.sku)
        else:
            remaining[gift.sku] -= gift.qty
            reservations[gift.sku] = reservations.get(gift.sku, 0) + gift.qty
    if out_of_stock:
        priced = priced.drop_gifts(out_of_stock)
    return PreparedOrder(dealer, warehouse, priced, tuple(shortages), reservations)
