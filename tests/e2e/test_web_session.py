"""The web pages' cookie session: the same token in an HttpOnly cookie, every
change proven with the CSRF token, and the pages served with their headers."""

from __future__ import annotations

import httpx

from hub.auth.principal import Role
from hub.services.users import add_user
from tests.conftest import LiveServer, unique
from tests.factories import dealer

PAGE = {"X-Requested-With": "dms-hub"}  # what the pages' api.js sends


def _dealer_user(server: LiveServer, admin: httpx.Client) -> tuple[str, str, str]:
    code = dealer(admin)
    name = unique("web")
    password = "pw-" + name
    with server.container.db.transaction() as conn:
        add_user(
            conn,
            username=name,
            password=password,
            role=Role.DEALER,
            dealer_code=code,
            regions=[],
            now=server.container.clock.now(),
        )
    return code, name, password


def test_a_session_cookie_is_httponly_and_strict_and_reads_like_the_token(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    code, name, password = _dealer_user(live_server, admin)
    with live_server.client() as browser:
        opened = browser.post(
            "/api/v1/auth/session", data={"username": name, "password": password}, headers=PAGE
        )
        assert opened.status_code == 200, opened.text
        body = opened.json()
        assert body["username"] == name
        assert body["role"] == "dealer"
        assert body["dealer_code"] == code
        assert body["csrf_token"]
        cookie = opened.headers["set-cookie"]
        assert cookie.startswith("dms_session=")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
        assert "access_token" not in body  # the token never reaches a script

        # The cookie alone authenticates a read, scoped like the token.
        mine = browser.get(f"/api/v1/dealers/{code}")
        assert mine.status_code == 200, mine.text
        again = browser.get("/api/v1/auth/session")
        assert again.status_code == 200
        assert again.json()["csrf_token"] == body["csrf_token"]


def test_a_change_by_cookie_needs_the_csrf_token(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    _, name, password = _dealer_user(live_server, admin)
    with live_server.client() as browser:
        csrf = browser.post(
            "/api/v1/auth/session", data={"username": name, "password": password}, headers=PAGE
        ).json()["csrf_token"]
        quote = {"lines": [{"sku": "NO-SUCH-SKU", "qty": 1}]}
        forged = browser.post("/api/v1/orders/quote", json=quote)
        assert forged.status_code == 403
        assert forged.json()["code"] == "csrf_failed"
        wrong = browser.post(
            "/api/v1/orders/quote", json=quote, headers={"X-CSRF-Token": "x" + csrf}
        )
        assert wrong.json()["code"] == "csrf_failed"
        # With the token the request reaches the endpoint, which judges the order.
        proven = browser.post("/api/v1/orders/quote", json=quote, headers={"X-CSRF-Token": csrf})
        assert proven.status_code == 422, proven.text
        assert proven.json()["code"] == "validation_failed"

        closed = browser.delete("/api/v1/auth/session", headers={"X-CSRF-Token": csrf})
        assert closed.status_code == 204
        assert browser.get("/api/v1/auth/session").status_code == 401


def test_a_bearer_token_needs_no_csrf_token(live_server: LiveServer) -> None:
    # API clients are not browsers: no ambient credential, nothing to forge.
    token = live_server.token_for(Role.ADMIN)
    with live_server.client(token) as client:
        assert client.get("/api/v1/auth/session").json()["csrf_token"] is None
        assert (
            client.put(f"/api/v1/regions/{unique('r')}/areas", json={"areas": []}).status_code
            != 403
        )


def test_a_wrong_password_opens_no_session(live_server: LiveServer, admin: httpx.Client) -> None:
    _, name, _ = _dealer_user(live_server, admin)
    with live_server.client() as browser:
        refused = browser.post(
            "/api/v1/auth/session", data={"username": name, "password": "nope"}, headers=PAGE
        )
        assert refused.status_code == 401
        assert "set-cookie" not in refused.headers


def test_the_pages_are_served_with_their_security_headers(live_server: LiveServer) -> None:
    with live_server.client() as browser:
        for path in ("/", "/console/", "/web/shared/api.js"):
            page = browser.get(path)
            assert page.status_code == 200, path
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert page.headers["x-content-type-options"] == "nosniff"
        assert browser.get("/console", follow_redirects=False).headers["location"] == "/console/"
        assert "javascript" in browser.get("/web/portal/app.js").headers["content-type"]
        assert browser.get("/web/../hub/settings.py").status_code == 404


def test_a_cross_site_form_cannot_open_a_session(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    # A form on another site can post a user name and password (login CSRF:
    # the visitor would act in the attacker's account), but not add a header.
    _, name, password = _dealer_user(live_server, admin)
    with live_server.client() as browser:
        forged = browser.post(
            "/api/v1/auth/session",
            data={"username": name, "password": password},
            headers={
                "Origin": "https://evil.example",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert forged.status_code == 403
        assert forged.json()["code"] == "csrf_failed"
        assert "set-cookie" not in forged.headers
