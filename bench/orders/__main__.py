"""Benchmark: dealers placing 3-line orders with a promotion in force.

    python -m bench.orders [--seconds 20] [--clients 32] [--workers 2] [--jobs broker|in-process]

What it does, in one invocation, on this machine:
1. creates a fresh PostgreSQL database, migrates it, seeds 32 dealers (one
   user each), 100 priced products with deep stock and a threshold promotion;
2. serves the hub with uvicorn (``--workers`` processes) on PostgreSQL. With
   ``--jobs broker`` (the default) as in production: the API tier alone, its
   jobs (relaying each order's outbox row to an ERP) left on the broker for
   worker processes, which are not started; with ``--jobs in-process`` the
   embedded default's worker and scheduler run inside each API process and
   relay every order while the load runs (no ERP is configured, so each push
   ends in a "no route" alert);
3. drives it with wrk (load generator: wrk 4, C, epoll; a Lua script sends
   POST /api/v1/orders with 3 distinct random SKUs, a unique Idempotency-Key
   and one of the 32 dealers' tokens) at ``--clients`` connections;
4. runs ``pgbench -b tpcb-like`` with the same number of clients on the same
   server as the baseline;
5. prints orders/s, p50/p99 latency, the ratio to pgbench's TPS, and checks
   that every order was accepted and the stock adds up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import func, select

from dms_domain.catalog import WarehouseKind
from dms_domain.dealers import DealerStatus, Tier
from dms_domain.promotions import Promotion, PromotionKind
from hub.auth.principal import Principal, Role
from hub.auth.tokens import issue_token
from hub.db.engine import Database, make_engine
from hub.db.migrate import upgrade
from hub.db.schema import orders, stock
from hub.services import catalog, dealers, promotions
from hub.services import stock as stock_service
from hub.services.users import add_user

ADMIN_DSN = os.environ.get("DMS_BENCH_PG_DSN", "postgresql://root@127.0.0.1:5432/postgres")
SECRET = "bench-secret-" + "k" * 40
SEEDER = Principal(name="bench", role=Role.ADMIN)
DEALERS = 32
SKUS = 100
GOAL_ORDERS_PER_S = 500
GOAL_P99_MS = 100

LUA = """
local tokens = {%(tokens)s}
local skus = {%(skus)s}
local counter = 0
local threads = 0
-- "prefix" is a global that setup() sets in each thread's own Lua state: a
-- local here would shadow it and every thread would send the same keys.
prefix = "unset"

function setup(thread)
  threads = threads + 1
  thread:set("prefix", "%(run)s-t" .. threads)
end

function init(args)
  math.randomseed(os.time() + threads)
end

request = function()
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  local a = math.random(1, #skus)
  local b = a %% #skus + 1
  local c = b %% #skus + 1
  local body = '{"lines":[{"sku":"' .. skus[a] .. '","qty":2},{"sku":"' .. skus[b] ..
    '","qty":1},{"sku":"' .. skus[c] .. '","qty":3}]}'
  local headers = {}
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format("POST", "/api/v1/orders", headers, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_database(name: str) -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str) -> tuple[list[str], list[str]]:
    db = Database(make_engine(url.replace("postgresql://", "postgresql+psycopg://")))
    upgrade(db)
    now = datetime.now(UTC)
    skus = [f"B-{i:04d}" for i in range(SKUS)]
    usernames = []
    with db.transaction() as conn:
        catalog.put_warehouse(
            conn,
            "BW",
            catalog.WarehouseInput("bench", WarehouseKind.CENTRAL, None, None),
            actor=SEEDER,
            now=now,
        )
        for sku in skus:
            catalog.put_product(
                conn,
                sku,
                catalog.ProductInput(sku, "pc", True, Decimal(13), 1, None, None, {}),
                actor=SEEDER,
                now=now,
            )
            stock_service.put_stock(
                conn,
                "BW",
                sku,
                stock_service.StockCorrection(10_000_000, None, None),
                actor=SEEDER,
                now=now,
            )
        catalog.put_prices(
            conn,
            [catalog.PriceInput(Tier.CORE, sku, Decimal("12.3400"), "CNY") for sku in skus],
            actor=SEEDER,
            now=now,
        )
        for i in range(DEALERS):
            code = f"BD{i:03d}"
            dealers.put_dealer(
                conn,
                code,
                dealers.DealerInput(
                    f"dealer {i}",
                    Tier.CORE,
                    ["bench"],
                    None,
                    30,
                    DealerStatus.ACTIVE,
                    "BW",
                    None,
                    None,
                ),
                actor=SEEDER,
                now=now,
            )
            username = f"bench-{code}"
            add_user(
                conn,
                username=username,
                password="bench-password",
                role=Role.DEALER,
                dealer_code=code,
                regions=[],
                now=now,
            )
            usernames.append(username)
        promotions.create_promotion(
            conn,
            Promotion(
                code="BENCH-FULL100",
                kind=PromotionKind.THRESHOLD_DISCOUNT,
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=1),
                threshold_amount=Decimal("50.00"),
                discount_amount=Decimal("5.00"),
            ),
            actor=SEEDER,
            now=now,
        )
    db.dispose()
    tokens = [issue_token(u, key=SECRET, ttl_seconds=3600, now=now) for u in usernames]
    return tokens, skus


