"""sync_failure found by evaluation: open dead letters, and connector pulls
without a success for longer than the threshold. Orders with nowhere to go
are alerted one by one by the sync engine when it tries to send them
(subject ``order:<no>``); the evaluation leaves those alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, Connection, func, or_, select

from hub.alerting.conditions import Context, Thresholds
from hub.alerting.lifecycle import Condition
from hub.db.schema import alerts, dead_letters, sync_state

DEAD_LETTERS = "dead-letters"
STALE = "stale:"


def owned() -> ColumnElement[bool]:
    """The sync_failure subjects this evaluation answers for."""
    return or_(alerts.c.subject == DEAD_LETTERS, alerts.c.subject.startswith(STALE))


def find(conn: Connection, thresholds: Thresholds, ctx: Context) -> list[Condition]:
    found = []
    letters = conn.execute(
        select(func.count(), func.min(dead_letters.c.created_at)).where(
            dead_letters.c.status == "open"
        )
    ).one()
    if letters[0] >= int(thresholds["dead_letters"]):
        by_actor: dict[str, int] = dict(
            conn.execute(
                select(dead_letters.c.actor, func.count())
                .where(dead_letters.c.status == "open")
                .group_by(dead_letters.c.actor)
            ).all()
        )
        found.append(
            Condition(
                subject=DEAD_LETTERS,
                message=f"{letters[0]} dead letters wait for a person (GET /api/v1/dead-letters)",
                details={
                    "open": letters[0],
                    "oldest": letters[1].isoformat() if letters[1] else None,
                    "by_actor": by_actor,
                },
            )
        )
    minutes = int(thresholds["stale_minutes"])
    cutoff = ctx.now - timedelta(minutes=minutes)
    state = sync_state.c
    stale = select(state.connector, state.entity, state.last_success_at, state.last_error).where(
        or_(
            state.last_success_at < cutoff,
            # Never succeeded and already failed: how long it has failed is not
            # recorded, so it counts at once (a connector that never worked).
            state.last_success_at.is_(None) & state.last_error_at.is_not(None),
        )
    )
    for row in conn.execute(stale):
        since = row.last_success_at.isoformat() if row.last_success_at else "never"
        found.append(
            Condition(
                subject=f"{STALE}{row.connector}/{row.entity}",
                message=f"{row.connector} {row.entity}: no successful pull since {since} "
                f"(threshold {minutes} minutes)",
                details={
                    "connector": row.connector,
                    "entity": row.entity,
                    "last_success_at": row.last_success_at,
                    "last_error": row.last_error,
                    "stale_minutes": minutes,
                },
            )
        )
    return found
