"""A simulator of a plain REST/JSON ERP, the system behind ``connectors.generic``.

    with running_simulator() as sim:           # uvicorn on 127.0.0.1, a free port
        sim.url, sim.api_key                   # what the connector is configured with
        sim.control.inject_fault("timeout")    # the next call hangs past the client's timeout
        sim.control.ship("SO20260105-0001")    # the ERP ships an order

Or ``python -m simulators.generic_erp --port 8901`` and drive it through
``/_control/...`` (``RemoteControl``). See docs/connectors/generic.md.
"""

from simulators.generic_erp.control import SimulatorControl, stock_key
from simulators.generic_erp.faults import FaultKind, FaultPlan
from simulators.generic_erp.remote import RemoteControl
from simulators.generic_erp.server import DEFAULT_API_KEY, RunningSimulator, running_simulator
from simulators.generic_erp.state import DEMO_CUSTOMERS, DEMO_MATERIALS, ErpRefusal, GenericErp

__all__ = [
    "DEFAULT_API_KEY",
    "DEMO_CUSTOMERS",
    "DEMO_MATERIALS",
    "ErpRefusal",
    "FaultKind",
    "FaultPlan",
    "GenericErp",
    "RemoteControl",
    "RunningSimulator",
    "SimulatorControl",
    "running_simulator",
    "stock_key",
]
