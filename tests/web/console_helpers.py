"""What the console's browser tests share: API calls as a demo user, and
waiting on the hub (which works in the background) without sleeping blind."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from tests.web.conftest import DemoHub

T = TypeVar("T")

PASSWORDS = {
    "admin": "admin-demo-1",
    "integrator": "integrator-demo-1",
    "manager-east": "manager-demo-1",
    "dealer-d001": "dealer-demo-1",
    "dealer-d002": "dealer-demo-2",
}


def api_as(hub: DemoHub, username: str) -> httpx.Client:
    """A client of the hub's API with a bearer token of that demo user."""
    answer = httpx.post(
        f"{hub.url}/api/v1/auth/token",
        data={"username": username, "password": PASSWORDS[username]},
        timeout=10,
    )
    answer.raise_for_status()
    token = answer.json()["access_token"]
    return httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def eventually(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    """The first truthy answer of ``probe``, polled until ``timeout`` (the ERP
    and the in-process worker take seconds); fails naming what never came."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.25)


def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def place_order(hub: DemoHub, dealer: str) -> str:
    """A one-line order placed through the API as that dealer user; its number."""
    with api_as(hub, dealer) as client:
        placed = client.post(
            "/api/v1/orders",
            json={"lines": [{"sku": "P-1001", "qty": 1}]},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    return str(json_of(placed, 201)["order_no"])
