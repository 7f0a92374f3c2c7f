"""Webhook subscriptions of dealers' own systems, and their delivery log.

Who may do what is in hub/notifications/subscriptions.py and docs/notifications.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import Field, StringConstraints

from dms_domain.alert_rules import AlertKind
from hub.api.deps import AnyRole, ContainerDep, Cursor, Limit, allow
from hub.api.types import Code, RequestModel, ResponseModel, Timestamp
from hub.auth.principal import Principal, Role
from hub.notifications import subscriptions
from hub.notifications.events import EventKind
from hub.notifications.subscriptions import MAX_URL_LENGTH, DeliveryStatus
from hub.settings import Environment

router = APIRouter(prefix="/api/v1", tags=["webhooks"])
# Managers read the subscriptions of their regions' dealers but change none.
Subscriber = Annotated[Principal, Depends(allow(Role.ADMIN, Role.INTEGRATOR, Role.DEALER))]
Url = Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH)]
Description = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class SubscriptionIn(RequestModel):
    url: Url = Field(description="where to POST; https (plain http only in development)")
    events: list[EventKind] = Field(min_length=1, description="the event kinds to receive")
    alert_kinds: list[AlertKind] | None = Field(
        default=None,
        min_length=1,
        description="for alert.opened / alert.resolved: only alerts of these kinds "
        "(absent: every kind)",
    )
    description: Description | None = None
    dealer_code: Code | None = Field(
        default=None,
        description="admins only: the dealer it is for (absent: hub-wide); dealers must not",
    )


class SubscriptionOut(ResponseModel):
    id: int
    dealer_code: str | None
    url: str
    events: list[str]
    alert_kinds: list[str] | None
    description: str | None
    active: bool
    created_at: Timestamp
    created_by: str


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="the shared signing secret: shown this once only")


class SubscriptionPage(ResponseModel):
    items: list[SubscriptionOut]
    next_cursor: str | None


class AttemptOut(ResponseModel):
    attempt: int
    at: Timestamp
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(ResponseModel):
    id: int
    subscription_id: int
    event_kind: str
    event_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: Timestamp | None
    last_status_code: int | None
    last_error: str | None
    created_at: Timestamp
    delivered_at: Timestamp | None
    payload: dict[str, Any]
    history: list[AttemptOut]


class DeliveryPage(ResponseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


@router.post("/webhook-subscriptions", response_model=SubscriptionCreated, status_code=201)
def create_subscription(
    body: SubscriptionIn, principal: Subscriber, container: ContainerDep
) -> Any:
    with container.db.transaction() as conn:
        secret, record = subscriptions.create_subscription(
            conn,
            principal,
            dealer_code=body.dealer_code,
            url=body.url,
            events=body.events,
            alert_kinds=None if body.alert_kinds is None else [k.value for k in body.alert_kinds],
            description=body.description,
            production=container.settings.env is Environment.PRODUCTION,
            now=container.clock.now(),
        )
    return {**record, "secret": secret}


@router.get("/webhook-subscriptions", response_model=SubscriptionPage)
def list_subscriptions(
    principal: AnyRole, container: ContainerDep, cursor: Cursor = None, limit: Limit = 50
) -> Any:
    with container.db.transaction() as conn:
        return subscriptions.list_subscriptions(conn, principal, cursor=cursor, limit=limit)


@router.delete("/webhook-subscriptions/{subscription_id}", status_code=204)
def delete_subscription(
    subscription_id: int, principal: Subscriber, container: ContainerDep
) -> Response:
    with container.db.transaction() as conn:
        subscriptions.delete_subscription(conn, subscription_id, principal, container.clock.now())
    return Response(status_code=204)


@router.get("/webhook-subscriptions/{subscription_id}/deliveries", response_model=DeliveryPage)
def list_deliveries(
    subscription_id: int,
    principal: AnyRole,
    container: ContainerDep,
    status: DeliveryStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return subscriptions.list_deliveries(
            conn, subscription_id, principal, status=status, cursor=cursor, limit=limit
        )


@router.post(
    "/webhook-subscriptions/{subscription_id}/test",
    response_model=DeliveryOut,
    status_code=202,
    description="Queues a `ping` event for this subscription; the sender posts it shortly.",
)
def test_subscription(subscription_id: int, principal: Subscriber, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return subscriptions.send_test(conn, subscription_id, principal, container.clock.now())
