"""The scheduler: enqueues periodic jobs, nothing else (the work runs in workers).

Every tick it relays the outbox (which also re-sends lost messages and replayed
dead letters) and, per connector and entity, enqueues a pull when its interval
has passed. Every ``DMS_SETTLEMENT_INTERVAL_SECONDS`` it enqueues last month's
statements and the payment reminders. Intervals come from each connector's ``poll_seconds`` setting.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from dms_domain.exchange import Capability
from hub.jobs.runtime import Runtime
from hub.notifications.sender import DELIVER_EVERY_SECONDS
from hub.sync.pulls import ENTITIES

log = logging.getLogger(__name__)
DEFAULT_POLL_SECONDS = 30.0
RELAY_SECONDS = 1.0

_CAPABILITY_OF = {
    "order_events": Capability.ORDER_EVENTS,
    "shipments": Capability.SHIPMENTS,
    "stock": Capability.STOCK,
    "invoices": Capability.INVOICES,
    "credit_notes": Capability.CREDIT_NOTES,
    "payments": Capability.PAYMENTS,
}


@dataclass
class Scheduler:
    runtime: Runtime
    relay_seconds: float = RELAY_SECONDS
    _due: dict[tuple[str, str], float] = field(default_factory=dict)
    _relay_due: float = 0.0
    _purge_due: float = 0.0
    _webhooks_due: float = 0.0
    _reconcile_due: dict[str, float] = field(default_factory=dict)
    _settlement_due: float = 0.0
    _alerts_due: float = 0.0

    def intervals(self) -> dict[tuple[str, str], float]:
        """(connector, entity) -> seconds, for every entity each connector can pull."""
        found = {}
        for name, connector in self.runtime.connectors.items():
            config = self.runtime.container.settings.connectors.get(name, {})
            polls = config.get("poll_seconds") or {}
            for entity in ENTITIES:
                if _CAPABILITY_OF[entity] in connector.capabilities:
                    found[(name, entity)] = float(polls.get(entity, DEFAULT_POLL_SECONDS))
        return found

    def tick(self, now: float) -> list[str]:
        """Enqueue what is due at ``now`` (monotonic seconds); what was sent."""
        sent = []
        if now >= self._relay_due:
            self.runtime.actors.relay_outbox.send()
            self._relay_due = now + self.relay_seconds
            sent.append("relay_outbox")
        if now >= self._webhooks_due:
            self.runtime.actors.deliver_webhooks.send()
            self._webhooks_due = now + DELIVER_EVERY_SECONDS
            sent.append("deliver_webhooks")
        if now >= self._purge_due:
            self.runtime.actors.purge.send()
            self._purge_due = now + self.runtime.container.settings.retention_interval_seconds
            sent.append("purge")
        if now >= self._settlement_due:
            self.runtime.actors.issue_statements.send()
            self.runtime.actors.send_reminders.send()
            every = self.runtime.container.settings.settlement_interval_seconds
            self._settlement_due = now + every
            sent += ["issue_statements", "send_reminders"]
        for key, seconds in self.intervals().items():
            if now >= self._due.get(key, 0.0):
                self.runtime.actors.pull.send(*key)
                self._due[key] = now + seconds
                sent.append(f"pull {key[0]} {key[1]}")
        for name in self.runtime.connectors:
            if now >= self._reconcile_due.get(name, 0.0):
                self.runtime.actors.reconcile.send(name)
                every = self.runtime.container.settings.reconcile_interval_seconds
                self._reconcile_due[name] = now + every
                sent.append(f"reconcile {name}")
        if now >= self._alerts_due:
            self.runtime.actors.evaluate_alerts.send()
            self._alerts_due = now + self.runtime.container.settings.alert_evaluation_seconds
            sent.append("evaluate_alerts")
        return sent

    def run(self, stop: threading.Event) -> None:
        log.info("scheduler started: %s", self.intervals())
        while not stop.is_set():
            try:
                self.tick(time.monotonic())
            except Exception:
                # The broker may be down for a moment: keep ticking, say so.
                log.exception("scheduler tick failed")
            stop.wait(0.2)
