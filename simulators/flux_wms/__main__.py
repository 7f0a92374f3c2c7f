"""``python -m simulators.flux_wms``: the warehouse in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import os
import threading

from simulators.flux_wms.server import WmsCredentials, running_simulator


def main() -> None:
    parser = argparse.ArgumentParser(description="FLUX WMS simulator")
    parser.add_argument("--push-url", help="where shipment confirmations are pushed")
    parser.add_argument("--ship-after", type=float, help="ship orders this many seconds after")
    parser.add_argument("--split", action="store_true", help="ship in two parcels")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    # The caller's credentials, where it sets them (a compose stack does);
    # else the simulator's own known ones.
    known = WmsCredentials()
    credentials = WmsCredentials(
        customer_id=os.environ.get("FLUX_CUSTOMER_ID", known.customer_id),
        client_db=os.environ.get("FLUX_CLIENT_DB", known.client_db),
        app_key=os.environ.get("FLUX_APP_KEY", known.app_key),
        app_token=os.environ.get("FLUX_APP_TOKEN", known.app_token),
        app_secret=os.environ.get("FLUX_APP_SECRET", known.app_secret),
    )
    with running_simulator(
        push_url=args.push_url, credentials=credentials, host=args.host, port=args.port
    ) as sim:
        sim.control.set_shipping(args.ship_after, split=args.split)
        print(f"FLUX WMS simulator at {sim.url} (owner {credentials.customer_id})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
