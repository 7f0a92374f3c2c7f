"""Tokens, API keys, throttling and the user CLI, against a live server."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.cli import main as cli
from hub.db.schema import api_keys, users
from tests.conftest import LiveServer, unique
from tests.factories import dealer, ok


def add_user_via_cli(
    monkeypatch: pytest.MonkeyPatch, live_server: LiveServer, *args: str, password: str
) -> int:
    monkeypatch.setenv("DMS_DATABASE_URL", live_server.container.settings.database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\nignored second line\n"))
    return cli(["user", "add", *args, "--password-stdin"])


def login(server: LiveServer, username: str, password: str) -> httpx.Response:
    with server.client() as client:
        return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_cli_user_login_and_disable(
    live_server: LiveServer, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = dealer(admin)
    name = unique("u")
    assert (
        add_user_via_cli(
            monkeypatch,
            live_server,
            name,
            "--role",
            "dealer",
            "--dealer",
            code,
            password="s3cret-pass word",
        )
        == 0
    )
    with live_server.container.db.transaction() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.username == name))
        assert stored.scalar_one().startswith("$argon2id$")
    token = login(live_server, name, "s3cret-pass word")
    assert token.status_code == 200
    body = token.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == live_server.container.settings.token_ttl_seconds
    with live_server.client(body["access_token"]) as client:
        assert ok(client.get(f"/api/v1/dealers/{code}"))["code"] == code
        monkeypatch.setenv("DMS_DATABASE_URL", live_server.container.settings.database_url)
        assert cli(["user", "disable", name]) == 0
        after = client.get(f"/api/v1/dealers/{code}")
        assert after.status_code == 401
        assert after.headers["www-authenticate"] == "Bearer"


def test_cli_refuses_a_dealer_user_without_a_dealer(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        add_user_via_cli(
            monkeypatch, live_server, unique("u"), "--role", "dealer", password="long-enough-1"
        )
        == 1
    )
    assert "dealer" in capsys.readouterr().err
    assert (
        add_user_via_cli(
            monkeypatch, live_server, unique("u"), "--role", "manager", password="long-enough-1"
        )
        == 1
    )


def test_wrong_password_is_401_problem(live_server: LiveServer) -> None:
    response = login(live_server, "nobody-" + unique(), "whatever-1")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unauthorized"


def test_failed_logins_are_throttled_even_with_the_right_password(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = unique("u")
    assert (
        add_user_via_cli(
            monkeypatch, live_server, name, "--role", "admin", password="right-password"
        )
        == 0
    )
    limit = live_server.container.settings.login_max_failures
    for _ in range(limit):
        assert login(live_server, name, "wrong-password").status_code == 401
    throttled = login(live_server, name, "right-password")
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too_many_failed_logins"
    assert int(throttled.headers["retry-after"]) > 0
    # Another user is not affected.
    other = unique("u")
    add_user_via_cli(monkeypatch, live_server, other, "--role", "admin", password="right-password")
    assert login(live_server, other, "right-password").status_code == 200


def test_expired_and_forged_tokens_are_refused(live_server: LiveServer) -> None:
    token = live_server.token_for(Role.ADMIN)
    with live_server.client(token) as client:
        assert client.get("/api/v1/users").status_code == 200
    settings = live_server.container.settings
    expired = issue_token(
        "someone",
        key=settings.signing_key(),
        ttl_seconds=60,
        now=live_server.container.clock.now() - timedelta(hours=2),
    )
    forged = issue_token(
        "someone",
        key="another-key-" + "y" * 30,
        ttl_seconds=600,
        now=live_server.container.clock.now(),
    )
    for bad in (expired, forged, "not-a-jwt"):
        with live_server.client(bad) as client:
            response = client.get("/api/v1/users")
            assert response.status_code == 401
            assert response.json()["code"] == "unauthorized"
    with live_server.client() as client:
        assert client.get("/api/v1/users").status_code == 401


def test_api_key_lifecycle(live_server: LiveServer, admin: httpx.Client) -> None:
    code = dealer(admin)
    created = admin.post(
        "/api/v1/api-keys", json={"name": "dealer system", "role": "dealer", "dealer_code": code}
    )
    assert created.status_code == 201
    key = created.json()["key"]
    key_id = created.json()["id"]
    with live_server.container.db.transaction() as conn:
        stored = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).one()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(tuple(stored))
    listed = ok(admin.get("/api/v1/api-keys"))["items"]
    assert all("key" not in item for item in listed)
    with live_server.client(api_key=key) as client:
        assert ok(client.get(f"/api/v1/dealers/{code}"))["code"] == code
        assert client.get("/api/v1/users").status_code == 403
        assert admin.delete(f"/api/v1/api-keys/{key_id}").status_code == 204
        assert client.get(f"/api/v1/dealers/{code}").status_code == 401
    assert admin.delete("/api/v1/api-keys/999999999").status_code == 404


def test_api_key_scope_is_validated(admin: httpx.Client) -> None:
    response = admin.post("/api/v1/api-keys", json={"name": "x", "role": "manager"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["regions"]
    response = admin.post(
        "/api/v1/api-keys", json={"name": "x", "role": "dealer", "dealer_code": "NO-DEALER-1"}
    )
    assert [e["field"] for e in response.json()["errors"]] == ["dealer_code"]
