"""The scheduled settlement work against a real database: last month's
statements issued once, payment reminders through the webhooks, and the
receivables gauges on /metrics.

The jobs are run at pinned times in 2025 (before any other test's documents),
so the shared database's other dealers are not due anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from hub.db.schema import webhook_deliveries
from hub.services.settlement_jobs import issue_due_statements, remind
from tests.conftest import LiveServer, unique
from tests.factories import dealer, ok

TZ = "Asia/Shanghai"
OFFSETS = [-7, -1, 1, 7, 30, 60, 90]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_last_months_statements_are_issued_once_on_schedule(
    admin: httpx.Client, live_server: LiveServer
) -> None:
    busy, quiet = dealer(admin), dealer(admin)
    body = {
        "invoice_no": unique("INV"),
        "dealer_code": busy,
        "invoice_date": "2025-01-20",
        "amount": "300.00",
        "tax_amount": "0.00",
    }
    ok(admin.post("/api/v1/invoices", json=body), 201)
    db = live_server.container.db

    done = issue_due_statements(db, now=at("2025-03-02T02:00:00"), tz=TZ)

    assert busy in done
    assert quiet not in done  # no activity: no statement
    issued = ok(admin.get(f"/api/v1/statements/{busy}/2025-02"))
    assert (issued["opening_balance"], issued["closing_balance"]) == ("300.00", "300.00")
    assert issued["issued_by"] == "scheduler"
    assert busy not in issue_due_statements(db, now=at("2025-03-05T02:00:00"), tz=TZ)
    assert admin.get(f"/api/v1/statements/{quiet}/2025-02").status_code == 404


def deliveries(live_server: LiveServer, subscription: int) -> list[dict[str, Any]]:
    with live_server.container.db.read() as conn:
        rows = conn.execute(
            select(webhook_deliveries.c.event_id, webhook_deliveries.c.payload)
            .where(webhook_deliveries.c.subscription_id == subscription)
            .order_by(webhook_deliveries.c.id)
        ).all()
    return [{"id": r.event_id, **r.payload["data"]} for r in rows]


def test_reminders_before_and_after_the_due_date_through_webhooks(
    admin: httpx.Client, live_server: LiveServer
) -> None:
    code = dealer(admin)
    hook = {
        "url": "http://127.0.0.1:9/hook",
        "events": ["payment.reminder"],
        "dealer_code": code,
    }
    subscription = ok(admin.post("/api/v1/webhook-subscriptions", json=hook), 201)["id"]
    number = unique("INV")
    invoice = {
        "invoice_no": number,
        "dealer_code": code,
        "invoice_date": "2025-01-16",
        "due_date": "2025-02-15",
        "amount": "500.00",
        "tax_amount": "0.00",
    }
    ok(admin.post("/api/v1/invoices", json=invoice), 201)
    db = live_server.container.db

    remind(db, now=at("2025-02-07T00:00:00"), tz=TZ, offsets=OFFSETS)  # 8 days before: none
    assert deliveries(live_server, subscription) == []
    remind(db, now=at("2025-02-08T01:00:00"), tz=TZ, offsets=OFFSETS)  # 7 days before
    remind(db, now=at("2025-02-08T05:00:00"), tz=TZ, offsets=OFFSETS)  # same day: not again
    sent = deliveries(live_server, subscription)
    assert [(d["id"], d["stage"], d["days_overdue"]) for d in sent] == [
        (f"payment-reminder:{number}:-7", "before_due", -7)
    ]
    assert (sent[0]["open_amount"], sent[0]["dealer_code"]) == ("500.00", code)

    payment = {
        "payment_no": unique("PAY"),
        "dealer_code": code,
        "paid_at": "2025-03-01T10:00:00+08:00",
        "amount": "200.00",
        "invoice_no": number,
    }
    ok(admin.post("/api/v1/payments", json=payment), 201)
    # Down from 8 February to 20 March: only the latest reminder reached (30 days) goes.
    remind(db, now=at("2025-03-20T01:00:00"), tz=TZ, offsets=OFFSETS)
    late = deliveries(live_server, subscription)[1:]
    assert [(d["stage"], d["days_overdue"], d["open_amount"], d["bucket"]) for d in late] == [
        ("overdue", 33, "300.00", "31-60")
    ]
    payment.update(payment_no=unique("PAY"), amount="300.00")
    ok(admin.post("/api/v1/payments", json=payment), 201)
    remind(db, now=at("2025-04-20T01:00:00"), tz=TZ, offsets=OFFSETS)  # paid: no more
    assert len(deliveries(live_server, subscription)) == 2


def gauges(text: str, name: str) -> dict[str, float]:
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels, value = line.rsplit(" ", 1)
            found[labels.split('bucket="')[1].split('"')[0]] = float(value)
    return found


def test_receivables_gauges_match_the_ageing_report(
    admin: httpx.Client, live_server: LiveServer
) -> None:
    code = dealer(admin)
    body = {
        "invoice_no": unique("INV"),
        "dealer_code": code,
        "invoice_date": "2025-01-01",
        "due_date": "2025-01-31",
        "amount": "77.70",
        "tax_amount": "0.00",
    }
    ok(admin.post("/api/v1/invoices", json=body), 201)
    report = ok(admin.get("/api/v1/receivables/ageing", params={"limit": 1}))["totals"]
    with live_server.client() as anonymous:
        text = anonymous.get("/metrics").text
    overdue = gauges(text, "dms_receivables_overdue_amount")
    assert set(overdue) == {"1-30", "31-60", "61-90", "over_90"}
    for bucket, value in overdue.items():
        assert value == float(report["buckets"][bucket])
    assert overdue["over_90"] >= 77.70
    assert gauges(text, "dms_receivables_open_amount")["current"] == float(
        report["buckets"]["current"]
    )
