"""Health, readiness, metrics, problem documents for framework errors, OpenAPI."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from hub.api.app import create_app
from hub.bootstrap import bootstrap
from tests.conftest import LiveServer, make_settings


def test_healthz_and_readyz(live_server: LiveServer) -> None:
    with live_server.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz").json()
    assert ready == {"status": "ready", "checks": {"database": "ok", "broker": "in-process"}}


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        return await client.get(path)


def test_readyz_reports_an_unreachable_database_and_broker() -> None:
    container = bootstrap(
        make_settings(
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            broker_url="redis://127.0.0.1:1/0",
        )
    )
    try:
        response = asyncio.run(_get(create_app(container), "/readyz"))
    finally:
        container.close()
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["checks"]["database"].startswith("failed")
    assert body["checks"]["broker"].startswith("failed")
    assert "127.0.0.1:1" not in response.text  # no URL (it may hold a password)


def test_readyz_checks_a_real_redis_broker(database_url: str, redis_url: str) -> None:
    container = bootstrap(make_settings(database_url, broker_url=redis_url))
    try:
        response = asyncio.run(_get(create_app(container), "/readyz"))
    finally:
        container.close()
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["broker"] == "ok"


def test_metrics_count_requests_by_route_template(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    for _ in range(3):
        admin.get("/api/v1/dealers/NO-SUCH-1")
    with live_server.client() as client:
        text = client.get("/metrics").text
    line = next(
        ln
        for ln in text.splitlines()
        if ln.startswith("dms_http_requests_total{")
        and 'route="/api/v1/dealers/{code}"' in ln
        and 'status="404"' in ln
    )
    assert float(line.rsplit(" ", 1)[1]) >= 3
    assert "NO-SUCH-1" not in text
    assert "dms_http_request_duration_seconds_bucket" in text


def test_framework_errors_are_problem_documents(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for response, status in (
            (client.get("/api/v1/nowhere"), 404),
            (client.post("/healthz"), 405),
            (client.get("/api/v1/dealers"), 401),
            (client.post("/api/v1/auth/token", data={}), 422),
        ):
            assert response.status_code == status
            assert response.headers["content-type"].startswith("application/problem+json")
            body = response.json()
            assert {"type", "title", "status", "detail", "code"} <= body.keys()
            assert body["status"] == status


def test_openapi_describes_the_contract(live_server: LiveServer) -> None:
    with live_server.client() as client:
        spec = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
    paths = spec["paths"]
    for path in (
        "/api/v1/dealers/{code}",
        "/api/v1/prices",
        "/api/v1/stock/{warehouse}/{sku}",
        "/api/v1/auth/token",
        "/api/v1/api-keys",
        "/api/v1/audit",
    ):
        assert path in paths
    credit = spec["components"]["schemas"]["DealerIn"]["properties"]["credit_limit"]
    assert {"type": "string"}.items() <= next(
        s for s in credit["anyOf"] if s.get("type") == "string"
    ).items()


def test_metrics_carry_database_gauges(live_server: LiveServer, admin: httpx.Client) -> None:
    from tests.factories import ok, order_body, shop  # noqa: PLC0415

    s = shop(admin, products=[("1.0000", 5)])
    before = _gauge(live_server, 'dms_orders{status="submitted"}')
    ok(
        admin.post(
            "/api/v1/orders",
            json=order_body((s.skus[0], 1), dealer_code=s.dealer),
            headers={"Idempotency-Key": s.dealer},
        )
    )
    assert _gauge(live_server, 'dms_orders{status="submitted"}') == before + 1
    assert _gauge(live_server, 'dms_outbox_backlog{status="pending",topic="order.placed"}') >= 1
    assert _gauge(live_server, "dms_dead_letters_open") >= 0


def _gauge(live_server: LiveServer, series: str) -> float:
    with live_server.client() as client:
        text = client.get("/metrics").text
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
