"""Each rule fires and clears exactly when it should, at its boundaries, on
both databases; re-evaluation never duplicates; the webhooks hear of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, insert, select, update

from dms_domain.alert_rules import AlertKind
from hub.auth.principal import Role
from hub.db.schema import dead_letters, sync_state, webhook_deliveries
from hub.metrics_db import DatabaseGauges
from tests.conftest import LiveServer, unique
from tests.e2e.alerting_data import (
    add_invoice,
    add_order,
    add_payment,
    alerts_of,
    run,
)
from tests.factories import dealer, dealer_warehouse, ok, product, warehouse

K = AlertKind


@pytest.fixture
def shop_dealer(admin: httpx.Client) -> tuple[str, str]:
    wh = warehouse(admin)
    return dealer(admin, default_warehouse=wh), wh


def test_purchase_drop_fires_at_exactly_50_percent_and_month_ends_are_shanghai_s(
    live_server: LiveServer, admin: httpx.Client, shop_dealer: tuple[str, str]
) -> None:
    db = live_server.container.db
    code, wh = shop_dealer
    subscription = ok(
        admin.post(
            "/api/v1/webhook-subscriptions",
            json={
                "url": "http://127.0.0.1:9/hook",
                "events": ["alert.opened", "alert.resolved"],
                "dealer_code": code,
            },
        ),
        201,
    )["id"]
    # Baseline January-June 2031: 100.00 a month (on the 15th, mid-day);
    # July-September: 50.00, exactly half.
    for month in range(1, 10):
        add_order(
            db,
            code,
            wh,
            "100.00" if month <= 6 else "50.00",
            datetime(2031, month, 15, 4, tzinfo=UTC),
        )
    # Cancelled orders are no purchases.
    add_order(db, code, wh, "500.00", datetime(2031, 8, 15, tzinfo=UTC), status="cancelled")
    now = datetime(2031, 9, 30, 16, 0, tzinfo=UTC)  # 1 October 00:00 in Shanghai
    subject = f"dealer:{code}"

    run(db, now, K.PURCHASE_DROP)
    run(db, now, K.PURCHASE_DROP)
    [alert] = alerts_of(db, K.PURCHASE_DROP, subject)
    assert alert["status"] == "open"
    assert alert["dealer_code"] == code
    assert alert["details"]["months"] == {
        "2031-07": "50.00",
        "2031-08": "50.00",
        "2031-09": "50.00",
    }
    assert alert["details"]["baseline_average"] == "100.00"

    # 00:00:00 on 1 October in Shanghai belongs to October: September is unchanged.
    add_order(db, code, wh, "1.00", datetime(2031, 9, 30, 16, 0, tzinfo=UTC))
    run(db, now + timedelta(minutes=5), K.PURCHASE_DROP)
    assert [a["status"] for a in alerts_of(db, K.PURCHASE_DROP, subject)] == ["open"]

    # 23:59:59 on 30 September in Shanghai: September is 51.00, a 49 % drop.
    add_order(db, code, wh, "1.00", datetime(2031, 9, 30, 15, 59, 59, tzinfo=UTC))
    later = now + timedelta(minutes=10)
    run(db, later, K.PURCHASE_DROP)
    [alert] = alerts_of(db, K.PURCHASE_DROP, subject)
    assert (alert["status"], alert["resolved_at"], alert["resolved_by"]) == (
        "resolved",
        later,
        "evaluation",
    )
    with db.read() as conn:
        events = set(
            conn.scalars(
                select(webhook_deliveries.c.event_id).where(
                    webhook_deliveries.c.subscription_id == subscription
                )
            )
        )
    assert events == {f"alert:{alert['id']}:opened", f"alert:{alert['id']}:resolved"}


def test_low_stock_fires_below_safety_stock_only(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    db = live_server.container.db
    wh, sku = warehouse(admin), product(admin)
    subject = f"stock:{wh}/{sku}"
    now = datetime.now(UTC)
    ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 10, "safety_stock": 10}))
    run(db, now, K.LOW_STOCK)
    assert alerts_of(db, K.LOW_STOCK, subject) == []

    ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 9, "safety_stock": 10}))
    run(db, now, K.LOW_STOCK)
    run(db, now, K.LOW_STOCK)
    [alert] = alerts_of(db, K.LOW_STOCK, subject)
    assert (alert["status"], alert["warehouse_code"], alert["details"]["available"]) == (
        "open",
        wh,
        9,
    )

    ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 10, "safety_stock": 10}))
    run(db, now, K.LOW_STOCK)
    assert [a["status"] for a in alerts_of(db, K.LOW_STOCK, subject)] == ["resolved"]


def test_credit_overdue_past_exactly_n_days(
    live_server: LiveServer, admin: httpx.Client, shop_dealer: tuple[str, str]
) -> None:
    db = live_server.container.db
    code, _ = shop_dealer
    now = datetime(2032, 3, 30, 16, 30, tzinfo=UTC)  # 31 March 2032, 00:30 in Shanghai
    subject = f"dealer:{code}"
    add_invoice(db, code, "300.00", date(2032, 3, 1), now)  # exactly 30 days past due
    run(db, now, K.CREDIT_OVERDUE)
    assert alerts_of(db, K.CREDIT_OVERDUE, subject) == []

    add_invoice(db, code, "200.00", date(2032, 2, 29), now)  # 31 days
    add_payment(db, code, "150.00", now)  # settles the oldest first
    run(db, now, K.CREDIT_OVERDUE)
    [alert] = alerts_of(db, K.CREDIT_OVERDUE, subject)
    assert alert["details"]["overdue_amount"] == "50.00"

    add_payment(db, code, "50.00", now)
    run(db, now, K.CREDIT_OVERDUE)
    assert [a["status"] for a in alerts_of(db, K.CREDIT_OVERDUE, subject)] == ["resolved"]


def test_licence_expiring_within_exactly_n_days(
    live_server: LiveServer, admin: httpx.Client, shop_dealer: tuple[str, str]
) -> None:
    db = live_server.container.db
    code, _ = shop_dealer
    now = datetime(2033, 5, 31, 17, tzinfo=UTC)  # 1 June 2033, 01:00 in Shanghai
    number = unique("L")
    subject = f"licence:{code}/{number}"
    url = f"/api/v1/dealers/{code}/licences/{number}"
    ok(admin.put(url, json={"kind": "pharma", "expires_on": "2033-07-02"}))  # 31 days left
    run(db, now, K.LICENCE_EXPIRING)
    assert alerts_of(db, K.LICENCE_EXPIRING, subject) == []

    ok(admin.put(url, json={"kind": "pharma", "expires_on": "2033-07-01"}))  # 30 days left
    run(db, now, K.LICENCE_EXPIRING)
    [alert] = alerts_of(db, K.LICENCE_EXPIRING, subject)
    assert (alert["status"], alert["details"]["days_left"]) == ("open", 30)

    ok(admin.put(url, json={"kind": "pharma", "expires_on": "2034-07-01"}))  # renewed
    run(db, now, K.LICENCE_EXPIRING)
    assert [a["status"] for a in alerts_of(db, K.LICENCE_EXPIRING, subject)] == ["resolved"]


def test_sync_failure_for_a_connector_without_success_past_its_threshold(
    live_server: LiveServer,
) -> None:
    db = live_server.container.db
    now = datetime.now(UTC)
    connector = unique("conn")
    with db.transaction() as conn:
        conn.execute(
            insert(sync_state).values(
                connector=connector,
                entity="stock",
                last_run_at=now,
                last_success_at=now - timedelta(minutes=60),
                errors_total=1,
                records_total=0,
                rejected_total=0,
            )
        )
        letter = conn.execute(
            insert(dead_letters)
            .values(
                actor="pull",
                queue="pulls",
                message_id=unique("msg"),
                args=[],
                kwargs={},
                error="boom",
                error_class="X",
                attempts=1,
                status="open",
                created_at=now,
            )
            .returning(dead_letters.c.id)
        ).scalar_one()
    run(db, now, K.SYNC_FAILURE)
    assert alerts_of(db, K.SYNC_FAILURE, f"stale:{connector}/stock") == []  # exactly 60 minutes
    [letters] = [
        a for a in alerts_of(db, K.SYNC_FAILURE, "dead-letters") if a["status"] != "resolved"
    ]
    assert letters["details"]["open"] >= 1

    run(db, now + timedelta(seconds=1), K.SYNC_FAILURE)
    [stale] = alerts_of(db, K.SYNC_FAILURE, f"stale:{connector}/stock")
    assert stale["status"] == "open"
    # Leave the shared database as other modules expect it.
    with db.transaction() as conn:
        conn.execute(
            update(dead_letters).where(dead_letters.c.id == letter).values(status="discarded")
        )
        conn.execute(delete(sync_state).where(sync_state.c.connector == connector))


def test_lifecycle_ack_then_resolve_with_who_and_when_scoped_by_role(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    db = live_server.container.db
    region, other_region = unique("R"), unique("R")
    code = dealer(admin, regions=[region])
    wh = dealer_warehouse(admin, code, region=region)
    sku = product(admin)
    ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 1, "safety_stock": 5}))
    now = datetime.now(UTC)
    run(db, now, K.LOW_STOCK)
    [alert] = alerts_of(db, K.LOW_STOCK, f"stock:{wh}/{sku}")
    assert alert["dealer_code"] == code

    manager = live_server.token_for(Role.MANAGER, regions=[region])
    stranger = live_server.token_for(Role.MANAGER, regions=[other_region])
    own_dealer = live_server.token_for(Role.DEALER, dealer_code=code)
    with live_server.client(stranger) as client:
        assert client.post(f"/api/v1/alerts/{alert['id']}/ack").status_code == 404
        listed = ok(client.get("/api/v1/alerts", params={"kind": "low_stock"}))["items"]
        assert alert["id"] not in {a["id"] for a in listed}
    with live_server.client(own_dealer) as client:
        assert client.post(f"/api/v1/alerts/{alert['id']}/ack").status_code == 403
        listed = ok(client.get("/api/v1/alerts", params={"status": "open"}))["items"]
        assert [a["id"] for a in listed] == [alert["id"]]
    with live_server.client(manager) as client:
        acked = ok(client.post(f"/api/v1/alerts/{alert['id']}/ack"))
        assert acked["status"] == "acknowledged"
        assert acked["acknowledged_by"].startswith("manager")
        assert acked["acknowledged_at"] is not None
        # Re-evaluation keeps it acknowledged, one alert.
        run(db, now, K.LOW_STOCK)
        listed = ok(
            client.get("/api/v1/alerts", params={"status": "acknowledged", "kind": "low_stock"})
        )
        assert alert["id"] in {a["id"] for a in listed["items"]}
        resolved = ok(client.post(f"/api/v1/alerts/{alert['id']}/resolve"))
        assert resolved["status"] == "resolved"
        assert resolved["resolved_by"] == acked["acknowledged_by"]
        again = client.post(f"/api/v1/alerts/{alert['id']}/ack")
        assert (again.status_code, again.json()["code"]) == (409, "alert_resolved")
    # Resolved by a person while the stock is still low: the next evaluation opens a new one.
    run(db, now, K.LOW_STOCK)
    assert [a["status"] for a in alerts_of(db, K.LOW_STOCK, f"stock:{wh}/{sku}")] == [
        "resolved",
        "open",
    ]


def test_rules_have_defaults_and_refuse_out_of_range_thresholds(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    rules = {r["kind"]: r for r in ok(admin.get("/api/v1/alert-rules"))}
    assert set(rules) == {k.value for k in AlertKind}
    assert rules["purchase_drop"]["defaults"] == {
        "drop_percent": "50",
        "months": 3,
        "baseline_months": 6,
    }
    bad = admin.put(
        "/api/v1/alert-rules/purchase_drop",
        json={"thresholds": {"drop_percent": "-5", "months": 0}},
    )
    assert bad.status_code == 422
    errors = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert set(errors) == {"thresholds.drop_percent", "thresholds.months"}
    assert "-5" in errors["thresholds.drop_percent"]
    unknown_kind = admin.put("/api/v1/alert-rules/no_such_kind", json={})
    assert unknown_kind.status_code == 422
    saved = ok(
        admin.put(
            "/api/v1/alert-rules/credit_overdue",
            json={"enabled": True, "thresholds": {"days": 30}},
        )
    )
    assert saved["thresholds"] == {"days": 30}
    assert saved["updated_by"] is not None


def test_gauges_show_open_alerts_by_kind_and_evaluation_time(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    wh, sku = warehouse(admin), product(admin)
    ok(admin.put(f"/api/v1/stock/{wh}/{sku}", json={"on_hand": 0, "safety_stock": 1}))
    run(live_server.container.db, datetime.now(UTC), K.LOW_STOCK)
    families = {
        m.name: m
        for m in DatabaseGauges(live_server.container.db, live_server.container.clock).collect()
    }
    open_low = [
        s.value
        for s in families["dms_alerts_open"].samples
        if s.labels == {"kind": "low_stock", "status": "open"}
    ]
    assert open_low
    assert open_low[0] >= 1
    durations = {
        s.labels["kind"]: s.value for s in families["dms_alert_evaluation_duration_seconds"].samples
    }
    assert durations["low_stock"] >= 0
    with live_server.client() as anonymous:
        text = anonymous.get("/metrics").text
    assert 'dms_alerts_open{kind="low_stock",status="open"}' in text


def test_a_subscription_hears_only_the_alert_kinds_it_asked_for(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    db = live_server.container.db
    code = dealer(admin)
    own = dealer_warehouse(admin, code)
    sku = product(admin)
    body = {
        "url": "http://127.0.0.1:9/hook",
        "events": ["alert.opened"],
        "dealer_code": code,
        "alert_kinds": ["licence_expiring", "licence_expiring"],
    }
    created = ok(admin.post("/api/v1/webhook-subscriptions", json=body), 201)
    assert created["alert_kinds"] == ["licence_expiring"]
    every = ok(admin.post("/api/v1/webhook-subscriptions", json={**body, "alert_kinds": None}), 201)
    bad = admin.post("/api/v1/webhook-subscriptions", json={**body, "alert_kinds": ["nope"]})
    assert bad.status_code == 422
    ok(admin.put(f"/api/v1/stock/{own}/{sku}", json={"on_hand": 0, "safety_stock": 1}))
    now = datetime.now(UTC)
    expiry = (now + timedelta(days=5)).date().isoformat()
    ok(
        admin.put(
            f"/api/v1/dealers/{code}/licences/{unique('L')}",
            json={"kind": "k", "expires_on": expiry},
        )
    )
    run(db, now, K.LOW_STOCK, K.LICENCE_EXPIRING)
    with db.read() as conn:
        heard = {
            sid: sorted(
                p["data"]["kind"]
                for p in conn.scalars(
                    select(webhook_deliveries.c.payload).where(
                        webhook_deliveries.c.subscription_id == sid
                    )
                )
            )
            for sid in (created["id"], every["id"])
        }
    assert heard == {
        created["id"]: ["licence_expiring"],
        every["id"]: ["licence_expiring", "low_stock"],
    }
