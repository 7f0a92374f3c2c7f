"""``dms-hub staging init``: create the staging tables, or print their DDL.

    dms-hub staging init 'postgresql+psycopg://dms@db/erp_staging'
    dms-hub staging init 'DRIVER={PostgreSQL Unicode};SERVER=db;DATABASE=erp;UID=dms;PWD=...'
    dms-hub staging init --sql mssql > staging.sql     # for the ERP team to review

The target is a SQLAlchemy URL or an ODBC connection string; a password in it
is better given through the environment (``$DMS_STAGING_TARGET``) than on a
command line other users can read.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from dms_domain.errors import DmsError
from staging_tables.db import DIALECTS, StagingDb
from staging_tables.ddl import create_all, ddl_script

TARGET_ENV = "DMS_STAGING_TARGET"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    staging = subparsers.add_parser("staging", help="staging tables shared with ERPs")
    actions = staging.add_subparsers(dest="staging_command", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init", help="create the staging tables (those not there yet), or print their DDL"
    )
    init.add_argument(
        "target",
        nargs="?",
        metavar="URL",
        help=f"SQLAlchemy URL or ODBC connection string (default: ${TARGET_ENV})",
    )
    init.add_argument(
        "--sql",
        choices=DIALECTS,
        metavar="DIALECT",
        help=f"print the DDL for one of {', '.join(DIALECTS)} instead of running it",
    )
    init.set_defaults(handler=_init)


def _init(args: argparse.Namespace) -> int:
    if args.sql:
        sys.stdout.write(ddl_script(args.sql))
        return 0
    target = args.target or os.environ.get(TARGET_ENV)
    if not target:
        print(f"give a URL or ODBC connection string, or set ${TARGET_ENV}", file=sys.stderr)
        return 2
    try:
        db = StagingDb(target)
    except DmsError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    try:
        created = create_all(db)
    except DmsError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    if created:
        print(f"created {len(created)} tables: {', '.join(created)}")
    else:
        print("the staging tables are there already")
    return 0
