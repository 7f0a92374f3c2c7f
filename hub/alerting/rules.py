"""Alert rules as stored: a kind without a row runs on its defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dms_domain.alert_rules import RULES, AlertKind, as_json, check_thresholds, defaults
from hub.auth.principal import Principal
from hub.db.schema import alert_rules
from hub.services import audit


@dataclass(frozen=True, slots=True)
class Rule:
    kind: AlertKind
    enabled: bool
    thresholds: dict[str, int | Decimal]
    updated_at: datetime | None
    updated_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "enabled": self.enabled,
            "thresholds": as_json(self.thresholds),
            "defaults": as_json(defaults(self.kind)),
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }


def load_rules(conn: Connection) -> dict[AlertKind, Rule]:
    """Every kind, stored thresholds over the defaults (a threshold added in a
    later release takes its default until someone sets it)."""
    stored = {row.kind: row for row in conn.execute(select(alert_rules))}
    rules = {}
    for kind in AlertKind:
        row = stored.get(kind.value)
        if row is None:
            rules[kind] = Rule(kind, True, defaults(kind), None, None)
            continue
        known = {k: v for k, v in row.thresholds.items() if k in RULES[kind]}
        rules[kind] = Rule(
            kind, row.enabled, check_thresholds(kind, known), row.updated_at, row.updated_by
        )
    return rules


def put_rule(
    conn: Connection,
    kind: AlertKind,
    *,
    enabled: bool,
    thresholds: Mapping[str, Any],
    actor: Principal,
    now: datetime,
) -> Rule:
    """Replace a rule's thresholds (missing ones take their defaults); 422 names
    every bad one with its value."""
    values = check_thresholds(kind, thresholds)
    before = load_rules(conn)[kind]
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    row = {
        "kind": kind.value,
        "enabled": enabled,
        "thresholds": as_json(values),
        "updated_at": now,
        "updated_by": actor.name,
    }
    statement = insert_(alert_rules).values(**row)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["kind"],
            set_={
                k: statement.excluded[k]
                for k in ("enabled", "thresholds", "updated_at", "updated_by")
            },
        )
    )
    audit.record(
        conn,
        actor=actor,
        action="update",
        entity="alert_rule",
        key=kind.value,
        before={"enabled": before.enabled, "thresholds": as_json(before.thresholds)},
        after={"enabled": enabled, "thresholds": as_json(values)},
        at=now,
    )
    return Rule(kind, enabled, values, now, actor.name)
