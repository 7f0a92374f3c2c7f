"""Serving the warehouse on a real socket: in a background thread for tests
and the demo (``running_simulator``), or in the foreground
(``python -m simulators.flux_wms``). A ticker ships orders when they are due
and the pusher sends their confirmations."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import uvicorn

from simulators.flux_wms.app import PATH, create_app
from simulators.flux_wms.control import SimulatorControl
from simulators.flux_wms.faults import FaultPlan
from simulators.flux_wms.pusher import Pusher, PushIdentity
from simulators.flux_wms.remote import RemoteControl
from simulators.flux_wms.state import Warehouse

START_SECONDS = 15.0
TICK_SECONDS = 0.1


@dataclass(frozen=True)
class WmsCredentials:
    customer_id: str = "DMSOWNER"  # the owner (货主) the hub's goods belong to
    client_db: str = "FLUXWMS"
    app_key: str = "dms-hub"
    app_token: str = "flux-token"  # noqa: S105 - a simulator's own, known to tests and the demo
    app_secret: str = "flux-simulator-secret"  # noqa: S105 - likewise


@dataclass(frozen=True)
class RunningSimulator:
    url: str  # FLUX's endpoint, the connector's base_url
    credentials: WmsCredentials
    control: SimulatorControl

    def remote_control(self, timeout: float = 5.0) -> RemoteControl:
        return RemoteControl(self.url.removesuffix(PATH), timeout=timeout)


def _now() -> datetime:
    return datetime.now(UTC)


def _ticker(control: SimulatorControl, stopping: threading.Event) -> None:
    while not stopping.wait(TICK_SECONDS):
        control.warehouse.ship_due()


@contextmanager
def running_simulator(
    *,
    credentials: WmsCredentials | None = None,
    hang_seconds: float = 30.0,
    slow_seconds: float = 0.2,
    push_url: str | None = None,
    push_attempts: int = 8,
    host: str = "127.0.0.1",
) -> Iterator[RunningSimulator]:
    """The warehouse on a free port of ``host``, stopped when the block ends."""
    creds = credentials or WmsCredentials()
    stopping = threading.Event()
    faults = FaultPlan()
    identity = PushIdentity(
        creds.customer_id, creds.client_db, creds.app_key, creds.app_token, creds.app_secret
    )
    pusher = Pusher(identity, faults, _now, stopping, attempts=push_attempts, url=push_url)
    warehouse = Warehouse(creds.customer_id, _now, on_confirmation=pusher.enqueue)
    control = SimulatorControl(warehouse, faults, pusher)
    app = create_app(
        control,
        app_key=creds.app_key,
        app_secret=creds.app_secret,
        hang_seconds=hang_seconds,
        slow_seconds=slow_seconds,
        stopping=stopping,
    )
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"flux-wms-{port}", daemon=True
    )
    ticker = threading.Thread(
        target=_ticker, args=(control, stopping), name="flux-wms-ticker", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the FLUX WMS simulator did not start")
            time.sleep(0.01)
        pusher.start()
        ticker.start()
        yield RunningSimulator(f"http://{host}:{port}{PATH}", creds, control)
    finally:
        stopping.set()
        pusher.stop()
        server.should_exit = True
        thread.join(timeout=10)
        if ticker.is_alive():
            ticker.join(timeout=2)
        sock.close()
