"""Benchmark: one full alert evaluation (every rule, then VMI proposals) over a
dealer network with two years of history, on PostgreSQL.

    python -m bench.alerts [--dealers 2000] [--skus 5000] [--months 24] [--keep]

1. creates a fresh PostgreSQL database (``dmshub_bench_alerts``) and migrates it;
2. writes the data with COPY: ``--dealers`` dealers in 20 regions, each with a
   licence or two and its own warehouse stocking 25 SKUs with safety stock and
   max level; 10 hub warehouses stocking every one of ``--skus`` SKUs; 4 orders
   of 3 lines per dealer per month for ``--months`` months (about 1 in 10
   dealers halves its purchases in the last 3 months); monthly invoices and
   payments (some dealers late); 30 days of sell-out (some dealers selling
   outside their regions); a few dead letters and stale connectors;
3. runs the full evaluation twice and prints the seconds of each (the first
   opens the alerts, the second finds them all current and changes nothing),
   the figures per rule, and the ratio to the 30 s goal;
4. drops the database (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import select

from dms_domain.calendar import local_date
from hub.alerting.evaluate import evaluate
from hub.alerting.vmi import sync_proposals
from hub.db.engine import Database, make_engine
from hub.db.migrate import upgrade
from hub.db.schema import alert_evaluations

ADMIN_DSN = os.environ.get("DMS_BENCH_PG_DSN", "postgresql://root@127.0.0.1:5432/postgres")
DATABASE = "dmshub_bench_alerts"
GOAL_SECONDS = 30.0
TZ = ZoneInfo("Asia/Shanghai")
REGIONS = [f"R{i:02d}" for i in range(20)]
HUB_WAREHOUSES = 10
DEALER_SKUS = 25
ORDERS_PER_MONTH = 4
LINES = 3


def create_database() -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{ADMIN_DSN.rsplit('/', 1)[0]}/{DATABASE}"


def drop_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def copy(
    conn: psycopg.Connection[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)
            count += 1
    return count


def month_starts(now: datetime, months: int) -> list[datetime]:
    """The first instant (UTC) of each of the last ``months`` business months, oldest first."""
    today = local_date(now, TZ)
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        starts.append(datetime(year, month, 1, tzinfo=TZ).astimezone(UTC))
    return starts[::-1]


def generate(url: str, dealers: int, skus: int, months: int, now: datetime) -> dict[str, int]:  # noqa: PLR0915
    rng = random.Random(11)
    today = local_date(now, TZ)
    sku_codes = [f"S{i:05d}" for i in range(skus)]
    dealer_codes = [f"D{i:05d}" for i in range(dealers)]
    region_of = {code: REGIONS[i % len(REGIONS)] for i, code in enumerate(dealer_codes)}
    dropping = {code for code in dealer_codes if rng.random() < 0.1}
    diverting = {code for code in dealer_codes if rng.random() < 0.05}
    late = {code for code in dealer_codes if rng.random() < 0.08}
    counts: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        counts["products"] = copy(
            conn,
            "products",
            ("sku", "name", "unit", "active", "tax_rate", "pack_size", "created_at", "updated_at"),
            ((s, s, "pc", True, "13", rng.choice((1, 6, 12)), now, now) for s in sku_codes),
        )
        hubs = [f"H{i:02d}" for i in range(HUB_WAREHOUSES)]
        copy(
            conn,
            "warehouses",
            ("code", "name", "kind", "region", "created_at", "updated_at"),
            ((h, h, "regional", REGIONS[i], now, now) for i, h in enumerate(hubs)),
        )
        counts["dealers"] = copy(
            conn,
            "dealers",
            (
                "code",
                "name",
                "tier",
                "credit_limit",
                "payment_terms_days",
                "status",
                "default_warehouse",
                "created_at",
                "updated_at",
            ),
            (
                (d, d, "core", None, 30, "active", hubs[i % HUB_WAREHOUSES], now, now)
                for i, d in enumerate(dealer_codes)
            ),
        )
        copy(
            conn,
            "dealer_regions",
            ("dealer_code", "region"),
            ((d, region_of[d]) for d in dealer_codes),
        )
        copy(
            conn,
            "warehouses",
            ("code", "name", "kind", "region", "dealer_code", "created_at", "updated_at"),
            ((f"W{d}", d, "dealer", region_of[d], d, now, now) for d in dealer_codes),
        )
        copy(
            conn,
            "dealer_licences",
            ("dealer_code", "number", "kind", "expires_on", "updated_at"),
            (
                (d, f"L{n}", "pharma", today + timedelta(days=rng.randint(-10, 700)), now)
                for d in dealer_codes
                for n in range(rng.randint(1, 2))
            ),
        )

        def stock_rows() -> Iterable[Sequence[Any]]:
            for h in hubs:
                for s in sku_codes:
                    yield (h, s, rng.randint(0, 500), 0, rng.randint(20, 60), None, now)
            for d in dealer_codes:
                for s in rng.sample(sku_codes, DEALER_SKUS):
                    yield (f"W{d}", s, rng.randint(0, 80), 0, 10, 40, now)

        counts["stock"] = copy(
            conn,
            "stock",
            (
                "warehouse_code",
                "sku",
                "on_hand",
                "reserved",
                "safety_stock",
                "max_level",
                "updated_at",
            ),
            stock_rows(),
        )

        starts = month_starts(now, months)
        orders: list[Sequence[Any]] = []
        lines: list[Sequence[Any]] = []
        for d in dealer_codes:
            for m, start in enumerate(starts):
                half = d in dropping and m >= months - 3
                for k in range(ORDERS_PER_MONTH):
                    order_no = f"B{d}{m:02d}{k}"
                    at = start + timedelta(days=rng.randint(0, 26), hours=rng.randint(0, 23))
                    total = Decimal(0)
                    for n in range(LINES):
                        qty = rng.randint(1, 10) if not half else 1
                        price = Decimal(rng.randint(1000, 5000)) / 100
                        amount = price * qty
                        total += amount
                        lines.append(
                            (
                                order_no,
                                n + 1,
                                rng.choice(sku_codes),
                                qty,
                                price,
                                amount,
                                amount,
                                "13",
                                "0",
                                False,
                                "[]",
                                qty,
                            )
                        )
                    orders.append(
                        (
                            order_no,
                            d,
                            hubs[0],
                            "closed",
                            "CNY",
                            total,
                            "0",
                            total,
                            "[]",
                            "[]",
                            False,
                            "bench",
                            at,
                            at,
                        )
                    )
        counts["orders"] = copy(
            conn,
            "orders",
            (
                "order_no",
                "dealer_code",
                "warehouse_code",
                "status",
                "currency",
                "total",
                "tax_total",
                "invoiced_amount",
                "discounts",
                "warnings",
                "urgent",
                "placed_by",
                "created_at",
                "updated_at",
            ),
            orders,
        )
        counts["order_lines"] = copy(
            conn,
            "order_lines",
            (
                "order_no",
                "line_no",
                "sku",
                "qty",
                "unit_price",
                "list_amount",
                "amount",
                "tax_rate",
                "tax_amount",
                "is_gift",
                "price_trace",
                "shipped_qty",
            ),
            lines,
        )

        invoices, payments = [], []
        for d in dealer_codes:
            for m, start in enumerate(starts):
                issued = local_date(start, TZ)
                amount = Decimal(rng.randint(5_000, 50_000))
                invoices.append(
                    (
                        f"I{d}{m:02d}",
                        d,
                        issued,
                        issued + timedelta(days=30),
                        amount,
                        "0",
                        "CNY",
                        "bench",
                        now,
                    )
                )
                if not (d in late and m >= months - 4):
                    payments.append(
                        (f"P{d}{m:02d}", d, start + timedelta(days=35), amount, "CNY", "bench", now)
                    )
        counts["invoices"] = copy(
            conn,
            "invoices",
            (
                "invoice_no",
                "dealer_code",
                "invoice_date",
                "due_date",
                "amount",
                "tax_amount",
                "currency",
                "source",
                "recorded_at",
            ),
            invoices,
        )
        copy(
            conn,
            "payments",
            ("payment_no", "dealer_code", "paid_at", "amount", "currency", "source", "recorded_at"),
            payments,
        )

        def sell_out() -> Iterable[Sequence[Any]]:
            for d in dealer_codes:
                for day in range(30):
                    for _ in range(2):
                        outside = d in diverting and rng.random() < 0.4
                        region = rng.choice(REGIONS) if outside else region_of[d]
                        yield (
                            d,
                            today - timedelta(days=day),
                            rng.choice(sku_codes),
                            rng.randint(1, 20),
                            region,
                            now,
                            "bench",
                        )

        counts["sell_out_reports"] = copy(
            conn,
            "sell_out_reports",
            ("dealer_code", "sold_on", "sku", "qty", "buyer_region", "reported_at", "reported_by"),
            sell_out(),
        )
        copy(
            conn,
            "dead_letters",
            (
                "actor",
                "queue",
                "message_id",
                "args",
                "kwargs",
                "error",
                "error_class",
                "attempts",
                "status",
                "created_at",
            ),
            (
                ("pull", "pulls", f"m{i}", "[]", "{}", "boom", "X", 12, "open", now)
                for i in range(5)
            ),
        )
        copy(
            conn,
            "sync_state",
            (
                "connector",
                "entity",
                "last_run_at",
                "last_success_at",
                "errors_total",
                "records_total",
                "rejected_total",
            ),
            ((f"erp{i}", "stock", now, now - timedelta(hours=i), i, 0, 0) for i in range(4)),
        )
        conn.commit()
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
        conn.commit()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alerts")
    parser.add_argument("--dealers", type=int, default=2000)
    parser.add_argument("--skus", type=int, default=5000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    now = datetime.now(UTC)
    url = create_database()
    try:
        db = Database(make_engine(url.replace("postgresql://", "postgresql+psycopg://")))
        upgrade(db)
        started = time.perf_counter()
        counts = generate(url, args.dealers, args.skus, args.months, now)
        print(f"generated in {time.perf_counter() - started:.1f} s: {counts}")
        runs = []
        for label in ("first run (opens alerts)", "second run (nothing changes)"):
            started = time.perf_counter()
            results = evaluate(db, now, TZ)
            with db.transaction() as conn:
                vmi = sync_proposals(conn, now)
            seconds = time.perf_counter() - started
            runs.append(seconds)
            print(f"{label}: {seconds:.2f} s")
            with db.read() as conn:
                took = {
                    row.kind: row.duration_ms
                    for row in conn.execute(
                        select(alert_evaluations.c.kind, alert_evaluations.c.duration_ms)
                    )
                }
            for kind, result in results.items():
                print(f"  {kind.value:20} {took[kind.value]:>6} ms  {result}")
            print(
                f"  {'vmi':20} needed={vmi[0]} proposed={vmi[1]} "
                f"updated={vmi[2]} withdrawn={vmi[3]}"
            )
        worst = max(runs)
        print(
            f"full evaluation: {runs[0]:.2f} s first, {runs[1]:.2f} s steady; "
            f"ratio to the {GOAL_SECONDS:.0f} s goal: {worst / GOAL_SECONDS:.3f} "
            f"({'met' if worst < GOAL_SECONDS else 'NOT met'})"
        )
        db.dispose()
    finally:
        if not args.keep:
            drop_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
