"""The few SQL phrases that differ between PostgreSQL, MySQL / MariaDB and SQL
Server. Numbers we choose (limits, lease lengths) are written into the text;
values that come from rows are always parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sql:
    dialect: str  # postgresql | mysql | mssql

    @property
    def now(self) -> str:
        """The database's clock in UTC, without zone (the contract's time)."""
        return {
            "postgresql": "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')",
            "mysql": "UTC_TIMESTAMP(6)",
            "mssql": "SYSUTCDATETIME()",
        }[self.dialect]

    def seconds_ago(self, seconds: float) -> str:
        micros = round(seconds * 1_000_000)
        if self.dialect == "postgresql":
            return f"({self.now} - make_interval(secs => {micros / 1_000_000:.6f}))"
        if self.dialect == "mysql":
            return f"({self.now} - INTERVAL {micros} MICROSECOND)"
        return f"DATEADD(millisecond, {-round(micros / 1000)}, {self.now})"

    def select_claimable(
        self, table: str, columns: Sequence[str], limit: int, lease_seconds: float | None
    ) -> str:
        """Up to ``limit`` rows with status 0 (``lease_seconds`` None), or with
        status 1 claimed longer ago than the lease, oldest first, locking them and
        skipping rows another reader holds.

        One status per statement, on purpose: ``status = ?`` walks the status
        index in id order and stops at the limit, where ``status IN (0, 1)``
        makes MySQL / MariaDB sort every candidate first, locking them all."""
        cols = ", ".join(columns)
        if lease_seconds is None:
            where = "status = 0"
        else:
            where = f"status = 1 AND claimed_at < {self.seconds_ago(lease_seconds)}"
        if self.dialect == "mssql":
            return (
                f"SELECT TOP ({int(limit)}) {cols} FROM {table} "
                f"WITH (UPDLOCK, ROWLOCK, READPAST) WHERE {where} ORDER BY id"
            )
        return (
            f"SELECT {cols} FROM {table} WHERE {where} "
            f"ORDER BY id LIMIT {int(limit)} FOR UPDATE SKIP LOCKED"
        )

    def select_first(self, table: str, columns: Sequence[str], where: str, limit: int) -> str:
        cols = ", ".join(columns)
        if self.dialect == "mssql":
            return f"SELECT TOP ({int(limit)}) {cols} FROM {table} WHERE {where} ORDER BY id"
        return f"SELECT {cols} FROM {table} WHERE {where} ORDER BY id LIMIT {int(limit)}"


def marks(n: int) -> str:
    """``?, ?, ?`` for an IN list of n values."""
    return ", ".join("?" * n)
