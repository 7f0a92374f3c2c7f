"""Webhook subscriptions: who may create, read and change which, and their delivery log.

Reading follows the usual scope (admins and integrators everything, managers
the dealers of their regions, dealers themselves); hub-wide subscriptions
(no dealer) are visible to admins and integrators only. Changing (delete,
test) is for admins (any), integrators (hub-wide ones) and dealers (their
own): a subscription the caller may read but not change answers 403, one it
may not read 404.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Connection, func, insert, select, update

from dms_domain.errors import InvalidInput, NotFound, Refused
from hub.auth.principal import Principal, Role
from hub.db.schema import webhook_attempts, webhook_deliveries, webhook_subscriptions
from hub.notifications.events import EventKind, queue_ping
from hub.pagination import Page, keyset_page
from hub.services import audit
from hub.services.lookups import dealer_exists
from hub.services.scope import dealer_visible

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label that makes leaked secrets recognisable
# Each subscription multiplies outgoing traffic: a dealer's own are bounded.
MAX_PER_DEALER = 10
MAX_URL_LENGTH = 2048
_s = webhook_subscriptions.c
_d = webhook_deliveries.c
_PUBLIC = (
    _s.id,
    _s.dealer_code,
    _s.url,
    _s.events,
    _s.alert_kinds,
    _s.description,
    _s.active,
    _s.created_at,
    _s.created_by,
)
_DELIVERY = (
    _d.id,
    _d.subscription_id,
    _d.event_kind,
    _d.event_id,
    _d.status,
    _d.attempts,
    _d.next_attempt_at,
    _d.last_status_code,
    _d.last_error,
    _d.created_at,
    _d.delivered_at,
    _d.payload,
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def new_secret() -> str:
    """256 random bits: the shared secret the hub signs with, shown once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def url_problem(url: str, *, production: bool, hub_wide: bool) -> str | None:
    """What is wrong with a webhook URL, or None.

    Always: http or https, a host, no credentials, no fragment. In production:
    https, except plain http to a loopback host for a hub-wide subscription (an
    operator's relay on the same machine); and a dealer's subscription may not
    name a loopback, private or link-local address, so a dealer cannot make the
    hub call its own neighbours. Host names are not resolved here: egress
    rules at the network edge cover names that resolve inward.
    """
    if any(char.isspace() for char in url):
        return "must not contain spaces"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        return "is not a valid URL"
    host = (parts.hostname or "").lower()
    problem = None
    if parts.scheme.lower() not in ("http", "https"):
        problem = "must be an http or https URL"
    elif not host:
        problem = "must name a host"
    elif parts.username is not None or parts.password is not None:
        problem = "must not carry credentials: the signature is how receivers know the hub"
    elif parts.fragment:
        problem = "must not have a #fragment"
    elif production and not hub_wide and _internal(host):
        problem = "must not point at a loopback, private or link-local address"
    elif production and parts.scheme.lower() == "http" and not (hub_wide and _loopback(host)):
        problem = "must use https in production (plain http only to localhost, hub-wide)"
    return problem


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _internal(host: str) -> bool:
    if _loopback(host):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def owner_for(conn: Connection, principal: Principal, dealer_code: str | None) -> str | None:
    """The dealer a new subscription belongs to (None: hub-wide), by role."""
    if principal.role is Role.DEALER:
        if dealer_code is not None:
            raise InvalidInput.field("dealer_code", "a dealer subscribes for itself: leave it out")
        return principal.dealer_code
    if principal.role is Role.INTEGRATOR and dealer_code is not None:
        raise InvalidInput.field(
            "dealer_code", "integrators create hub-wide subscriptions: leave it out"
        )
    if dealer_code is not None and not dealer_exists(conn, dealer_code):
        raise InvalidInput.field("dealer_code", f"no dealer {dealer_code!r}")
    return dealer_code


