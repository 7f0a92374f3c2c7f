"""Everything an order needs before it is written: the dealer and warehouse, the
catalog facts of its SKUs, the priced order, and the stock it takes.

Shared by quotes (no locks, nothing written) and placement (inside the order
transaction: the dealer row locked, stock reserved by conditional updates).
The statements are built once: on the hot path SQLAlchemy then only binds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, literal, select, update

from dms_domain.dealers import DealerStatus, Tier
from dms_domain.errors import FieldErrors, InvalidInput, Refused
from dms_domain.pricing import PricedOrder, RequestedLine, price_order, validate_lines
from hub.auth.principal import Principal, Role
from hub.db.schema import dealer_regions, dealers, prices, products, stock, warehouses
from hub.services.credit import exposure_of
from hub.services.licences import valid_licence_kinds
from hub.services.promotions import promotions_in_force


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
class PricedRequest:
    dealer: Dealer
    warehouse: str
    priced: PricedOrder  # with every gift; the stock step may drop some


@dataclass(frozen=True, slots=True)
class StockPlan:
    priced: PricedOrder  # out-of-stock gifts dropped, with a warning each
    shortages: tuple[Shortage, ...]  # of ordered (non-gift) lines


# The warehouse is joined in, so one locking statement checks the dealer and it.
_WAREHOUSE = warehouses.alias("w")
_DEALER_AND_WAREHOUSE = (
    select(
        dealers.c.code,
        dealers.c.tier,
        dealers.c.status,
        dealers.c.credit_limit,
        dealers.c.default_warehouse,
        dealers.c.erp_system,
        _WAREHOUSE.c.code.label("warehouse"),
        _WAREHOUSE.c.kind.label("warehouse_kind"),
        _WAREHOUSE.c.dealer_code.label("warehouse_owner"),
    )
    .select_from(
        dealers.outerjoin(
            _WAREHOUSE,
            _WAREHOUSE.c.code
            == func.coalesce(
                bindparam("warehouse", type_=warehouses.c.code.type), dealers.c.default_warehouse
            ),
        )
    )
    .where(dealers.c.code == bindparam("code"))
)

# Managers order for dealers sharing a region with them (see scope.py).
_DEALER_IN_REGIONS = _DEALER_AND_WAREHOUSE.where(
    exists(
        select(dealer_regions.c.dealer_code).where(
            dealer_regions.c.dealer_code == dealers.c.code,
            dealer_regions.c.region.in_(bindparam("regions", expanding=True)),
        )
    )
)

# FOR NO KEY UPDATE: serialises orders of one dealer without blocking the
# foreign-key checks (FOR KEY SHARE) of rows that merely refer to the dealer.
_LOCK_DEALER = (
    select(dealers.c.status, dealers.c.credit_limit)
    .where(dealers.c.code == bindparam("code"))
    .with_for_update(key_share=True)
)

_CATALOG_FACTS = (
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
            prices, and_(prices.c.sku == products.c.sku, prices.c.tier == bindparam("tier"))
        )
    )
    .where(products.c.sku.in_(bindparam("skus", expanding=True)))
)

_AVAILABLE = select(stock.c.sku, (stock.c.on_hand - stock.c.reserved).label("available")).where(
    stock.c.warehouse_code == bindparam("warehouse"),
    stock.c.sku.in_(bindparam("skus", expanding=True)),
)

# Never below zero: the condition and the increment are one statement, which
# also takes the row lock. Called in SKU order, so two multi-line orders lock
# the same rows in the same order and cannot deadlock.
_RESERVE = (
    update(stock)
    .where(
        stock.c.warehouse_code == bindparam("w"),
        stock.c.sku == bindparam("s"),
        stock.c.on_hand - stock.c.reserved >= bindparam("q"),
    )
    .values(reserved=stock.c.reserved + bindparam("q"))
    .returning(literal(1))
)


def load_dealer(
    conn: Connection,
    code: str,
    principal: Principal,
    *,
    warehouse: str | None,
    with_exposure: bool = True,
) -> tuple[Dealer, str]:
    """The dealer (with its exposure) and the warehouse to take stock from.

    Nothing is locked here: placement locks the dealer row later, as late as it
    can (see ``lock_dealer``), so the lock is held for a few statements only.
    """
    params: dict[str, Any] = {"code": code, "warehouse": warehouse}
    if principal.role is Role.MANAGER:
        query = _DEALER_IN_REGIONS
        params["regions"] = sorted(principal.regions)
    else:
        query = _DEALER_AND_WAREHOUSE
    row = conn.execute(query, params).first()
    if principal.role is Role.DEALER and code != principal.dealer_code:
        row = None
    if row is None:
        # Unknown and out-of-scope dealers get the same answer: codes cannot be probed.
        raise InvalidInput.field("dealer_code", f"no dealer {code!r}")
    wanted = warehouse or row.default_warehouse
    if wanted is None:
        raise InvalidInput.field("warehouse", "no warehouse given and the dealer has no default")
    # Another dealer's own warehouse is as good as unknown to this one.
    if row.warehouse is None or (
        row.warehouse_kind == "dealer" and row.warehouse_owner != row.code
    ):
        raise InvalidInput.field("warehouse", f"no warehouse {wanted!r}")
    dealer = Dealer(
        code=row.code,
        tier=Tier(row.tier),
        status=DealerStatus(row.status),
        credit_limit=row.credit_limit,
        default_warehouse=row.default_warehouse,
        erp_system=row.erp_system,
        exposure=exposure_of(conn, row.code) if with_exposure else Decimal("0.00"),
    )
    return dealer, row.warehouse


def lock_dealer(conn: Connection, code: str) -> tuple[DealerStatus, Decimal | None, Decimal]:
    """Lock the dealer row and read its status, credit limit and exposure.

    The exposure is read by a second statement, after the lock is held: under
    READ COMMITTED a statement sees the data as of its start, so an exposure
    computed in the locking statement itself would miss the order whose
    transaction we waited for. Two orders of one dealer cannot both pass the
    credit check.
    """
    row = conn.execute(_LOCK_DEALER, {"code": code}).one()
    return DealerStatus(row.status), row.credit_limit, exposure_of(conn, code)


def check_active(code: str, status: DealerStatus) -> None:
    if status is not DealerStatus.ACTIVE:
        raise Refused(
            f"dealer {code} is {status.value}; only active dealers may order",
            code="dealer_not_active",
            status=403,
        )


@dataclass(frozen=True, slots=True)
class _CatalogFacts:
    unit_prices: dict[str, Decimal]
    tax_rates: dict[str, Decimal]
    currency: dict[str, str]
    licence_kinds: dict[str, str]
    unknown: set[str]
    inactive: set[str]


def _catalog_facts(conn: Connection, tier: Tier, skus: set[str]) -> _CatalogFacts:
    facts = _CatalogFacts({}, {}, {}, {}, set(skus), set())
    for row in conn.execute(_CATALOG_FACTS, {"tier": tier.value, "skus": sorted(skus)}):
        facts.unknown.discard(row.sku)
        facts.tax_rates[row.sku] = row.tax_rate
        if row.licence_kind:
            facts.licence_kinds[row.sku] = row.licence_kind
        if not row.active:
            facts.inactive.add(row.sku)
        elif row.unit_price is not None:
            facts.unit_prices[row.sku] = row.unit_price
            facts.currency[row.sku] = row.currency
    return facts


def _check_lines(lines: Sequence[RequestedLine], facts: _CatalogFacts, tier: Tier) -> None:
    """Every bad field at once: the domain's shape rules plus what the catalog says."""
    errors = FieldErrors()
    try:
        # Shape only (empty, qty, duplicates): every SKU counts as priced here.
        validate_lines(lines, {line.sku: Decimal(0) for line in lines})
    except InvalidInput as exc:
        errors.errors.extend(exc.errors)
    for index, line in enumerate(lines):
        if line.sku in facts.unknown:
            errors.add(f"lines[{index}].sku", f"unknown SKU {line.sku!r}")
        elif line.sku in facts.inactive:
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


