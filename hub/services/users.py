"""Users: creation, disabling, login with throttling, and who a token belongs to."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from dms_domain.errors import FieldError, InvalidInput, NotFound, Refused
from hub.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from hub.auth.principal import Principal, Role, scope_errors
from hub.db.schema import login_failures, users
from hub.pagination import Page, keyset_page
from hub.services.lookups import dealer_exists


class LoginThrottled(Refused):
    def __init__(self, username: str, retry_after: int) -> None:
        super().__init__(
            f"too many failed logins for {username!r}; try again in {retry_after} s",
            code="too_many_failed_logins",
            status=429,
            retry_after=retry_after,
        )


def add_user(
    conn: Connection,
    *,
    username: str,
    password: str,
    role: Role,
    dealer_code: str | None,
    regions: list[str],
    now: datetime,
) -> None:
    errors = scope_errors(role, dealer_code, regions)
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(FieldError("password", f"needs at least {MIN_PASSWORD_LENGTH} characters"))
    if dealer_code and not dealer_exists(conn, dealer_code):
        errors.append(FieldError("dealer_code", f"no dealer {dealer_code!r}"))
    if errors:
        raise InvalidInput(f"user {username!r} not created: {errors[0].message}", errors)
    try:
        with conn.begin_nested():
            conn.execute(
                insert(users).values(
                    username=username,
                    password_hash=hash_password(password),
                    role=role.value,
                    dealer_code=dealer_code,
                    regions=sorted(set(regions)),
                    disabled=False,
                    created_at=now,
                )
            )
    except IntegrityError as exc:
        raise Refused(f"user {username!r} exists already", code="user_exists") from exc


def disable_user(conn: Connection, username: str) -> None:
    result = conn.execute(update(users).where(users.c.username == username).values(disabled=True))
    if result.rowcount == 0:
        raise NotFound(f"no user {username!r}")


def principal_of(row: Any, via: str) -> Principal:
    return Principal(
        name=row.username if via == "token" else row.name,
        role=Role(row.role),
        dealer_code=row.dealer_code,
        regions=frozenset(row.regions or ()),
        via=via,
    )


def load_active_user(conn: Connection, username: str) -> Principal | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None or row.disabled:
        return None
    return principal_of(row, "token")


def authenticate(
    conn: Connection,
    *,
    username: str,
    password: str,
    now: datetime,
    max_failures: int,
    window_seconds: int,
) -> Principal | None:
    """Check a password: the principal, or None for a wrong username or password.

    Failures are counted per username in the database (so every API replica
    sees them) and the caller must commit them; past the limit the login is
    refused (429) whatever the password.
    """
    since = now - timedelta(seconds=window_seconds)
    failures, oldest = conn.execute(
        select(func.count(), func.min(login_failures.c.at)).where(
            login_failures.c.username == username, login_failures.c.at > since
        )
    ).one()
    if failures >= max_failures:
        retry_after = int((oldest + timedelta(seconds=window_seconds) - now).total_seconds()) + 1
        raise LoginThrottled(username, max(retry_after, 1))
    row = conn.execute(select(users).where(users.c.username == username)).first()
    ok = verify_password(row.password_hash if row else None, password)
    if not ok or row is None or row.disabled:
        conn.execute(insert(login_failures).values(username=username, at=now))
        return None
    conn.execute(delete(login_failures).where(login_failures.c.username == username))
    return principal_of(row, "token")


def list_users(conn: Connection, *, cursor: str | None, limit: int) -> Page[dict[str, Any]]:
    query = select(
        users.c.username,
        users.c.role,
        users.c.dealer_code,
        users.c.regions,
        users.c.disabled,
        users.c.created_at,
    )
    return keyset_page(conn, query, (users.c.username,), cursor, limit)
