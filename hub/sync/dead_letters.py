"""Dead letters: jobs that failed for good, kept for a person to look at and replay.

Replay goes through the database, so the API needs no broker: a dead letter
whose job came from the outbox puts that outbox row back to pending; any other
is marked ``replay_requested`` and the next outbox relay sends it again.
A letter that holds no job (bytes that never decoded as a message) cannot be
replayed; it is read, then discarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from dms_domain.errors import NotFound, Refused
from hub.db.schema import dead_letters
from hub.pagination import Page, keyset_page
from hub.sync.outbox import mark_pending

# The actor of a letter whose message never decoded (hub.jobs.undecodable).
UNDECODABLE_ACTOR = "(undecodable)"

_PUBLIC = (
    dead_letters.c.id,
    dead_letters.c.actor,
    dead_letters.c.queue,
    dead_letters.c.args.label("job_args"),
    dead_letters.c.kwargs.label("job_kwargs"),
    dead_letters.c.error,
    dead_letters.c.error_class,
    dead_letters.c.attempts,
    dead_letters.c.status,
    dead_letters.c.created_at,
    dead_letters.c.replayed_at,
    dead_letters.c.replayed_by,
)


@dataclass(frozen=True, slots=True)
class Replay:
    id: int
    actor: str
    args: list[Any]
    kwargs: dict[str, Any]


def list_dead_letters(
    conn: Connection, *, status: str | None, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    query = select(*_PUBLIC)
    if status:
        query = query.where(dead_letters.c.status == status)
    return keyset_page(conn, query, (dead_letters.c.id,), cursor, limit, descending=True)


def _open_letter(conn: Connection, letter_id: int, *, code: str) -> Any:
    row = conn.execute(
        select(*_PUBLIC).where(dead_letters.c.id == letter_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"no dead letter {letter_id}")
    if row.status != "open":
        raise Refused(f"dead letter {letter_id} is {row.status}, not open", code=code)
    return row


def request_replay(conn: Connection, letter_id: int, *, by: str, now: datetime) -> dict[str, Any]:
    row = _open_letter(conn, letter_id, code="not_replayable")
    if row.actor == UNDECODABLE_ACTOR:
        raise Refused(
            f"dead letter {letter_id} holds bytes that never decoded as a message: "
            "there is no job to replay; read it, then discard it",
            code="not_replayable",
        )
    outbox_id = row.job_kwargs.get("outbox_id") if isinstance(row.job_kwargs, dict) else None
    status = "replayed" if isinstance(outbox_id, int) else "replay_requested"
    if isinstance(outbox_id, int):
        mark_pending(conn, outbox_id, now)
    conn.execute(
        update(dead_letters)
        .where(dead_letters.c.id == letter_id)
        .values(status=status, replayed_at=now, replayed_by=by)
    )
    return dict(conn.execute(select(*_PUBLIC).where(dead_letters.c.id == letter_id)).one()._mapping)


def discard(conn: Connection, letter_id: int, *, by: str, now: datetime) -> dict[str, Any]:
    """Close a letter nobody will replay; ``replayed_at``/``replayed_by`` say
    when and by whom, as for a replay."""
    _open_letter(conn, letter_id, code="not_discardable")
    conn.execute(
        update(dead_letters)
        .where(dead_letters.c.id == letter_id)
        .values(status="discarded", replayed_at=now, replayed_by=by)
    )
    return dict(conn.execute(select(*_PUBLIC).where(dead_letters.c.id == letter_id)).one()._mapping)


def claim_replays(conn: Connection, now: datetime) -> list[Replay]:
    rows = conn.execute(
        select(dead_letters.c.id, dead_letters.c.actor, dead_letters.c.args, dead_letters.c.kwargs)
        .where(dead_letters.c.status == "replay_requested")
        .with_for_update(skip_locked=True)
    ).all()
    if rows:
        conn.execute(
            update(dead_letters)
            .where(dead_letters.c.id.in_([r.id for r in rows]))
            .values(status="replayed")
        )
    return [Replay(r.id, r.actor, list(r.args), dict(r.kwargs)) for r in rows]
