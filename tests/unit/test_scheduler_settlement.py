"""The scheduler enqueues the settlement jobs (statements, reminders) at start
and then every DMS_SETTLEMENT_INTERVAL_SECONDS."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from hub.jobs.runtime import Runtime
from hub.jobs.scheduler import Scheduler
from hub.settings import Settings


class Recorder:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, *args: Any) -> None:
        self.calls += 1


def test_settlement_jobs_are_enqueued_at_start_and_every_interval() -> None:
    settings = Settings(_env_file=None, settlement_interval_seconds=600)
    names = ("relay_outbox", "deliver_webhooks", "purge", "issue_statements", "send_reminders")
    actors = SimpleNamespace(**{name: Recorder() for name in names})
    runtime = SimpleNamespace(
        actors=actors, connectors={}, container=SimpleNamespace(settings=settings)
    )
    scheduler = Scheduler(cast(Runtime, runtime))

    assert {"issue_statements", "send_reminders"} <= set(scheduler.tick(100.0))
    assert "issue_statements" not in scheduler.tick(699.0)
    assert {"issue_statements", "send_reminders"} <= set(scheduler.tick(700.0))
    assert (actors.issue_statements.calls, actors.send_reminders.calls) == (2, 2)
