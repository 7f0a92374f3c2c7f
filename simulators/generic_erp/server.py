"""Serving the simulator on a real socket: in a background thread for tests
(``running_simulator``), or in the foreground (``python -m simulators.generic_erp``)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from simulators.generic_erp.app import create_app
from simulators.generic_erp.control import SimulatorControl
from simulators.generic_erp.faults import FaultPlan
from simulators.generic_erp.middleware import Timing
from simulators.generic_erp.remote import RemoteControl
from simulators.generic_erp.state import GenericErp

DEFAULT_API_KEY = "generic-erp-simulator-key"
START_SECONDS = 15.0


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
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
    )
    # Bound here, port 0: the OS picks a free port and no other process can take
    # it between choosing and listening.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"generic-erp-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the generic ERP simulator did not start")
            time.sleep(0.01)
        yield RunningSimulator(f"http://{host}:{port}", api_key, control)
    finally:
        stopping.set()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
