"""A simulator of Kingdee K3 Cloud's WebAPI, the system behind ``connectors.kingdee``.

    with running_simulator() as sim:            # uvicorn on 127.0.0.1, a free port
        sim.url                                  # http://127.0.0.1:PORT/k3cloud/
        sim.account                              # acct id, user, password, app id and secret
        sim.control.inject_fault("context_lost") # the next call: MsgCode 1
        sim.control.ship("SO20260105-0001")      # an audited SAL_OUTSTOCK for the order

See docs/connectors/kingdee.md.
"""

from simulators.kingdee.auth import Account
from simulators.kingdee.books import DEMO_CUSTOMERS, DEMO_MATERIALS, DEMO_ORG
from simulators.kingdee.control import SimulatorControl, stock_key
from simulators.kingdee.faults import FaultKind
from simulators.kingdee.server import RunningSimulator, new_account, running_simulator

__all__ = [
    "DEMO_CUSTOMERS",
    "DEMO_MATERIALS",
    "DEMO_ORG",
    "Account",
    "FaultKind",
    "RunningSimulator",
    "SimulatorControl",
    "new_account",
    "running_simulator",
    "stock_key",
]
