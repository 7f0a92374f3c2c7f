"""Jobs inside the API process, for the embedded default (no broker): the stub
broker, a couple of worker threads and the scheduler thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from dramatiq import Worker

from hub.bootstrap import Container
from hub.jobs.runtime import Runtime, build_runtime, install, start_worker
from hub.jobs.scheduler import Scheduler

THREADS = 2


@dataclass
class InProcessJobs:
    runtime: Runtime
    worker: Worker
    stop_event: threading.Event
    scheduler: threading.Thread

    @classmethod
    def start(cls, container: Container) -> InProcessJobs:
        runtime = build_runtime(container)
        worker = start_worker(runtime, THREADS)
        stop = threading.Event()
        thread = threading.Thread(
            target=Scheduler(runtime).run, args=(stop,), name="dms-scheduler", daemon=True
        )
        thread.start()
        return cls(runtime, worker, stop, thread)

    def stop(self) -> None:
        self.stop_event.set()
        self.scheduler.join(timeout=5)
        self.worker.stop(timeout=10_000)
        self.runtime.close()
        install(None)
