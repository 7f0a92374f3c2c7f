"""The scheduler enqueues the alert evaluation (and VMI) every
DMS_ALERT_EVALUATION_SECONDS, and nothing more often."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hub.jobs.scheduler import Scheduler
from tests.conftest import make_settings


class FakeActor:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, *args: Any, **kwargs: Any) -> None:
        self.sent += 1


def test_the_evaluation_is_enqueued_at_its_interval() -> None:
    settings = make_settings("sqlite://", alert_evaluation_seconds=300)
    actors = SimpleNamespace(
        relay_outbox=FakeActor(),
        deliver_webhooks=FakeActor(),
        purge=FakeActor(),
        evaluate_alerts=FakeActor(),
    )
    runtime = SimpleNamespace(
        actors=actors, connectors={}, container=SimpleNamespace(settings=settings)
    )
    scheduler = Scheduler(runtime)  # type: ignore[arg-type]
    assert "evaluate_alerts" in scheduler.tick(1000.0)
    assert "evaluate_alerts" not in scheduler.tick(1299.0)
    assert "evaluate_alerts" in scheduler.tick(1300.0)
    assert actors.evaluate_alerts.sent == 2
