"""``python -m simulators.sap --port 8902``: the SAP simulator in the foreground."""

from __future__ import annotations

import argparse
import os

import uvicorn

from simulators.sap.edge import Timing
from simulators.sap.server import DEFAULT_PASSWORD, DEFAULT_USER, build


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.sap")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8902)
    parser.add_argument("--user", default=DEFAULT_USER)
    parser.add_argument(
        "--password",
        default=os.environ.get("SAP_SIMULATOR_PASSWORD", DEFAULT_PASSWORD),
        help="the logon password (default: $SAP_SIMULATOR_PASSWORD or a fixed test one)",
    )
    args = parser.parse_args(argv)
    _, _, app = build(args.user, args.password, Timing())
    uvicorn.run(app, host=args.host, port=args.port, lifespan="off", timeout_graceful_shutdown=2)


if __name__ == "__main__":
    main()
