"""The claim protocol of staging-contract.md, for whichever side reads a table.

    claim(n)    ONE transaction: up to n rows with status 0, or status 1 whose
                claimed_at is older than the lease, locked with SKIP LOCKED
                (READPAST on SQL Server), oldest first; each gets status 1, a
                fresh batch_id, claimed_at = the database's clock, attempts + 1.
                A row whose lease ran out ``max_attempts`` times goes to status 3
                with its last error instead: it never blocks the rows behind it.
    finish(...) UPDATE ... WHERE id = ? AND batch_id = ? AND status = 1: status 2
                (done), 3 (failed, ``error_msg``) or back to 0 (``release``: try
                again, 3 once the attempts are used up). A reader whose lease ran
                out finishes nothing: the reader that took over owns the rows.

Times come from the database's clock, never the reader's, so readers on
machines with skewed clocks agree on leases.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from staging_tables.db import StagingDb
from staging_tables.errors import translate
from staging_tables.sql import Sql, marks

CHUNK = 500  # values per IN list: well under every driver's parameter limit
ERROR_LENGTH = 1000  # error_msg is NVARCHAR(1000)


@dataclass(frozen=True)
class ClaimPolicy:
    lease_seconds: float = 300.0
    max_attempts: int = 5


@dataclass
class Batch:
    """Rows claimed together: ``rows`` are (id, attempts, *columns) tuples."""

    batch_id: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    gave_up: list[int] = field(default_factory=list)  # ids sent to status 3 by this claim

    @property
    def ids(self) -> list[int]:
        return [int(row[0]) for row in self.rows]


def clip(message: str) -> str:
    return message if len(message) <= ERROR_LENGTH else message[: ERROR_LENGTH - 3] + "..."


def chunks(values: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


class StagingQueue:
    """One header table, read under the claim protocol."""

    def __init__(
        self,
        db: StagingDb,
        table: str,
        columns: Sequence[str],
        policy: ClaimPolicy | None = None,
    ) -> None:
        self.db = db
        self.table = table
        self.columns = tuple(columns)
        self.policy = policy or ClaimPolicy()
        self._sql = Sql(db.dialect)
        now = self._sql.now
        self._give_up = db.sql(
            f"UPDATE {table} SET status = 3, processed_at = {now}, error_msg = ? "
            "WHERE id = ? AND status = 1"
        )
        self._fail = db.sql(
            f"UPDATE {table} SET status = 3, processed_at = {now}, error_msg = ? "
            "WHERE id = ? AND batch_id = ? AND status = 1"
        )
        self._release = db.sql(
            f"UPDATE {table} SET status = CASE WHEN attempts >= {int(self.policy.max_attempts)} "
            f"THEN 3 ELSE 0 END, processed_at = CASE WHEN attempts >= "
            f"{int(self.policy.max_attempts)} THEN {now} ELSE NULL END, error_msg = ? "
            "WHERE id = ? AND batch_id = ? AND status = 1"
        )
        # Undoes a claim whose rows were never handed to anyone (a read-ahead
        # the reader did not use): as if never claimed, attempts included.
        self._unclaim = db.sql(
            f"UPDATE {table} SET status = 0, batch_id = NULL, claimed_at = NULL, "
            "attempts = attempts - 1 WHERE batch_id = ? AND status = 1"
        )
        self._done_all = db.sql(
            f"UPDATE {table} SET status = 2, processed_at = {now}, error_msg = NULL "
            "WHERE batch_id = ? AND status = 1"
        )
        self._now = now

    def _claim_sql(self, limit: int, lease_seconds: float | None) -> str:
        return self.db.sql(
            self._sql.select_claimable(
                self.table,
                ("id", "status", "attempts", "error_msg", *self.columns),
                limit,
                lease_seconds,
            )
        )

    # -- claiming ----------------------------------------------------------------------

    def claim(self, limit: int, *, finishing: str | None = None) -> Batch:
        """Up to ``limit`` rows; ``finishing`` names a batch of this reader to finish
        (status 2) in the same transaction, which spares a commit per batch."""
        batch_id = str(uuid.uuid4())

        def work(cur: Any) -> Batch:
            if finishing and self.db.dialect != "postgresql":
                cur.execute(self._done_all, (finishing,))
                return self._claim(cur, batch_id, limit, None)
            return self._claim(cur, batch_id, limit, finishing)

        try:
            return self.db.run(work)  # type: ignore[no-any-return]
        except Exception as exc:
            raise translate(exc, f"claiming {self.table}") from exc

    def _claim(self, cur: Any, batch_id: str, limit: int, finishing: str | None) -> Batch:
        """``finishing`` (PostgreSQL only): a batch to finish in the statement
        that claims the new rows."""
        # Rows whose reader's lease ran out first (they waited longest), then new ones.
        cur.execute(self._claim_sql(limit, self.policy.lease_seconds))
        found = list(cur.fetchall())
        fresh: list[tuple[Any, ...]] = []
        if len(found) >= limit and finishing:
            cur.execute(self._done_all, (finishing,))
        elif len(found) < limit:
            if self.db.dialect == "postgresql":
                # One round trip: finish the batch before, lock, skip and mark
                # the new rows, in one statement.
                params = (batch_id,) if finishing is None else (finishing, batch_id)
                cur.execute(self._claim_new_pg(limit - len(found), finishing is not None), params)
                fresh = sorted((tuple(row) for row in cur.fetchall()), key=lambda row: row[0])
            else:
                cur.execute(self._claim_sql(limit - len(found), None))
                found.extend(cur.fetchall())
        taken: list[tuple[Any, ...]] = []
        gave_up: list[tuple[str, int]] = []
        for row in found:
            row_id, status, attempts, error = int(row[0]), row[1], int(row[2]), row[3]
            if status == 1 and attempts >= self.policy.max_attempts:
                last = error or "its lease ran out each time"
                gave_up.append(
                    (clip(f"gave up after {attempts} attempts; last error: {last}"), row_id)
                )
                continue
            taken.append((row_id, attempts + 1, *row[4:]))
        if gave_up:
            cur.executemany(self._give_up, gave_up)
        for part in chunks([row[0] for row in taken]):
            # The ids are integers read from the table: written inline, they spare
            # the driver binding a thousand parameters.
            cur.execute(
                self.db.sql(
                    f"UPDATE {self.table} SET status = 1, batch_id = ?, claimed_at = {self._now}, "
                    f"attempts = attempts + 1 WHERE id IN ({', '.join(str(int(i)) for i in part)})"
                ),
                (batch_id,),
            )
        taken.extend((row[0], row[1], *row[2:]) for row in fresh)
        return Batch(batch_id, self.columns, taken, [row_id for _, row_id in gave_up])

    def _claim_new_pg(self, limit: int, finishing: bool) -> str:
        cols = ", ".join(self.columns)
        # The finished batch's rows have status 1, the claimed ones 0: the two
        # updates never meet a row twice.
        done = (
            f"done AS (UPDATE {self.table} SET status = 2, processed_at = {self._now}, "
            "error_msg = NULL WHERE batch_id = ? AND status = 1), "
            if finishing
            else ""
        )
        # Inside WITH ... SELECT: psqlODBC gives no rows for a bare UPDATE ... RETURNING.
        return self.db.sql(
            f"WITH {done}claimed AS (UPDATE {self.table} SET status = 1, batch_id = ?, "
            f"claimed_at = {self._now}, attempts = attempts + 1 WHERE id IN (SELECT id FROM "
            f"{self.table} WHERE status = 0 ORDER BY id LIMIT {int(limit)} FOR UPDATE SKIP LOCKED) "
            f"RETURNING id, attempts, {cols}) SELECT * FROM claimed"
        )

    # -- finishing ------------------------------------------------------------------

    def finish(
        self,
        batch_id: str,
        failed: Mapping[int, str] | None = None,
        retry: Mapping[int, str] | None = None,
    ) -> int:
        """Rows of the batch in ``failed`` go to 3 with their error, rows in
        ``retry`` back to 0 (3 when out of attempts), the rest to 2. The number
        of rows this call finished: 0 if another reader owns the batch now."""

        def work(cur: Any) -> int:
            finished = 0
            for params, statement in (
                ([(clip(e), i, batch_id) for i, e in (failed or {}).items()], self._fail),
                ([(clip(e), i, batch_id) for i, e in (retry or {}).items()], self._release),
            ):
                for one in params:
                    cur.execute(statement, one)
                    finished += max(int(cur.rowcount), 0)
            cur.execute(self._done_all, (batch_id,))
            return finished + max(int(cur.rowcount), 0)

        try:
            return self.db.run(work)  # type: ignore[no-any-return]
        except Exception as exc:
            raise translate(exc, f"finishing a batch of {self.table}") from exc

    def unclaim(self, batch_id: str) -> int:
        """Give back a batch nobody read: its rows are new again, their attempt
        not counted. How many were still ours."""

        def work(cur: Any) -> int:
            cur.execute(self._unclaim, (batch_id,))
            return max(int(cur.rowcount), 0)

        try:
            return self.db.run(work)  # type: ignore[no-any-return]
        except Exception as exc:
            raise translate(exc, f"giving back a batch of {self.table}") from exc

    def fail(self, batch_id: str, failed: Mapping[int, str]) -> int:
        """These rows of the batch to status 3 at once (rows no retry can fix),
        leaving the rest claimed; how many were still ours."""

        def work(cur: Any) -> int:
            count = 0
            for row_id, error in failed.items():
                cur.execute(self._fail, (clip(error), row_id, batch_id))
                count += max(int(cur.rowcount), 0)
            return count

        if not failed:
            return 0
        try:
            return self.db.run(work)  # type: ignore[no-any-return]
        except Exception as exc:
            raise translate(exc, f"failing rows of {self.table}") from exc


class WriteBacks:
    """The other direction of a hub -> ERP table: rows the ERP finished (status 2
    or 3) that the hub has not applied yet (``hub_seen_at`` null)."""

    def __init__(self, db: StagingDb, table: str, columns: Sequence[str]) -> None:
        self.db = db
        self.table = table
        self.columns = ("id", *columns)
        self._sql = Sql(db.dialect)

    def pending(self, cur: Any, limit: int) -> list[tuple[Any, ...]]:
        cur.execute(
            self.db.sql(
                self._sql.select_first(
                    self.table,
                    self.columns,
                    "status IN (2, 3) AND hub_seen_at IS NULL",
                    limit,
                )
            )
        )
        return list(cur.fetchall())

    def mark_seen(self, cur: Any, ids: Sequence[int]) -> None:
        for part in chunks(list(ids)):
            cur.execute(
                self.db.sql(
                    f"UPDATE {self.table} SET hub_seen_at = {self._sql.now} "
                    f"WHERE id IN ({marks(len(part))}) AND hub_seen_at IS NULL"
                ),
                tuple(part),
            )
