"""Serving the SAP simulator on a real socket, in a background thread for tests
(``running_simulator``) or in the foreground (``python -m simulators.sap``)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from simulators.sap import wsdl
from simulators.sap.app import create_app
from simulators.sap.control import SapControl
from simulators.sap.edge import Edge, Timing
from simulators.sap.faults import FaultPlan
from simulators.sap.odata import ODataService
from simulators.sap.state import SapSystem

DEFAULT_USER = "HUB_RFC"
DEFAULT_PASSWORD = "sap-simulator-password"  # noqa: S105 - the simulator's own, not a secret
START_SECONDS = 15.0


@dataclass(frozen=True)
class RunningSap:
    url: str  # scheme, host and port: what the connector's base_url is
    user: str
    password: str
    control: SapControl

    @property
    def soap_url(self) -> str:
        return f"{self.url}{wsdl.SOAP_PATH}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.soap_url}?wsdl&sap-client=100"


def build(user: str, password: str, timing: Timing) -> tuple[SapControl, Edge, Starlette]:
    edge = Edge(SapSystem(), FaultPlan(), user, password, timing)
    odata_service = ODataService(edge)
    control = SapControl(edge.system, edge.faults, odata_service.csrf)
    return control, edge, create_app(edge, odata_service)


@contextmanager
def running_simulator(
    *,
    user: str = DEFAULT_USER,
    password: str = DEFAULT_PASSWORD,
    hang_seconds: float = 30.0,
    slow_seconds: float = 0.2,
    host: str = "127.0.0.1",
) -> Iterator[RunningSap]:
    """The simulator on a free port of ``host``, stopped when the block ends."""
    control, edge, app = build(user, password, Timing(hang_seconds, slow_seconds))
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    # Bound here, port 0: the OS picks a free port no other process can take meanwhile.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"sap-sim-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the SAP simulator did not start")
            time.sleep(0.01)
        yield RunningSap(f"http://{host}:{port}", user, password, control)
    finally:
        edge.stopping.set()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
