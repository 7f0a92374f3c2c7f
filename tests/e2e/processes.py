"""Fixtures of the tests that run the hub as real processes: a log folder, a
PostgreSQL database of the module's own (the workers relay every pending
outbox row, and other modules leave theirs pending) and a private
redis-server on a free port (other tests share the machine's Redis, and some
of these kill and restart theirs). Import the fixtures into a test module to
use them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.sync.processes import PrivateRedis
from tests.conftest import fresh_pg_database, service_unavailable


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("procs")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A database of this module's own: the workers relay every pending outbox
    row, and other modules leave theirs pending."""
    with fresh_pg_database("dmshub_procs") as url:
        yield url


@pytest.fixture(scope="module")
def broker(logs: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        service_unavailable("redis-server", FileNotFoundError("redis-server is not installed"))
    server = PrivateRedis(logs)
    try:
        server.start()
    except (OSError, TimeoutError) as exc:
        server.stop()
        service_unavailable("a private redis-server", exc)
    yield server
    server.stop()
