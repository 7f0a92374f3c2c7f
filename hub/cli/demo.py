"""``dms-hub demo seed``: the demo's data in DMS_DATABASE_URL, and the demo's
customers, materials and stock taught to simulators running as processes of
their own (the compose stack's `demo` profile). ``dms-hub up --demo`` does the
same for the embedded default, with the simulators inside its own process."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hub.db.engine import Database, make_engine
from hub.settings import Environment, load_settings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    demo = subparsers.add_parser("demo", help="demo data (development only)")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    seed = demo_sub.add_parser("seed", help="seed demo data and teach the simulators")
    seed.add_argument("--erp-control", help="the generic ERP simulator's root URL")
    seed.add_argument("--wms-control", help="the FLUX WMS simulator's root URL")
    seed.add_argument(
        "--hub-url", help="the hub's URL as the WMS simulator reaches it (for its pushes)"
    )
    seed.set_defaults(handler=_seed)


def _seed(args: argparse.Namespace) -> int:
    # Demo code stays off every other command's path.
    from hub.demo import seed_demo, teach_erp, teach_wms, wms_push_url  # noqa: PLC0415
    from simulators.flux_wms.remote import RemoteControl as WmsControl  # noqa: PLC0415
    from simulators.generic_erp.remote import RemoteControl as ErpControl  # noqa: PLC0415

    settings = load_settings()
    if settings.env is Environment.PRODUCTION:
        print("demo data has known passwords: refused when DMS_ENV=production", file=sys.stderr)
        return 2
    if args.wms_control and not args.hub_url:
        print("--wms-control needs --hub-url (where the WMS pushes)", file=sys.stderr)
        return 2
    db = Database(make_engine(settings.database_url))
    try:
        print(seed_demo(db, tz=settings.business_tz))
    finally:
        db.dispose()
    if args.erp_control:
        with ErpControl(args.erp_control) as erp:
            teach_erp(erp)
        print(f"ERP simulator at {args.erp_control} taught the demo's customers and materials")
    if args.wms_control:
        with WmsControl(args.wms_control) as wms:
            teach_wms(wms, wms_push_url(args.hub_url))
        print(f"WMS simulator at {args.wms_control} stocked, pushing to {args.hub_url}")
    return 0