def create_subscription(
    conn: Connection,
    principal: Principal,
    *,
    dealer_code: str | None,
    url: str,
    events: Sequence[EventKind],
    description: str | None,
    production: bool,
    now: datetime,
    alert_kinds: Sequence[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Returns the secret (shown once) and the stored record without it."""
    owner = owner_for(conn, principal, dealer_code)
    problem = url_problem(url, production=production, hub_wide=owner is None)
    if problem:
        raise InvalidInput.field("url", problem)
    if owner is not None:
        count = conn.scalar(
            select(func.count())
            .select_from(webhook_subscriptions)
            .where(_s.dealer_code == owner, _s.active.is_(True))
        )
        if (count or 0) >= MAX_PER_DEALER:
            raise Refused(
                f"dealer {owner} already has {MAX_PER_DEALER} subscriptions; delete one first",
                code="too_many_subscriptions",
                status=409,
            )
    secret = new_secret()
    subscription_id = conn.execute(
        insert(webhook_subscriptions)
        .values(
            dealer_code=owner,
            url=url,
            events=sorted({kind.value for kind in events}),
            alert_kinds=None if alert_kinds is None else sorted(set(alert_kinds)),
            description=description,
            secret=secret,
            active=True,
            created_at=now,
            created_by=principal.name,
        )
        .returning(_s.id)
    ).scalar_one()
    record = dict(conn.execute(select(*_PUBLIC).where(_s.id == subscription_id)).one()._mapping)
    _audit(conn, principal, "create", None, record, now)
    return secret, record


def list_subscriptions(
    conn: Connection, principal: Principal, *, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    query = select(*_PUBLIC).where(_s.active.is_(True), dealer_visible(principal, _s.dealer_code))
    return keyset_page(conn, query, (_s.id,), cursor, limit)


def _visible(
    conn: Connection, subscription_id: int, principal: Principal, *, to_change: bool = False
) -> dict[str, Any]:
    row = conn.execute(
        select(*_PUBLIC).where(
            _s.id == subscription_id,
            _s.active.is_(True),
            dealer_visible(principal, _s.dealer_code),
        )
    ).first()
    if row is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    record = dict(row._mapping)
    if to_change and not _may_change(principal, record["dealer_code"]):
        raise Refused(
            "integrators change hub-wide subscriptions only; this one is a dealer's",
            code="forbidden",
            status=403,
        )
    return record


def _may_change(principal: Principal, owner: str | None) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.INTEGRATOR:
        return owner is None
    return principal.role is Role.DEALER and owner == principal.dealer_code


def delete_subscription(
    conn: Connection, subscription_id: int, principal: Principal, now: datetime
) -> None:
    """Deactivate it (its delivery log stays) and give up its pending deliveries."""
    before = _visible(conn, subscription_id, principal, to_change=True)
    conn.execute(
        update(webhook_subscriptions)
        .where(_s.id == subscription_id)
        .values(active=False, deactivated_at=now)
    )
    conn.execute(
        update(webhook_deliveries)
        .where(_d.subscription_id == subscription_id, _d.status == DeliveryStatus.PENDING.value)
        .values(status=DeliveryStatus.FAILED.value, last_error="the subscription was deleted")
    )
    _audit(conn, principal, "delete", before, {**before, "active": False}, now)


def send_test(
    conn: Connection, subscription_id: int, principal: Principal, now: datetime
) -> dict[str, Any]:
    """Queue a ``ping`` for this subscription; the sender posts it on its next round."""
    record = _visible(conn, subscription_id, principal, to_change=True)
    event_id = queue_ping(conn, subscription_id, record["dealer_code"], now)
    row = conn.execute(
        select(*_DELIVERY).where(_d.subscription_id == subscription_id, _d.event_id == event_id)
    ).one()
    return _with_history(conn, [dict(row._mapping)])[0]


def list_deliveries(
    conn: Connection,
    subscription_id: int,
    principal: Principal,
    *,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    """The delivery log, newest first, each delivery with every attempt."""
    _visible(conn, subscription_id, principal)
    query = select(*_DELIVERY).where(_d.subscription_id == subscription_id)
    if status is not None:
        query = query.where(_d.status == status.value)
    page = keyset_page(conn, query, (_d.id,), cursor, limit, descending=True)
    return Page(_with_history(conn, page.items), page.next_cursor)


def _with_history(conn: Connection, deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    history: dict[int, list[dict[str, Any]]] = {d["id"]: [] for d in deliveries}
    if history:
        a = webhook_attempts.c
        for row in conn.execute(
            select(a.delivery_id, a.attempt, a.at, a.status_code, a.error, a.duration_ms)
            .where(a.delivery_id.in_(list(history)))
            .order_by(a.delivery_id, a.attempt)
        ):
            entry = dict(row._mapping)
            history[entry.pop("delivery_id")].append(entry)
    for delivery in deliveries:
        delivery["history"] = history[delivery["id"]]
        if delivery["status"] != DeliveryStatus.PENDING.value:
            delivery["next_attempt_at"] = None  # nothing is coming
    return deliveries


def _audit(
    conn: Connection,
    principal: Principal,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    now: datetime,
) -> None:
    audit.record(
        conn,
        actor=principal,
        action=action,
        entity="webhook_subscription",
        key=str(after["id"]),
        before=audit.snapshot(before),
        after=audit.snapshot(after),
        at=now,
    )
