"""The actors: thin entry points that call the sync use cases.

Retries: only ``TransientError`` is retried, with exponential backoff and
jitter (Dramatiq's), by default from 1 s up to 5 minutes, 12 times (about half
an hour in all; ``DMS_JOB_*`` settings); anything else fails at once. A
message that fails for good is copied to the dead-letter table by
``DeadLetterTable``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.broker import Broker

from dms_domain.errors import TransientError

if TYPE_CHECKING:
    from hub.jobs.runtime import Runtime

QUEUE_ORDERS = "orders"
QUEUE_URGENT = "orders_urgent"
QUEUE_PULLS = "pulls"
QUEUE_MAINTENANCE = "maintenance"
ALL_QUEUES = (QUEUE_URGENT, QUEUE_ORDERS, QUEUE_PULLS, QUEUE_MAINTENANCE)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 12
    min_backoff_ms: int = 1_000
    max_backoff_ms: int = 300_000

    def options(self) -> dict[str, Any]:
        def transient_only(retries: int, exception: BaseException) -> bool:
            return isinstance(exception, TransientError) and retries < self.max_retries

        return {
            "retry_when": transient_only,
            "min_backoff": self.min_backoff_ms,
            "max_backoff": self.max_backoff_ms,
            "time_limit": 300_000,
        }


@dataclass(frozen=True)
class Actors:
    push_order: dramatiq.Actor[..., None]
    push_order_urgent: dramatiq.Actor[..., None]
    cancel_order: dramatiq.Actor[..., None]
    push_to_wms: dramatiq.Actor[..., None]
    cancel_in_wms: dramatiq.Actor[..., None]
    pull: dramatiq.Actor[..., None]
    relay_outbox: dramatiq.Actor[..., None]
    purge: dramatiq.Actor[..., None]
    deliver_webhooks: dramatiq.Actor[..., None]
    reconcile: dramatiq.Actor[..., None]
    issue_statements: dramatiq.Actor[..., None]
    send_reminders: dramatiq.Actor[..., None]
    evaluate_alerts: dramatiq.Actor[..., None]

    def queues(self) -> set[str]:
        return set(ALL_QUEUES)


def declare_actors(
    broker: Broker, runtime: Callable[[], Runtime], retries: RetryPolicy | None = None
) -> Actors:
    """Declare every actor on ``broker``. Done once per broker, before any
    worker starts (a late declaration can be eaten by a stopped worker)."""

    def push_order(order_no: str, outbox_id: int | None = None) -> None:
        runtime().push_order(order_no, outbox_id)

    def cancel_order(
        order_no: str, reason: str | None = None, outbox_id: int | None = None
    ) -> None:
        runtime().cancel_order(order_no, reason, outbox_id)

    def push_to_wms(order_no: str, outbox_id: int | None = None) -> None:
        runtime().push_to_wms(order_no, outbox_id)

    def cancel_in_wms(order_no: str, outbox_id: int | None = None) -> None:
        runtime().cancel_in_wms(order_no, outbox_id)

    def pull(connector: str, entity: str) -> None:
        runtime().pull(connector, entity)

    def relay_outbox() -> None:
        runtime().relay_outbox()

    def purge() -> None:
        runtime().purge()

    def deliver_webhooks() -> None:
        runtime().deliver_webhooks()

    def reconcile(connector: str) -> None:
        runtime().reconcile(connector)

    def issue_statements() -> None:
        runtime().issue_statements()

    def send_reminders() -> None:
        runtime().send_reminders()

    def evaluate_alerts() -> None:
        runtime().evaluate_alerts()

    options = (retries or RetryPolicy()).options()

    def make(
        fn: Callable[..., None], name: str, queue: str, priority: int
    ) -> dramatiq.Actor[..., None]:
        decorate = dramatiq.actor(
            actor_name=name, queue_name=queue, priority=priority, broker=broker, **options
        )
        return decorate(fn)

    return Actors(
        push_order=make(push_order, "push_order", QUEUE_ORDERS, 10),
        # Urgent orders have their own queue, and a worker takes them first.
        push_order_urgent=make(push_order, "push_order_urgent", QUEUE_URGENT, 0),
        cancel_order=make(cancel_order, "cancel_order", QUEUE_ORDERS, 5),
        push_to_wms=make(push_to_wms, "push_to_wms", QUEUE_ORDERS, 10),
        cancel_in_wms=make(cancel_in_wms, "cancel_in_wms", QUEUE_ORDERS, 5),
        pull=make(pull, "pull", QUEUE_PULLS, 20),
        relay_outbox=make(relay_outbox, "relay_outbox", QUEUE_MAINTENANCE, 1),
        purge=make(purge, "purge", QUEUE_MAINTENANCE, 30),
        deliver_webhooks=make(deliver_webhooks, "deliver_webhooks", QUEUE_MAINTENANCE, 5),
        reconcile=make(reconcile, "reconcile", QUEUE_MAINTENANCE, 40),
        issue_statements=make(issue_statements, "issue_statements", QUEUE_MAINTENANCE, 50),
        send_reminders=make(send_reminders, "send_reminders", QUEUE_MAINTENANCE, 45),
        evaluate_alerts=make(evaluate_alerts, "evaluate_alerts", QUEUE_MAINTENANCE, 50),
    )
