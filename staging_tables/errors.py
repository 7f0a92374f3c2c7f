"""Driver errors (psycopg, PyMySQL, pyodbc, SQLAlchemy) in dms-hub's error tree.

refused credentials, unknown database         -> PermanentError, code "credentials_refused"
a missing table or column (schema not there)   -> ConfigurationError
a duplicate business key                      -> DuplicateKey (the caller decides)
anything else (lost connection, timeout, ...)  -> TransientError
"""

from __future__ import annotations

import re
from typing import Any

from dms_domain.errors import ConfigurationError, DmsError, PermanentError, TransientError

_CREDENTIALS = re.compile(
    r"password authentication failed|role .* does not exist|access denied|login failed"
    r"|authentication failed|unknown database|database .* does not exist",
    re.IGNORECASE,
)
_SCHEMA = re.compile(
    r"relation .* does not exist|undefined(_|\s)(table|column)|doesn't exist|unknown column"
    r"|invalid object name|invalid column name|column .* does not exist",
    re.IGNORECASE,
)
_DUPLICATE = re.compile(
    r"duplicate key|duplicate entry|unique constraint|violation of unique|unique violation",
    re.IGNORECASE,
)


class DuplicateKey(PermanentError):
    """A row with this business key is there already."""

    code = "duplicate_key"


def _text(exc: BaseException) -> str:
    return " ".join(str(arg) for arg in exc.args) if exc.args else str(exc)


def _sqlstate(exc: BaseException) -> str | None:
    state = getattr(exc, "sqlstate", None)
    if isinstance(state, str):
        return state
    if exc.args and isinstance(exc.args[0], str) and re.fullmatch(r"[0-9A-Z]{5}", exc.args[0]):
        return exc.args[0]  # pyodbc: (SQLSTATE, message)
    return None


def is_deadlock(exc: BaseException) -> bool:
    """The database chose this transaction as a deadlock victim: running it again works."""
    original: Any = getattr(exc, "orig", None) or exc
    if _sqlstate(original) in ("40001", "40P01"):
        return True
    args: tuple[Any, ...] = tuple(getattr(original, "args", ()))
    return (len(args) > 0 and args[0] == 1213) or "deadlock" in _text(original).lower()


def translate(exc: BaseException, where: str) -> DmsError:
    """Our error for a driver's ``exc`` (raise it ``from exc``)."""
    if isinstance(exc, DmsError):
        return exc
    original: Any = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's
    text = _text(original)
    state = _sqlstate(original) or ""
    short = f"{where}: {type(original).__name__}: {text[:300]}"
    if state.startswith("28") or _CREDENTIALS.search(text):
        return PermanentError(short, code="credentials_refused")
    if state == "23505" or (state.startswith("23") and _DUPLICATE.search(text)):
        return DuplicateKey(short)
    if _DUPLICATE.search(text) and "integrity" in type(original).__name__.lower():
        return DuplicateKey(short)
    if state in ("42P01", "42703", "42S02", "42S22") or _SCHEMA.search(text):
        return ConfigurationError(f"{short} (are the staging tables created? dms-hub staging init)")
    return TransientError(short)
