"""``python -m simulators.kingdee --port 8902``: the K3 Cloud simulator in the
foreground, with a fresh account printed for the connector's settings."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.kingdee.server import build, new_account


def main() -> None:
    parser = argparse.ArgumentParser(description="Kingdee K3 Cloud WebAPI simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8902)
    parser.add_argument("--session-seconds", type=float, default=600)
    args = parser.parse_args()
    account = new_account()
    _, _, app = build(account, session_seconds=args.session_seconds)
    print(f"K3 Cloud root: http://{args.host}:{args.port}/k3cloud/")
    for name in ("acct_id", "user_name", "password", "app_id", "app_secret"):
        print(f"  {name}: {getattr(account, name)}")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
