"""The browser tests: the hub as a newcomer runs it (``dms-hub up --demo``:
SQLite, in-process worker, the ERP and WMS simulators, demo data) in a process
of its own, and Debian's Chromium driven by Playwright. Nothing is downloaded:
Playwright is pointed at /usr/bin/chromium (scripts/install-system-packages).

Screenshots go to ``test-artifacts/screenshots/`` (or ``$DMS_TEST_ARTIFACTS``)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.conftest import service_unavailable

CHROMIUM = os.environ.get("DMS_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's
# hosts, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("DMS_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)


@dataclass(frozen=True)
class DemoHub:
    url: str
    erp_url: str
    wms_url: str
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoHub]:
    """``dms-hub up --demo`` on a free port, in an empty folder of its own."""
    home = tmp_path_factory.mktemp("demo-hub")
    log = home / "hub.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DMS_")}
    env |= {"DMS_ENV": "development", "DMS_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    # The code of this checkout, not whatever checkout the virtualenv's
    # editable install points at (git worktrees share one .venv).
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH")) if p
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "up", "--demo", "--port", str(port)],
            cwd=home,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dms-hub up --demo exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"dms-hub up --demo did not answer:\n{log.read_text()}")
            time.sleep(0.2)
        printed = log.read_text()
        erp = re.search(r"demo ERP simulator on (\S+)", printed)
        wms = re.search(r"demo WMS simulator on (\S+)", printed)
        assert erp, printed
        assert wms, printed
        yield DemoHub(url, erp.group(1), wms.group(1), log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# Session-wide: while Playwright's sync API runs, the main thread has an event
# loop, so a test calling asyncio.run() cannot run after a web test in the same
# session. The web tests come last in the suite (tests/web sorts after the rest).
@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        service_unavailable("Chromium", FileNotFoundError(f"{CHROMIUM} is not installed"))
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _page(browser: Browser, viewport: ViewportSize, lang: str) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-GB")
    page = context.new_page()
    errors: list[str] = []

    def on_error(exc: Error) -> None:
        errors.append(str(exc))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("pageerror", on_error)
    page.on("console", on_console)
    yield page
    context.close()
    # A script error or a CSP violation is a failure even if the test passed.
    assert not [e for e in errors if "Failed to load resource" not in e], errors


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop page in English (new context: no cookies, no storage)."""
    yield from _page(browser, DESKTOP, "en")


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page in Chinese."""
    yield from _page(browser, PHONE, "zh")


def screenshot(page: Page, name: str) -> Path:
    """Keep a screenshot of the page as a test artifact."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, hub: DemoHub, username: str, password: str, path: str = "/") -> None:
    page.goto(hub.url + path)
    page.get_by_label(re.compile("User name|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(password)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.locator("#logout").wait_for(state="visible")


DEALER = ("dealer-d001", "dealer-demo-1")
ADMIN = ("admin", "admin-demo-1")


class HubApi:
    """A logged-in API client of the demo hub, as one of the demo users."""

    def __init__(self, hub: DemoHub, username: str, password: str) -> None:
        self.client = httpx.Client(base_url=hub.url, timeout=10)
        answer = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        answer.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def get(self, path: str) -> Any:
        answer = self.client.get(path)
        answer.raise_for_status()
        return answer.json()

    def order_numbers(self, dealer_code: str) -> set[str]:
        numbers: set[str] = set()
        cursor = None
        while True:
            params = {"dealer_code": dealer_code, "limit": "500"}
            if cursor:
                params["cursor"] = cursor
            page = self.client.get("/api/v1/orders", params=params).json()
            numbers |= {item["order_no"] for item in page["items"]}
            cursor = page["next_cursor"]
            if not cursor:
                return numbers

    def place_order(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        answer = self.client.post(
            "/api/v1/orders",
            json={"lines": lines},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def admin_api(demo_hub: DemoHub) -> Iterator[HubApi]:
    """The demo hub's API as admin: what the hub says, to check the page against."""
    api = HubApi(demo_hub, *ADMIN)
    yield api
    api.close()


@pytest.fixture
def dealer_api(demo_hub: DemoHub) -> Iterator[HubApi]:
    """The demo hub's API as dealer-d001."""
    api = HubApi(demo_hub, *DEALER)
    yield api
    api.close()
