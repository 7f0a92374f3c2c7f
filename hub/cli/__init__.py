"""The ``dms-hub`` command line.

Each sub-command group is a module of this package with
``register(subparsers) -> None``; it adds its parsers and sets ``handler`` (a
function taking the parsed arguments and returning an exit code) as a default.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

# Order here is the order in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "hub.cli.db",
    "hub.cli.serve",
    "hub.cli.users",
    "hub.cli.mapping",
    "hub.cli.jobs",
    "hub.cli.staging",
    "hub.cli.demo",
)

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dms-hub", description="dms-hub integration hub")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
