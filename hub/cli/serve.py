"""``dms-hub up``: serve the API (migrating and seeding the embedded default)."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from typing import Any

import uvicorn

from hub.db.engine import Database, make_engine
from hub.db.migrate import current_revision, head_revision, upgrade
from hub.logs import logging_config
from hub.settings import Environment, Settings, load_settings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    up = subparsers.add_parser("up", help="serve the HTTP API")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=8000)
    up.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    up.add_argument("--demo", action="store_true", help="seed demo data (development only)")
    up.set_defaults(handler=_up)


def _up(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.demo and settings.env is Environment.PRODUCTION:
        print("--demo seeds known passwords: refused when DMS_ENV=production", file=sys.stderr)
        return 2
    db = Database(make_engine(settings.database_url))
    try:
        if settings.is_sqlite:
            # The embedded default has nobody to run migrations: do it here.
            upgrade(db)
        elif current_revision(db) != head_revision():
            print(
                f"database is at revision {current_revision(db)}, the code needs "
                f"{head_revision()}: run `dms-hub db upgrade` first",
                file=sys.stderr,
            )
            return 2
        if args.demo:
            from hub.demo import seed_demo  # noqa: PLC0415 - demo code stays off the normal path

            print(seed_demo(db, tz=settings.business_tz))
    finally:
        db.dispose()
    with ExitStack() as stack:
        if args.demo and not settings.connectors:
            from hub.demo import demo_erp_environment, demo_wms_environment  # noqa: PLC0415

            # The API (and its in-process worker) read settings from the environment.
            environment = demo_erp_environment(stack)
            print(f"demo ERP simulator on {environment['DMS_CONNECTORS__ERP__BASE_URL']}")
            host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
            environment |= demo_wms_environment(stack, f"http://{host}:{args.port}")
            print(f"demo WMS simulator on {environment['DMS_CONNECTORS__WMS__BASE_URL']}")
            os.environ.update(environment)
        _serve(args, settings)
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    print(f"dms-hub API on http://{args.host}:{args.port} (Swagger UI at /docs)")
    uvicorn.run(
        "hub.api.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=logging_config(settings),
        log_level=settings.log_level.lower(),
    )