def start_hub(
    url: str, port: int, workers: int, prom_dir: str, broker_url: str | None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DMS_ENV": "production",
        "DMS_SECRET_KEY": SECRET,
        "DMS_DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://"),
        "DMS_DB_POOL_SIZE": "20",
        "PROMETHEUS_MULTIPROC_DIR": prom_dir,
    }
    env.pop("DMS_BROKER_URL", None)
    if broker_url is not None:
        env["DMS_BROKER_URL"] = broker_url
    process = subprocess.Popen(
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
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        start_new_session=True,  # its own process group: stopping it stops its workers
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_hub(process)
    raise RuntimeError("the hub did not become ready")


def stop_hub(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def run_wrk(
    port: int, tokens: list[str], skus: list[str], clients: int, seconds: int
) -> dict[str, float]:
    script = LUA % {
        "run": uuid.uuid4().hex[:12],
        "tokens": ",".join(f'"{t}"' for t in tokens),
        "skus": ",".join(f'"{s}"' for s in skus),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        path = handle.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(clients),
                "-d",
                f"{seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                path,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(path).unlink()
    return parse_wrk(out)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> dict[str, float]:
    result = {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = float(bad.group(1)) if bad else 0.0
    errors = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = (
        0.0 if not errors else float(sum(int(n) for n in re.findall(r"\d+", errors.group(1))))
    )
    return result


def cpu_seconds(*, group: int | None = None, cmdline_part: str | None = None) -> float:
    """CPU seconds (user + system) used so far by the processes of a process
    group, or whose command line holds ``cmdline_part`` (PostgreSQL's backends
    name their database there)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if group is not None and int(fields[2]) != group:
            continue
        if cmdline_part is not None and cmdline_part not in cmdline:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run_pgbench(clients: int, seconds: int) -> float:
    name = "dmshub_bench_pgbench"
    url = create_database(name)
    try:
        subprocess.run(["pgbench", "-i", "-q", "-s", "10", url], check=True, capture_output=True)
        out = subprocess.run(
            ["pgbench", "-b", "tpcb-like", "-c", str(clients), "-j", "2", "-T", str(seconds), url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        drop_database(name)
    return float(re.search(r"tps = ([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--jobs",
        choices=("broker", "in-process"),
        default="broker",
        help="broker: the API tier alone, as deployed (default); in-process: jobs run in the API",
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("pgbench") is None:
        print("needs wrk and pgbench: apt-get install wrk postgresql-client", file=sys.stderr)
        return 2

    name = f"dmshub_bench_{uuid.uuid4().hex[:8]}"
    url = create_database(name)
    prom_dir = tempfile.mkdtemp(prefix="dms-bench-prom-")
    hub = None
    try:
        tokens, skus = seed(url)
        port = free_port()
        broker = args.broker_url if args.jobs == "broker" else None
        hub = start_hub(url, port, args.workers, prom_dir, broker)
        run_wrk(port, tokens, skus, args.clients, 3)  # warm-up: pools, caches, JIT of plans
        if os.environ.get("BENCH_PROFILE"):
            subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(hub.pid),
                    "--subprocesses",
                    "--duration",
                    str(args.seconds - 1),
                    "--format",
                    "raw",
                    "-o",
                    os.environ["BENCH_PROFILE"],
                    "--nonblocking",
                ]
            )
        hub_cpu = cpu_seconds(group=hub.pid)
        pg_cpu = cpu_seconds(cmdline_part=f" {name} ")
        result = run_wrk(port, tokens, skus, args.clients, args.seconds)
        hub_cpu = cpu_seconds(group=hub.pid) - hub_cpu
        pg_cpu = cpu_seconds(cmdline_part=f" {name} ") - pg_cpu
        stop_hub(hub)
        hub = None
        db = Database(make_engine(url.replace("postgresql://", "postgresql+psycopg://")))
        with db.transaction() as conn:
            placed = conn.execute(select(func.count()).select_from(orders)).scalar_one()
            reserved = conn.execute(select(func.sum(stock.c.reserved))).scalar_one()
        db.dispose()
        tps = run_pgbench(args.clients, args.seconds)
    finally:
        if hub is not None:
            stop_hub(hub)
        drop_database(name)
        shutil.rmtree(prom_dir, ignore_errors=True)

    ratio = result["requests_per_s"] / tps
    report = {
        "load_generator": "wrk 4.1 (-t2), Lua script, keep-alive connections",
        "clients": args.clients,
        "uvicorn_workers": args.workers,
        "jobs": args.jobs,
        "seconds": args.seconds,
        "orders_per_s": round(result["requests_per_s"], 1),
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "hub_cpu_ms_per_order": round(1000 * hub_cpu / max(result["requests"], 1), 2),
        "postgres_cpu_ms_per_order": round(1000 * pg_cpu / max(result["requests"], 1), 2),
        "non_2xx": int(result["non_2xx"]),
        "socket_errors": int(result["socket_errors"]),
        "orders_in_db": placed,
        "units_reserved": int(reserved or 0),
        "units_expected": placed * 6,
        "pgbench_tpcb_like_tps": round(tps, 1),
        "ratio_orders_to_pgbench_tps": round(ratio, 3),
        "goal": f">= {GOAL_ORDERS_PER_S} orders/s with p99 <= {GOAL_P99_MS} ms",
        "goal_met": result["requests_per_s"] >= GOAL_ORDERS_PER_S
        and result["p99_ms"] <= GOAL_P99_MS,
    }
    print(json.dumps(report, indent=2))
    consistent = report["units_reserved"] == report["units_expected"] and report["non_2xx"] == 0
    if not consistent:
        print("INCONSISTENT: refused orders or reserved units do not add up", file=sys.stderr)
    return 0 if consistent else 1


if __name__ == "__main__":
    sys.exit(main())
