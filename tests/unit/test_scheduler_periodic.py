"""The scheduler enqueues each periodic job at start, then at its own interval:
the settlement jobs (statements, reminders) every DMS_SETTLEMENT_INTERVAL_SECONDS,
the alert evaluation (and VMI) every DMS_ALERT_EVALUATION_SECONDS."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any, cast

from hub.jobs.runtime import Runtime
from hub.jobs.scheduler import Scheduler
from tests.conftest import make_settings


class Actors:
    """Every actor the scheduler asks for, counting what it was sent."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        def send(*args: Any, **kwargs: Any) -> None:
            self.sent[name] += 1

        return SimpleNamespace(send=send)


def scheduler(**settings: Any) -> tuple[Scheduler, Actors]:
    actors = Actors()
    runtime = SimpleNamespace(
        actors=actors,
        connectors={},
        container=SimpleNamespace(settings=make_settings("sqlite://", **settings)),
    )
    return Scheduler(cast(Runtime, runtime)), actors


def test_settlement_jobs_are_enqueued_at_start_and_every_interval() -> None:
    periodic, actors = scheduler(settlement_interval_seconds=600)
    assert {"issue_statements", "send_reminders"} <= set(periodic.tick(100.0))
    assert "issue_statements" not in periodic.tick(699.0)
    assert {"issue_statements", "send_reminders"} <= set(periodic.tick(700.0))
    assert (actors.sent["issue_statements"], actors.sent["send_reminders"]) == (2, 2)


def test_the_evaluation_is_enqueued_at_its_interval() -> None:
    periodic, actors = scheduler(alert_evaluation_seconds=300)
    assert "evaluate_alerts" in periodic.tick(1000.0)
    assert "evaluate_alerts" not in periodic.tick(1299.0)
    assert "evaluate_alerts" in periodic.tick(1300.0)
    assert actors.sent["evaluate_alerts"] == 2
