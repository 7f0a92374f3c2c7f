"""Serving the simulator on a real socket: in a background thread for tests
(``running_simulator``), or in the foreground (``python -m simulators.generic_erp``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from simulators.generic_erp.app import create_app
from simulators.generic_erp.control import SimulatorControl
from simulators.generic_erp.faults import FaultPlan
from simulators.generic_erp.middleware import Timing
from simulators.generic_erp.remote import RemoteControl
from simulators.generic_erp.state import GenericErp
from simulators.serving import serving

DEFAULT_API_KEY = "generic-erp-simulator-key"


@dataclass(frozen=True)
class RunningSimulator:
    url: str
    api_key: str
    control: SimulatorControl  # in this process; ``remote_control()`` goes through HTTP

    def remote_control(self, timeout: float = 5.0) -> RemoteControl:
        return RemoteControl(self.url, timeout=timeout)


def build(
    *, api_key: str, auto_confirm: bool = True, timing: Timing | None = None
) -> tuple[SimulatorControl, threading.Event, FastAPI]:
    """A fresh ERP, its control, the event that cuts hangs short at shutdown, and the app."""
    control = SimulatorControl(GenericErp(auto_confirm=auto_confirm), FaultPlan())
    stopping = threading.Event()
    app = create_app(control, api_key=api_key, timing=timing, stopping=stopping)
    return control, stopping, app


@contextmanager
def running_simulator(
    *,
    api_key: str = DEFAULT_API_KEY,
    auto_confirm: bool = True,
    hang_seconds: float = 30.0,
    slow_seconds: float = 0.2,
    host: str = "127.0.0.1",
) -> Iterator[RunningSimulator]:
    """The simulator on a free port of ``host``, stopped when the block ends."""
    control, stopping, app = build(
        api_key=api_key, auto_confirm=auto_confirm, timing=Timing(hang_seconds, slow_seconds)
    )
    with serving(app, host=host, name="generic-erp", stopping=stopping) as port:
        yield RunningSimulator(f"http://{host}:{port}", api_key, control)
