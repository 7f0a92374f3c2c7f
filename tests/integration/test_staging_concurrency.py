"""Several readers in threads over thousands of staging rows, on every driver:
no row is claimed twice and none is lost. (Processes, killed and late readers:
test_staging_processes.py.)"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from staging_tables.claims import StagingQueue
from staging_tables.db import StagingDb
from tests.integration.staging_support import (
    STOCK_COLUMNS,
    execute,
    insert_stock,
    scratch,
    staging,
)

__all__ = ["scratch", "staging"]  # fixtures used by name


@pytest.fixture(autouse=True)
def empty_stock(staging: StagingDb) -> None:
    execute(staging, "DELETE FROM dms_in_stock")


def all_ids(db: StagingDb) -> set[int]:
    return {int(row[0]) for row in execute(db, "SELECT id FROM dms_in_stock")}


def status_counts(db: StagingDb) -> dict[int, int]:
    rows = execute(db, "SELECT status, COUNT(*) FROM dms_in_stock GROUP BY status")
    return {int(status): int(count) for status, count in rows}


def test_threads_claim_every_row_exactly_once(staging: StagingDb) -> None:
    insert_stock(staging, 3000)
    expected = all_ids(staging)
    taken: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def reader() -> None:
        queue = StagingQueue(staging, "dms_in_stock", STOCK_COLUMNS)
        try:
            while True:
                batch = queue.claim(50)
                if not batch.rows:
                    return
                assert queue.finish(batch.batch_id) == len(batch.rows)
                with lock:
                    taken.extend(batch.ids)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [n for n in Counter(taken).values() if n > 1] == []
    assert set(taken) == expected
    assert status_counts(staging) == {2: 3000}
