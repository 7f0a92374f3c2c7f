"""A replay or discard of a dead letter is kept in the audit log: who decided what."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import insert

from hub.auth.principal import Role
from hub.db.schema import dead_letters
from tests.conftest import LiveServer, unique


def open_letter(live_server: LiveServer, error: str) -> int:
    # A letter whose job would only ever fail again: discarded below, never replayed.
    with live_server.container.db.transaction() as conn:
        return int(
            conn.execute(
                insert(dead_letters)
                .values(
                    actor="(undecodable)",
                    queue="default",
                    message_id=unique("msg"),
                    args=[],
                    kwargs={},
                    error=error,
                    error_class="ValueError",
                    attempts=1,
                    status="open",
                    created_at=datetime.now(UTC),
                )
                .returning(dead_letters.c.id)
            ).scalar_one()
        )


def test_a_discard_is_audited_with_who_and_the_letter(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    letter = open_letter(live_server, unique("bytes that never decoded"))
    integrator = live_server.token_for(Role.INTEGRATOR)
    with live_server.client(integrator) as client:
        refused = client.post(f"/api/v1/dead-letters/{letter}/replay")
        assert refused.status_code == 409
        assert refused.json()["code"] == "not_replayable"
        discarded = client.post(f"/api/v1/dead-letters/{letter}/discard")
        assert discarded.status_code == 200, discarded.text

    entries = admin.get("/api/v1/audit", params={"entity": "dead_letter", "key": str(letter)})
    assert entries.status_code == 200
    [entry] = entries.json()["items"]  # the refused replay left nothing
    assert entry["action"] == "discard"
    assert entry["actor_role"] == "integrator"
    assert entry["before"]["status"] == "open"
    assert entry["after"]["status"] == "discarded"
    assert entry["after"]["job"] == "(undecodable)"
