"""``dms-hub worker``, ``dms-hub scheduler``, ``dms-hub dead-letters``, ``dms-hub connector``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, multiprocess, start_http_server

from connectors.registry import ConnectorContext, build_connector
from dms_domain.errors import DmsError
from hub.bootstrap import bootstrap
from hub.gil import shorten_switch_interval
from hub.jobs.runtime import Runtime, build_runtime, start_worker
from hub.jobs.scheduler import Scheduler
from hub.jsonable import jsonable
from hub.logs import configure_logging
from hub.services.xref import DatabaseCrossReference
from hub.settings import load_settings
from hub.sync.dead_letters import discard, list_dead_letters, request_replay


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    worker = subparsers.add_parser("worker", help="run job workers (needs DMS_BROKER_URL)")
    worker.add_argument("--threads", type=int, default=8)
    worker.add_argument(
        "--metrics-port", type=int, default=9191, help="serve /metrics here (0: do not serve)"
    )
    worker.add_argument("--metrics-host", default="127.0.0.1")
    worker.set_defaults(handler=_worker)
    scheduler = subparsers.add_parser("scheduler", help="enqueue periodic jobs")
    scheduler.set_defaults(handler=_scheduler)

    letters = subparsers.add_parser("dead-letters", help="jobs that failed for good")
    letters_sub = letters.add_subparsers(dest="letters_command", required=True, metavar="ACTION")
    listing = letters_sub.add_parser("list", help="list dead letters")
    listing.add_argument("--status", default="open")
    listing.set_defaults(handler=_list_letters)
    replay = letters_sub.add_parser("replay", help="run a dead letter's job again")
    replay.add_argument("id", type=int)
    replay.set_defaults(handler=_replay_letter)
    dropping = letters_sub.add_parser("discard", help="close a dead letter nobody will replay")
    dropping.add_argument("id", type=int)
    dropping.set_defaults(handler=_discard_letter)

    connector = subparsers.add_parser("connector", help="connectors")
    connector_sub = connector.add_subparsers(
        dest="connector_command", required=True, metavar="ACTION"
    )
    check = connector_sub.add_parser("check", help="try a connector and say what is wrong")
    check.add_argument("name")
    check.set_defaults(handler=_check_connector)


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


def _worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.broker_url is None:
        print(
            "dms-hub worker needs DMS_BROKER_URL (the embedded default runs jobs inside "
            "`dms-hub up`)",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings)
    shorten_switch_interval()
    runtime = build_runtime(bootstrap(settings))
    worker = start_worker(runtime, args.threads)
    if args.metrics_port:
        serve_metrics(runtime, args.metrics_host, args.metrics_port)
    print(f"worker up: {args.threads} threads on {sorted(runtime.actors.queues())}")
    try:
        _wait_for_signal()
    finally:
        worker.stop()
        runtime.close()
        runtime.container.close()
    return 0


def serve_metrics(runtime: Runtime, host: str, port: int) -> None:
    """A worker's own /metrics: every process of this host in multiprocess mode."""
    registry = runtime.metrics.registry
    if registry is None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(port, addr=host, registry=registry)


def _scheduler(_: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.broker_url is None:
        print("dms-hub scheduler needs DMS_BROKER_URL", file=sys.stderr)
        return 2
    configure_logging(settings)
    runtime = build_runtime(bootstrap(settings))
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        Scheduler(runtime).run(stop)
    finally:
        runtime.close()
        runtime.container.close()
    return 0


def _list_letters(args: argparse.Namespace) -> int:
    container = bootstrap(load_settings())
    with container.db.read() as conn:
        page = list_dead_letters(conn, status=args.status, cursor=None, limit=500)
    for item in page.items:
        print(json.dumps(jsonable(item), ensure_ascii=False))
    container.close()
    return 0


def _replay_letter(args: argparse.Namespace) -> int:
    return _act_on_letter(args.id, request_replay)


def _discard_letter(args: argparse.Namespace) -> int:
    return _act_on_letter(args.id, discard)


def _act_on_letter(letter_id: int, action: Callable[..., dict[str, Any]]) -> int:
    container = bootstrap(load_settings())
    try:
        with container.db.transaction() as conn:
            letter = action(conn, letter_id, by="cli", now=container.clock.now())
    except DmsError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        container.close()
    print(f"dead letter {letter_id}: {letter['status']}")
    return 0


def _check_connector(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.name not in settings.connectors:
        configured = ", ".join(sorted(settings.connectors)) or "none"
        print(
            f"no connector {args.name!r} is configured (configured: {configured})", file=sys.stderr
        )
        return 1
    container = bootstrap(settings)
    context = ConnectorContext(
        mappings_root=settings.mappings_path,
        xref_for=lambda _kind: DatabaseCrossReference(container.db, args.name),
    )
    try:
        connector = build_connector(args.name, settings.connectors[args.name], context)
    except DmsError as exc:
        print(f"{args.name}: {exc.detail}", file=sys.stderr)
        container.close()
        return 1
    try:
        problems = connector.check()
    finally:
        connector.close()
        container.close()
    for problem in problems:
        print(f"{args.name}: {problem}")
    if not problems:
        print(f"{args.name}: ok")
    return 1 if problems else 0
