"""``dms-hub db upgrade``: apply migrations to DMS_DATABASE_URL."""

from __future__ import annotations

import argparse
from typing import Any

from hub.db.engine import Database, make_engine
from hub.db.migrate import current_revision, upgrade
from hub.settings import load_settings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    db = subparsers.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply migrations to DMS_DATABASE_URL")
    up.add_argument("--revision", default="head")
    up.set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = Database(make_engine(settings.database_url))
    try:
        upgrade(db, args.revision)
        print(f"database at revision {current_revision(db)}")
    finally:
        db.dispose()
    return 0
