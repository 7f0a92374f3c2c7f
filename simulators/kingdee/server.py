"""Serving the simulator on a real socket, in a background thread for tests
(``running_simulator``) or in the foreground (``python -m simulators.kingdee``)."""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from simulators.kingdee.app import K3App, Timing, create_app
from simulators.kingdee.auth import Account, Gate
from simulators.kingdee.books import Books
from simulators.kingdee.control import SimulatorControl
from simulators.kingdee.faults import FaultPlan
from simulators.kingdee.services import Services
from simulators.serving import serving


def new_account(acct_id: str = "6512a9f7c3e1d2", user_name: str = "dms.api") -> Account:
    """An account set with fresh credentials (none is written in the code). The AppId
    is a client id, ``_``, and 32 Base64 characters that hide the SDK's client secret."""
    hidden = base64.b64encode(secrets.token_bytes(24)).decode()
    return Account(
        acct_id=acct_id,
        user_name=user_name,
        password=secrets.token_urlsafe(12),
        app_id=f"{secrets.randbelow(900000) + 100000}_{hidden}",
        app_secret=secrets.token_hex(16),
    )


@dataclass(frozen=True)
class RunningSimulator:
    url: str  # the K3 Cloud root a client is given: http://host:port/k3cloud/
    account: Account
    control: SimulatorControl


def build(
    account: Account, *, session_seconds: float = 600, timing: Timing | None = None
) -> tuple[SimulatorControl, threading.Event, FastAPI]:
    books, faults = Books(), FaultPlan()
    gate = Gate(account, session_seconds=session_seconds)
    stopping = threading.Event()
    k3 = K3App(Services(books), gate, faults, timing or Timing(), stopping)
    return SimulatorControl(books, gate, faults), stopping, create_app(k3)


@contextmanager
def running_simulator(
    *,
    account: Account | None = None,
    session_seconds: float = 600,
    hang_seconds: float = 30.0,
    slow_seconds: float = 0.2,
    host: str = "127.0.0.1",
) -> Iterator[RunningSimulator]:
    """The simulator on a free port of ``host``, stopped when the block ends."""
    account = account or new_account()
    control, stopping, app = build(
        account, session_seconds=session_seconds, timing=Timing(hang_seconds, slow_seconds)
    )
    with serving(app, host=host, name="kingdee", stopping=stopping) as port:
        yield RunningSimulator(f"http://{host}:{port}/k3cloud/", account, control)
