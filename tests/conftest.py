"""Fixtures against real services: PostgreSQL, SQLite, a live HTTP server.

A service that does not answer skips its tests on a laptop and FAILS them when
``CI`` is set, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import psycopg
import pytest
import redis
import uvicorn

from hub.api.app import create_app
from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.bootstrap import Container, bootstrap
from hub.db.migrate import upgrade
from hub.services.users import add_user
from hub.settings import Settings

PG_ADMIN_DSN = os.environ.get("DMS_TEST_PG_DSN", "postgresql://root@127.0.0.1:5432/postgres")
TEST_SECRET = "test-secret-key-" + "x" * 32
BACKENDS = ("sqlite", "postgresql")


def unique(prefix: str = "T") -> str:
    """A code no other test (or earlier run) uses, so a shared database never collides."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def service_unavailable(what: str, exc: BaseException) -> None:
    message = f"{what} is not reachable: {exc}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: a missing service is a failure, not a skip)")
    pytest.skip(message)


@contextmanager
def fresh_pg_database(prefix: str) -> Iterator[str]:
    """A new PostgreSQL database (its SQLAlchemy URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        service_unavailable("PostgreSQL", exc)
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{url}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with fresh_pg_database("dmshub_test") as url:
        yield url


REDIS_URL = os.environ.get("DMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis; skipped on a laptop without one, a failure in CI."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable("Redis", exc)
    finally:
        client.close()
    return REDIS_URL


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "env": "development",
        "broker_url": None,
        # Tests disable users and revoke keys and expect it at once.
        "auth_cache_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'hub.db'}"
    return str(request.getfixturevalue("pg_database_url"))


@pytest.fixture(scope="session")
def container(database_url: str) -> Iterator[Container]:
    container = bootstrap(make_settings(database_url))
    upgrade(container.db)
    yield container
    container.close()


@dataclass
class LiveServer:
    url: str
    container: Container

    def client(self, token: str | None = None, api_key: str | None = None) -> httpx.Client:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-Key"] = api_key
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def token_for(
        self,
        role: Role,
        *,
        dealer_code: str | None = None,
        regions: list[str] | None = None,
    ) -> str:
        """A user of that role and scope, and a token issued to it (no slow login)."""
        username = unique(role.value)
        with self.container.db.transaction() as conn:
            add_user(
                conn,
                username=username,
                password="password-" + username,
                role=role,
                dealer_code=dealer_code,
                regions=regions or [],
                now=self.container.clock.now(),
            )
        return issue_token(
            username,
            key=self.container.settings.signing_key(),
            ttl_seconds=600,
            now=self.container.clock.now(),
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(container: Container) -> Iterator[LiveServer]:
    """The real app of ``container`` served by uvicorn on a real socket, in a
    background thread, until the block ends."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(container), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        yield LiveServer(f"http://127.0.0.1:{port}", container)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(container: Container) -> Iterator[LiveServer]:
    with serving(container) as server:
        yield server


@pytest.fixture(scope="session")
def admin_token(live_server: LiveServer) -> str:
    return live_server.token_for(Role.ADMIN)


@pytest.fixture
def admin(live_server: LiveServer, admin_token: str) -> Iterator[httpx.Client]:
    with live_server.client(admin_token) as client:
        yield client
