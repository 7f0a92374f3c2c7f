"""The GIL switch interval of the hub's processes."""

from __future__ import annotations

import os
import sys

DEFAULT_SECONDS = 0.0005


def shorten_switch_interval() -> None:
    """The hub's threads mostly wait on sockets (the database, an ERP, the
    broker). A thread whose answer has arrived should not wait 5 ms (Python's
    default) for the GIL while another thread computes: a staging read-ahead
    finishing its claim while the page before is mapped, a request thread
    while another prices an order. ``DMS_GIL_SWITCH_INTERVAL`` (seconds)
    overrides."""
    sys.setswitchinterval(float(os.environ.get("DMS_GIL_SWITCH_INTERVAL", DEFAULT_SECONDS)))
