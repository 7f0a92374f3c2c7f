"""``dms-hub user add|disable``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from dms_domain.errors import DmsError, InvalidInput
from hub.auth.principal import Role
from hub.clock import SystemClock
from hub.db.engine import Database, make_engine
from hub.services.users import add_user, disable_user
from hub.settings import load_settings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    user = subparsers.add_parser("user", help="manage users")
    sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--dealer", help="the dealer a dealer user acts for")
    add.add_argument(
        "--region", action="append", default=[], help="a manager's region (repeatable)"
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    add.set_defaults(handler=_add)
    disable = sub.add_parser("disable", help="disable a user (tokens stop working at once)")
    disable.add_argument("name")
    disable.set_defaults(handler=_disable)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InvalidInput.field("password", "the two passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = Database(make_engine(settings.database_url))
    try:
        password = _read_password(args.password_stdin)
        with db.transaction() as conn:
            add_user(
                conn,
                username=args.name,
                password=password,
                role=Role(args.role),
                dealer_code=args.dealer,
                regions=args.region,
                now=SystemClock().now(),
            )
    except DmsError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"user {args.name} added with role {args.role}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = Database(make_engine(settings.database_url))
    try:
        with db.transaction() as conn:
            disable_user(conn, args.name)
    except DmsError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"user {args.name} disabled")
    return 0
