"""Serving the warehouse on a real socket: in a background thread for tests
and the demo (``running_simulator``), or in the foreground
(``python -m simulators.flux_wms``). A ticker ships orders when they are due
and the pusher sends their confirmations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from simulators.flux_wms.app import PATH, create_app
from simulators.flux_wms.control import SimulatorControl
from simulators.flux_wms.faults import FaultPlan
from simulators.flux_wms.pusher import Pusher, PushIdentity
from simulators.flux_wms.remote import RemoteControl
from simulators.flux_wms.state import Warehouse
from simulators.serving import serving

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
    port: int = 0,
) -> Iterator[RunningSimulator]:
    """The warehouse on ``port`` of ``host`` (0: a free one), stopped when the block ends."""
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
    ticker = threading.Thread(
        target=_ticker, args=(control, stopping), name="flux-wms-ticker", daemon=True
    )
    with serving(app, host=host, name="flux-wms", stopping=stopping, port=port) as bound:
        pusher.start()
        ticker.start()
        try:
            yield RunningSimulator(f"http://{host}:{bound}{PATH}", creds, control)
        finally:
            pusher.stop()  # sets ``stopping`` too: hanging answers end at once
            ticker.join(timeout=2)