def price_request(
    conn: Connection,
    request: OrderRequest,
    principal: Principal,
    *,
    now: datetime,
    today: date,
    with_exposure: bool = True,
) -> PricedRequest:
    dealer, warehouse = load_dealer(
        conn,
        request.dealer_code,
        principal,
        warehouse=request.warehouse,
        with_exposure=with_exposure,
    )
    facts = _catalog_facts(conn, dealer.tier, {line.sku for line in request.lines})
    _check_lines(request.lines, facts, dealer.tier)
    check_active(dealer.code, dealer.status)
    _check_licences(conn, dealer, request.lines, facts, today)
    priced = price_order(
        tier=dealer.tier,
        lines=request.lines,
        unit_prices=facts.unit_prices,
        tax_rates=facts.tax_rates,
        promotions=promotions_in_force(conn, now),
        at=now,
        currency=facts.currency[request.lines[0].sku],
    )
    return PricedRequest(dealer, warehouse, priced)


def available_stock(conn: Connection, warehouse: str, skus: set[str]) -> dict[str, int]:
    """on_hand - reserved per SKU (0 where the warehouse has no row for it)."""
    rows = conn.execute(_AVAILABLE, {"warehouse": warehouse, "skus": sorted(skus)})
    found = {row.sku: int(row.available) for row in rows}
    return {sku: found.get(sku, 0) for sku in skus}


