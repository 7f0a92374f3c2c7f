"""Fixtures of the tests that run the hub as real processes: a log folder, a
PostgreSQL database of the module's own (the workers relay every pending
outbox row, and other modules leave theirs pending) and a private
redis-server on a free port (other tests share the machine's Redis, and some
of these kill and restart theirs). Import the fixtures into a test module to
use them."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bench.sync.processes import PrivateRedis
from tests.conftest import PG_ADMIN_DSN, service_unavailable


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("procs")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A database of this module's own: the workers relay every pending outbox
    row, and other modules leave theirs pending."""
    name = f"dmshub_procs_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        service_unavailable("PostgreSQL", exc)
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
