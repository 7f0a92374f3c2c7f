"""The processes of a multi-process sync run, for the benchmark and the
worker-process tests: a private redis-server, the generic ERP simulator,
``dms-hub worker`` and ``dms-hub scheduler``.

Each runs in its own process group (``start_new_session``) so stopping or
killing it takes its children too, and writes to a log file rather than a
pipe (a full pipe would block it; a log is there to read after a failure).
They run the code of this checkout: the working directory and ``PYTHONPATH``
point at it, whatever the virtualenv has installed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import redis

REPO = Path(__file__).resolve().parents[2]
START_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(step)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    log_file: IO[bytes]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group: no cleanup, as the OOM killer would do it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        self.log_file.close()

    def stop(self, timeout: float = 15.0) -> None:
        if self.log_file.closed:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=timeout)
        except ProcessLookupError:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)
        self.log_file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def spawn(name: str, argv: list[str], log_dir: Path, env: Mapping[str, str] | None = None) -> Proc:
    log = log_dir / f"{name}.log"
    log_file = log.open("ab")
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full_env.get("PYTHONPATH")]))
    full_env["PYTHONUNBUFFERED"] = "1"  # "worker up" must reach the log at once
    popen = subprocess.Popen(
        argv,
        cwd=REPO,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Proc(name, popen, log, log_file)


class PrivateRedis:
    """A redis-server of our own on a free port, keeping nothing on disk: other
    people's tests share the machine's Redis, and this one gets restarted."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: Proc | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.proc = spawn(
            f"redis-{self.starts}",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.log_dir),
            ],
            self.log_dir,
        )
        wait_until(self.ping, START_SECONDS, "redis-server answering PING")

    def ping(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def restart(self) -> None:
        """Killed, not shut down: whatever was queued is gone."""
        if self.proc is not None:
            self.proc.kill()
        self.start()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


def start_simulator(
    log_dir: Path, *, api_key: str, hang_seconds: float = 30.0, slow_seconds: float = 0.2
) -> tuple[Proc, str]:
    port = free_port()
    proc = spawn(
        "simulator",
        [
            sys.executable,
            "-m",
            "simulators.generic_erp",
            "--port",
            str(port),
            "--api-key",
            api_key,
            "--hang-seconds",
            str(hang_seconds),
            "--slow-seconds",
            str(slow_seconds),
        ],
        log_dir,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if not proc.alive():
            raise RuntimeError(f"the simulator exited:\n{proc.output()[-2000:]}")
        try:
            return httpx.get(f"{url}/_control/faults", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answers, START_SECONDS, "the simulator answering")
    except BaseException:
        proc.stop()
        raise
    return proc, url


def hub_env(
    *,
    database_url: str,
    broker_url: str,
    erp_url: str,
    api_key: str,
    secret_key: str,
    connector: str = "erp",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The ``DMS_`` environment of the worker and scheduler processes."""
    prefix = f"DMS_CONNECTORS__{connector.upper()}__"
    env = {
        "DMS_ENV": "development",
        "DMS_SECRET_KEY": secret_key,
        "DMS_DATABASE_URL": database_url,
        "DMS_BROKER_URL": broker_url,
        "DMS_ORDER_ERP": connector,
        prefix + "SYSTEM": "generic",
        prefix + "BASE_URL": erp_url,
        prefix + "API_KEY": api_key,
    }
    env.update(extra or {})
    return env


@dataclass
class JobProcesses:
    """Workers and the scheduler of one run; ``stop_all`` in every teardown."""

    env: dict[str, str]
    log_dir: Path
    workers: list[Proc] = field(default_factory=list)
    scheduler: Proc | None = None
    _count: int = 0

    def start_worker(self, threads: int = 4, metrics_port: int = 0) -> Proc:
        self._count += 1
        proc = spawn(
            f"worker-{self._count}",
            [
                sys.executable,
                "-m",
                "hub.cli",
                "worker",
                "--threads",
                str(threads),
                "--metrics-port",
                str(metrics_port),
            ],
            self.log_dir,
            self.env,
        )
        self.workers.append(proc)

        def up() -> bool:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited:\n{proc.output()[-3000:]}")
            return "worker up" in proc.output()

        wait_until(up, START_SECONDS, f"{proc.name} starting")
        return proc

    def start_scheduler(self) -> Proc:
        self.scheduler = spawn(
            "scheduler", [sys.executable, "-m", "hub.cli", "scheduler"], self.log_dir, self.env
        )
        return self.scheduler

    def kill_workers(self) -> None:
        for proc in self.workers:
            if proc.alive():
                proc.kill()
        self.workers = [p for p in self.workers if not p.log_file.closed]

    def stop_all(self) -> None:
        for proc in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            proc.stop()
        self.workers = []
        self.scheduler = None
