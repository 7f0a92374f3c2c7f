"""Readers in separate processes over thousands of staging rows, through ODBC:
no row is claimed twice and none is lost; a reader killed mid-batch has its rows
taken again after the lease, and a reader that comes back late cannot finish
rows another reader took over. (Threads: test_staging_concurrency.py.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from staging_tables.claims import ClaimPolicy, StagingQueue
from staging_tables.db import StagingDb
from staging_tables.scratch import Scratch
from tests.integration.staging_support import (
    STOCK_COLUMNS,
    execute,
    insert_stock,
    odbc_scratch,
    odbc_staging,
)

__all__ = ["odbc_scratch", "odbc_staging"]  # fixtures used by name
ROOT = Path(__file__).resolve().parents[2]
READER = [sys.executable, "-m", "tests.integration.staging_reader"]


@pytest.fixture(autouse=True)
def empty_stock(odbc_staging: StagingDb) -> None:
    execute(odbc_staging, "DELETE FROM dms_in_stock")


def all_ids(db: StagingDb) -> set[int]:
    return {int(row[0]) for row in execute(db, "SELECT id FROM dms_in_stock")}


def status_counts(db: StagingDb) -> dict[int, int]:
    rows = execute(db, "SELECT status, COUNT(*) FROM dms_in_stock GROUP BY status")
    return {int(status): int(count) for status, count in rows}


def test_processes_claim_every_row_exactly_once(
    odbc_scratch: Scratch, odbc_staging: StagingDb
) -> None:
    insert_stock(odbc_staging, 2000)
    expected = all_ids(odbc_staging)

    readers = [
        subprocess.Popen(
            [*READER, "drain", odbc_scratch.target, "200"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [reader.communicate(timeout=60)[0] for reader in readers]
    finally:
        for reader in readers:
            reader.kill()
            reader.communicate(timeout=10)

    assert [reader.returncode for reader in readers] == [0, 0]
    per_reader = [json.loads(output) for output in outputs]
    taken = [row_id for ids in per_reader for row_id in ids]
    assert [n for n in Counter(taken).values() if n > 1] == []
    assert set(taken) == expected
    assert status_counts(odbc_staging) == {2: 2000}


def test_a_killed_reader_loses_its_rows_only_until_the_lease_and_a_late_one_is_refused(
    odbc_scratch: Scratch, odbc_staging: StagingDb
) -> None:
    insert_stock(odbc_staging, 1000)
    lease = 2.0
    # Both start at once: the lease runs from their claims, not from the second's start.
    killed, late = (
        subprocess.Popen(
            [*READER, "hold", odbc_scratch.target, "200", str(lease)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    )
    try:
        _killed_then_late(odbc_staging, killed, late, lease)
    finally:
        for process in (killed, late):
            process.kill()
            process.communicate(timeout=10)


def _killed_then_late(
    staging: StagingDb, killed: subprocess.Popen[str], late: subprocess.Popen[str], lease: float
) -> None:
    assert killed.stdout is not None
    assert late.stdout is not None
    assert late.stdin is not None
    killed_batch = json.loads(killed.stdout.readline())
    late_batch = json.loads(late.stdout.readline())
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=10)
    held = set(killed_batch["ids"]) | set(late_batch["ids"])
    queue = StagingQueue(staging, "dms_in_stock", STOCK_COLUMNS, ClaimPolicy(lease_seconds=lease))

    before_lease = queue.claim(1000)
    assert queue.finish(before_lease.batch_id) == 600
    assert held.isdisjoint(before_lease.ids)
    time.sleep(lease + 0.3)
    retaken = queue.claim(1000)
    late.stdin.write("finish\n")
    late.stdin.flush()
    late_answer = json.loads(late.stdout.readline())

    assert set(retaken.ids) == held
    assert {row[1] for row in retaken.rows} == {2}  # attempts: the second claim
    assert late_answer == {"finished": 0}
    assert queue.finish(retaken.batch_id) == 400
    assert status_counts(staging) == {2: 1000}
