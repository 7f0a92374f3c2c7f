"""``python -m simulators.flux_wms``: the warehouse in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import threading

from simulators.flux_wms.server import running_simulator


def main() -> None:
    parser = argparse.ArgumentParser(description="FLUX WMS simulator")
    parser.add_argument("--push-url", help="where shipment confirmations are pushed")
    parser.add_argument("--ship-after", type=float, help="ship orders this many seconds after")
    parser.add_argument("--split", action="store_true", help="ship in two parcels")
    args = parser.parse_args()
    with running_simulator(push_url=args.push_url) as sim:
        sim.control.set_shipping(args.ship_after, split=args.split)
        print(f"FLUX WMS simulator at {sim.url} ({sim.credentials})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
