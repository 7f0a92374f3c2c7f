"""``python -m simulators.generic_erp --port 8901``: the simulator in the foreground."""

from __future__ import annotations

import argparse
import os

import uvicorn

from simulators.generic_erp.middleware import Timing
from simulators.generic_erp.server import DEFAULT_API_KEY, build


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.generic_erp")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8901)
    parser.add_argument(
        "--api-key",
        default=os.environ.get("GENERIC_ERP_API_KEY", DEFAULT_API_KEY),
        help="the X-API-Key callers must send (default: $GENERIC_ERP_API_KEY or a fixed test key)",
    )
    parser.add_argument(
        "--no-auto-confirm",
        action="store_true",
        help="receive orders unchecked; POST /_control/settle confirms or rejects them",
    )
    parser.add_argument("--hang-seconds", type=float, default=30.0)
    parser.add_argument("--slow-seconds", type=float, default=0.2)
    args = parser.parse_args(argv)
    _, _, app = build(
        api_key=args.api_key,
        auto_confirm=not args.no_auto_confirm,
        timing=Timing(args.hang_seconds, args.slow_seconds),
    )
    uvicorn.run(app, host=args.host, port=args.port, lifespan="off", timeout_graceful_shutdown=2)


if __name__ == "__main__":
    main()
