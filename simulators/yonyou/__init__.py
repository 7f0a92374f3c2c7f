"""A Yonyou U8 simulator that plays the ERP's side of the staging tables in SQL
through pyodbc (erp.py), with faults between the hub and the database
(proxy.py, control.py). Tests and benchmarks only: no import from the hub.

    with running_u8(odbc_target, host, port, customers, inventory) as u8:
        hub_side = u8.hub_target(url_for_port)   # the connector's target, via the proxy
        u8.control.settle()                       # U8 books what the hub wrote
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from simulators.yonyou.control import U8Control
from simulators.yonyou.erp import U8Erp
from simulators.yonyou.proxy import FaultProxy

__all__ = ["RunningU8", "U8Control", "U8Erp", "running_u8"]


@dataclass
class RunningU8:
    erp: U8Erp
    proxy: FaultProxy
    control: U8Control
    _stop: threading.Event = field(default_factory=threading.Event)
    _poller: threading.Thread | None = None

    def hub_target(self, through: Callable[[int], str]) -> str:
        """The connector's target: ``through(port)`` names the proxy's port."""
        return through(self.proxy.port)

    def start_polling(self, every: float = 0.2) -> None:
        """U8 settles on its own, as a scheduled job would (for end-to-end runs)."""

        def loop() -> None:
            while not self._stop.wait(every):
                self.erp.settle()

        self._poller = threading.Thread(target=loop, name="u8-poller", daemon=True)
        self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=10)
        self.control.clear_faults()
        self.proxy.close()
        self.erp.close()


@contextmanager
def running_u8(
    erp_target: str,
    upstream: tuple[str, int],
    customers: Mapping[str, str],
    inventory: Mapping[str, str],
    *,
    hang_seconds: float = 3.0,
    slow_seconds: float = 0.1,
) -> Iterator[RunningU8]:
    """U8 on ``erp_target`` (its ODBC connection string), staging and U8 tables
    installed, and a fault proxy in front of the database at ``upstream``."""
    erp = U8Erp(erp_target)
    proxy = FaultProxy(upstream, slow_seconds=slow_seconds)
    running = RunningU8(erp, proxy, U8Control(erp, proxy, hang_seconds=hang_seconds))
    try:
        erp.install(customers, inventory)
        yield running
    finally:
        running.stop()