def _wanted(lines: Sequence[RequestedLine], priced: PricedOrder) -> dict[str, tuple[int, int]]:
    """Per SKU: (ordered units, gift units)."""
    wanted = {line.sku: (line.qty, 0) for line in lines}
    for gift in priced.gift_lines:
        ordered, gifts = wanted.get(gift.sku, (0, 0))
        wanted[gift.sku] = (ordered, gifts + gift.qty)
    return wanted


def plan_stock(
    lines: Sequence[RequestedLine], priced: PricedOrder, available: Mapping[str, int]
) -> StockPlan:
    """What a quote shows: the shortages of ordered lines, and the gifts that
    would be dropped because their stock is short."""
    short: dict[str, int] = {}
    dropped = set()
    for sku, (ordered, gifts) in sorted(_wanted(lines, priced).items()):
        if ordered > available[sku]:
            short[sku] = ordered
        elif gifts and ordered + gifts > available[sku]:
            dropped.add(sku)
    return StockPlan(
        priced.drop_gifts(dropped) if dropped else priced, _shortages(lines, short, available)
    )


def reserve_stock(
    conn: Connection, warehouse: str, lines: Sequence[RequestedLine], priced: PricedOrder
) -> StockPlan:
    """Reserve every line in SKU order; a short gift is dropped, a short ordered
    line is a shortage. Every shortage is collected before the caller refuses
    (and rolls back what was reserved). The update takes each row lock, in
    SKU order, so two multi-line orders cannot deadlock."""
    short: dict[str, int] = {}
    dropped = set()
    for sku, (ordered, gifts) in sorted(_wanted(lines, priced).items()):
        if _reserve(conn, warehouse, sku, ordered + gifts):
            continue
        if gifts:
            dropped.add(sku)
            if ordered == 0 or _reserve(conn, warehouse, sku, ordered):
                continue
        short[sku] = ordered
    available = available_stock(conn, warehouse, set(short)) if short else {}
    return StockPlan(
        priced.drop_gifts(dropped) if dropped else priced, _shortages(lines, short, available)
    )


def _shortages(
    lines: Sequence[RequestedLine], short: Mapping[str, int], available: Mapping[str, int]
) -> tuple[Shortage, ...]:
    """In the order the dealer wrote the lines."""
    return tuple(
        Shortage(line.sku, short[line.sku], max(available[line.sku], 0))
        for line in lines
        if line.sku in short
    )


def _reserve(conn: Connection, warehouse: str, sku: str, qty: int) -> bool:
    return conn.execute(_RESERVE, {"w": warehouse, "s": sku, "q": qty}).first() is not None
