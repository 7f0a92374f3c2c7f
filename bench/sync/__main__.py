"""Benchmark: orders hub -> worker -> ERP simulator and confirmations back.

    python -m bench.sync [--orders 2000] [--backlog 10000] [--workers 2] [--clients 16]

What it does, in one invocation, on this machine:
1. creates a fresh PostgreSQL database, seeds it (bench.orders' 32 dealers and
   100 products, each mapped to the ERP), starts a private redis-server, the
   generic ERP simulator and the hub's API (uvicorn, 2 processes, no jobs);
2. sustained: with ``--workers`` `dms-hub worker` processes and the scheduler
   running, ``--clients`` threads place ``--orders`` orders over HTTP; once all
   are confirmed it reports orders/s end to end (first submit to last confirm)
   and the latency from submit (the order's created_at) to confirmed (the
   timeline entry's ``at``);
3. backlog: workers and scheduler stopped (an outage), ``--backlog`` orders are
   placed over HTTP; then the workers and the scheduler start and it reports
   the drain rate until every one is confirmed;
4. checks that every order has exactly one ERP document and prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select, update

from bench.orders.__main__ import SECRET, create_database, drop_database, seed
from bench.sync.processes import (
    JobProcesses,
    PrivateRedis,
    Proc,
    free_port,
    hub_env,
    spawn,
    start_simulator,
    wait_until,
)
from hub.db.engine import Database, make_engine
from hub.db.schema import dealers, order_timeline, orders, outbox, product_erp_codes
from simulators.generic_erp.remote import RemoteControl
from simulators.generic_erp.server import DEFAULT_API_KEY

CONNECTOR = "erp"
WORKER_THREADS = 8


def psycopg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")


def map_to_erp(db: Database, erp: RemoteControl, skus: list[str]) -> None:
    """Every dealer and product known to the ERP under a code of its own."""
    with db.transaction() as conn:
        codes = list(conn.scalars(select(dealers.c.code)))
        conn.execute(update(dealers).values(erp_system=CONNECTOR, erp_customer_code=dealers.c.code))
        conn.execute(
            insert(product_erp_codes),
            [{"sku": sku, "system": CONNECTOR, "code": f"M-{sku}"} for sku in skus],
        )
    for code in codes:
        erp.add_customer(code, code)
    for sku in skus:
        erp.add_material(f"M-{sku}", sku)


def start_api(env: dict[str, str], log_dir: Path) -> tuple[Proc, str]:
    port = free_port()
    proc = spawn(
        "api",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.api.app:app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        log_dir,
        # DMS_BROKER_URL is set: the API runs no jobs, the workers do.
        {**env, "DMS_ENV": "production", "DMS_SECRET_KEY": SECRET},
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(ready, 30, "the hub's API ready", step=0.2)
    return proc, url


def place(url: str, tokens: list[str], skus: list[str], count: int, clients: int) -> list[str]:
    """``count`` 3-line orders over HTTP from ``clients`` threads; their numbers."""
    token_of = cycle(tokens)
    jobs = [(next(token_of), i) for i in range(count)]
    run = uuid.uuid4().hex[:8]

    def one(client: httpx.Client, token: str, i: int) -> str:
        lines = [{"sku": skus[(i + k) % len(skus)], "qty": 1 + k} for k in range(3)]
        answer = client.post(
            "/api/v1/orders",
            json={"lines": lines},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"{run}-{i}"},
        )
        if answer.status_code != 201:
            raise RuntimeError(f"order refused: {answer.status_code} {answer.text[:300]}")
        return str(answer.json()["order_no"])

    def batch(part: list[tuple[str, int]]) -> list[str]:
        with httpx.Client(base_url=url, timeout=60) as client:
            return [one(client, token, i) for token, i in part]

    with ThreadPoolExecutor(clients) as pool:
        parts = [jobs[k::clients] for k in range(clients)]
        return [no for part in pool.map(batch, parts) for no in part]


def confirmed_count(db: Database, order_nos: list[str]) -> int:
    with db.read() as conn:
        return int(
            conn.scalar(
                select(func.count()).where(
                    orders.c.order_no.in_(order_nos), orders.c.status == "confirmed"
                )
            )
            or 0
        )


def wait_confirmed(db: Database, order_nos: list[str], timeout: float) -> None:
    wait_until(
        lambda: confirmed_count(db, order_nos) == len(order_nos),
        timeout,
        f"{len(order_nos)} orders confirmed",
        step=0.5,
    )


def timings(db: Database, order_nos: list[str]) -> list[tuple[datetime, datetime]]:
    """(submitted, confirmed) per order."""
    with db.read() as conn:
        rows = conn.execute(
            select(orders.c.created_at, func.min(order_timeline.c.at))
            .join(order_timeline, order_timeline.c.order_no == orders.c.order_no)
            .where(
                orders.c.order_no.in_(order_nos),
                order_timeline.c.to_status == "confirmed",
                order_timeline.c.applied.is_(True),
            )
            .group_by(orders.c.order_no, orders.c.created_at)
        ).all()
    return [(row[0], row[1]) for row in rows]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sustained_phase(
    args: argparse.Namespace,
    jobs: JobProcesses,
    db: Database,
    api_url: str,
    tokens: list[str],
    skus: list[str],
) -> tuple[list[str], list[float], float]:
    """Orders flow while the workers run: numbers, latencies (ms), span (s)."""
    for _ in range(args.workers):
        jobs.start_worker(WORKER_THREADS)
    jobs.start_scheduler()
    place(api_url, tokens, skus, 50, args.clients)  # warm-up: pools, connections
    time.sleep(3)
    sustained = place(api_url, tokens, skus, args.orders, args.clients)
    wait_confirmed(db, sustained, 600)
    pairs = timings(db, sustained)
    latencies = [(done - submitted).total_seconds() * 1000 for submitted, done in pairs]
    span = (max(d for _, d in pairs) - min(s for s, _ in pairs)).total_seconds()
    return sustained, latencies, span


def backlog_phase(
    args: argparse.Namespace,
    jobs: JobProcesses,
    db: Database,
    api_url: str,
    tokens: list[str],
    skus: list[str],
) -> tuple[list[str], float, float, int]:
    """Orders written during an outage, drained when the workers return:
    numbers, seconds to place them, seconds to drain, rows sent again."""
    placing = time.monotonic()
    backlog = place(api_url, tokens, skus, args.backlog, args.clients)
    placing_s = time.monotonic() - placing
    restart = datetime.now(UTC)
    for _ in range(args.workers):
        jobs.start_worker(WORKER_THREADS)
    jobs.start_scheduler()
    wait_confirmed(db, backlog, 1800)
    drained = max(d for _, d in timings(db, backlog))
    with db.read() as conn:
        resent = conn.scalar(
            select(func.count()).where(outbox.c.key.in_(backlog), outbox.c.attempts > 1)
        )
    return backlog, placing_s, (drained - restart).total_seconds(), int(resent or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        print("needs redis-server: apt-get install redis-server", file=sys.stderr)
        return 2

    name = f"dmshub_bench_sync_{uuid.uuid4().hex[:8]}"
    url = psycopg_url(create_database(name))
    log_dir = Path(tempfile.mkdtemp(prefix="dms-bench-sync-"))
    redis_server = PrivateRedis(log_dir)
    started: list[Proc] = []
    jobs: JobProcesses | None = None
    db = Database(make_engine(url))
    control: RemoteControl | None = None
    try:
        tokens, skus = seed(url)
        redis_server.start()
        simulator, erp_url = start_simulator(log_dir, api_key=DEFAULT_API_KEY)
        started.append(simulator)
        control = RemoteControl(erp_url)
        map_to_erp(db, control, skus)
        env = hub_env(
            database_url=url,
            broker_url=redis_server.url,
            erp_url=erp_url,
            api_key=DEFAULT_API_KEY,
            secret_key=SECRET,
            connector=CONNECTOR,
        )
        api, api_url = start_api(env, log_dir)
        started.append(api)
        jobs = JobProcesses(env, log_dir)

        sustained, latencies, span = sustained_phase(args, jobs, db, api_url, tokens, skus)
        jobs.stop_all()
        backlog, placing_s, drain_s, resent = backlog_phase(args, jobs, db, api_url, tokens, skus)
        sample = [*sustained[:100], *backlog[:: max(1, len(backlog) // 400)]]
        duplicates = sum(len(control.documents(no)) != 1 for no in sample)
    finally:
        if jobs is not None:
            jobs.stop_all()
        for proc in reversed(started):
            proc.stop()
        if control is not None:
            control.close()
        redis_server.stop()
        db.dispose()
        drop_database(name)
        shutil.rmtree(log_dir, ignore_errors=True)

    report: dict[str, Any] = {
        "workers": args.workers,
        "worker_threads": WORKER_THREADS,
        "clients": args.clients,
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "sustained": {
            "orders": len(sustained),
            "orders_per_s_end_to_end": round(len(sustained) / span, 1),
            "p50_submit_to_confirmed_ms": round(statistics.median(latencies)),
            "p99_submit_to_confirmed_ms": round(percentile(latencies, 0.99)),
        },
        "backlog": {
            "orders": len(backlog),
            "placed_per_s_during_outage": round(len(backlog) / placing_s, 1),
            "drain_orders_per_s": round(len(backlog) / drain_s, 1),
            "drain_seconds": round(drain_s, 1),
            "outbox_rows_sent_more_than_once": resent,
        },
        "sampled_orders_with_not_exactly_one_erp_document": duplicates,
    }
    print(json.dumps(report, indent=2))
    return 0 if duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
