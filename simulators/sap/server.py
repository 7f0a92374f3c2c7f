"""Serving the SAP simulator on a real socket, in a background thread for tests
(``running_simulator``) or in the foreground (``python -m simulators.sap``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.applications import Starlette

from simulators.sap import wsdl
from simulators.sap.app import create_app
from simulators.sap.control import SapControl
from simulators.sap.edge import Edge, Timing
from simulators.sap.faults import FaultPlan
from simulators.sap.odata import ODataService
from simulators.sap.state import SapSystem
from simulators.serving import serving

DEFAULT_USER = "HUB_RFC"
DEFAULT_PASSWORD = "sap-simulator-password"  # noqa: S105 - the simulator's own, not a secret


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
    control = SapControl(edge.system, edge.faults, odata_service.csrf, edge.traces)
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
    with serving(app, host=host, name="sap", stopping=edge.stopping) as port:
        yield RunningSap(f"http://{host}:{port}", user, password, control)
