"""Receivables over a live server: invoices linked to orders, payments and credit
notes settling them (named invoice first, then oldest due first), exposure and
headroom, and the ageing report by dealer and region."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from hub.auth.principal import Role
from tests.conftest import LiveServer, unique
from tests.factories import ok, order_body, shop


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def place(admin: httpx.Client, dealer: str, sku: str, qty: int) -> dict[str, Any]:
    body = order_body((sku, qty), dealer_code=dealer)
    placed = admin.post("/api/v1/orders", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    return dict(ok(placed, 201))


def invoice(
    client: httpx.Client, dealer: str, amount: str, *, due: date, **fields: Any
) -> dict[str, Any]:
    body = {
        "invoice_no": unique("INV"),
        "dealer_code": dealer,
        "invoice_date": (due - timedelta(days=30)).isoformat(),
        "due_date": due.isoformat(),
        "amount": amount,
        "tax_amount": "0.00",
        **fields,
    }
    return dict(ok(client.post("/api/v1/invoices", json=body), 201))


def pay(client: httpx.Client, dealer: str, amount: str, **fields: Any) -> dict[str, Any]:
    body = {
        "payment_no": unique("PAY"),
        "dealer_code": dealer,
        "paid_at": datetime.now(UTC).isoformat(),
        "amount": amount,
        **fields,
    }
    return dict(ok(client.post("/api/v1/payments", json=body), 201))


def exposure(client: httpx.Client, dealer: str) -> tuple[str, str]:
    found = ok(client.get(f"/api/v1/dealers/{dealer}"))
    return found["exposure"], found["headroom"]


@pytest.fixture
def integrator(live_server: LiveServer) -> Any:
    with live_server.client(live_server.token_for(Role.INTEGRATOR)) as client:
        yield client


def test_invoices_payments_and_credit_notes_settle_and_move_exposure(
    admin: httpx.Client, integrator: httpx.Client, live_server: LiveServer
) -> None:
    s = shop(admin, products=[("100.0000", 100)], credit_limit="5000.00")
    order = place(admin, s.dealer, s.skus[0], 10)  # 1000.00
    assert exposure(admin, s.dealer) == ("1000.00", "4000.00")

    # A partial invoice moves money from the open order to receivables: no double count.
    old = invoice(
        integrator, s.dealer, "400.00", due=today() - timedelta(days=10), order_no=order["order_no"]
    )
    assert (old["open_amount"], old["status"], old["bucket"]) == ("400.00", "open", "1-30")
    assert exposure(admin, s.dealer) == ("1000.00", "4000.00")
    new = invoice(integrator, s.dealer, "600.00", due=today() + timedelta(days=20))
    assert exposure(admin, s.dealer) == ("1600.00", "3400.00")  # not tied to the order

    # Unnamed: oldest due first. The payment restores headroom at once.
    first = pay(integrator, s.dealer, "250.00")
    assert first["applied_to"] == [{"invoice_no": old["invoice_no"], "amount": "250.00"}]
    assert exposure(admin, s.dealer) == ("1350.00", "3650.00")
    # Named: that invoice first, the rest to the oldest due.
    second = pay(integrator, s.dealer, "700.00", invoice_no=new["invoice_no"])
    assert {a["invoice_no"]: a["amount"] for a in second["applied_to"]} == {
        new["invoice_no"]: "600.00",
        old["invoice_no"]: "100.00",
    }
    assert second["unapplied"] == "0.00"
    # A credit note for a return with nothing left to settle: unapplied credit.
    credit = {
        "credit_note_no": unique("CN"),
        "dealer_code": s.dealer,
        "issued_at": datetime.now(UTC).isoformat(),
        "amount": "80.00",
        "invoice_no": old["invoice_no"],
        "reason": "退货 2 件",
    }
    note = ok(integrator.post("/api/v1/credit-notes", json=credit), 201)
    assert note["applied_to"] == [{"invoice_no": old["invoice_no"], "amount": "50.00"}]
    assert note["unapplied"] == "30.00"
    assert exposure(admin, s.dealer) == ("570.00", "4430.00")  # 1600 - 950 - 80 + 600 open order

    detail = ok(admin.get(f"/api/v1/invoices/{old['invoice_no']}"))
    assert (detail["open_amount"], detail["status"], detail["bucket"]) == ("0.00", "paid", None)
    assert {(a["kind"], a["amount"]) for a in detail["settled_by"]} == {
        ("payment", "250.00"),
        ("payment", "100.00"),
        ("credit_note", "50.00"),
    }
    with live_server.client(live_server.token_for(Role.DEALER, dealer_code=s.dealer)) as dealer:
        mine = ok(dealer.get("/api/v1/invoices"))["items"]
        assert {i["invoice_no"] for i in mine} == {old["invoice_no"], new["invoice_no"]}
        assert len(ok(dealer.get("/api/v1/payments"))["items"]) == 2
        assert ok(dealer.get("/api/v1/credit-notes"))["items"][0]["reason"] == "退货 2 件"
        row = ok(dealer.get("/api/v1/receivables/ageing"))["items"]
        assert [(r["dealer_code"], r["unapplied_credit"], r["headroom"]) for r in row] == [
            (s.dealer, "30.00", "4430.00")
        ]
    assert ok(admin.get(f"/api/v1/orders/{order['order_no']}"))["status"] == "submitted"


def test_documents_are_immutable_and_bad_input_names_the_field(
    admin: httpx.Client, integrator: httpx.Client
) -> None:
    s = shop(admin, products=[("1.0000", 10)])
    other = shop(admin, products=[("1.0000", 10)])
    other_order = place(admin, other.dealer, other.skus[0], 1)
    body = {
        "invoice_no": unique("INV"),
        "dealer_code": s.dealer,
        "invoice_date": "2026-10-01",
        "amount": "100.00",
        "tax_amount": "11.50",
    }
    created = ok(integrator.post("/api/v1/invoices", json=body), 201)
    assert created["due_date"] == "2026-10-31"  # the dealer's 30 days of payment terms
    assert ok(integrator.post("/api/v1/invoices", json=body), 200) == created
    changed = integrator.post("/api/v1/invoices", json={**body, "amount": "101.00"})
    assert changed.status_code == 409
    assert changed.json()["code"] == "document_exists"

    cases = [
        ({**body, "invoice_no": unique("I"), "amount": 100.0}, "amount"),
        ({**body, "invoice_no": unique("I"), "order_no": other_order["order_no"]}, "order_no"),
        ({**body, "invoice_no": unique("I"), "dealer_code": "NO-SUCH"}, "dealer_code"),
        ({**body, "invoice_no": unique("I"), "due_date": "2026-09-01"}, "due_date"),
        ({**body, "invoice_no": unique("I"), "currency": "cny"}, "currency"),
    ]
    for bad, field in cases:
        answer = integrator.post("/api/v1/invoices", json=bad)
        assert answer.status_code == 422, (field, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    naive = {
        "payment_no": unique("P"),
        "dealer_code": s.dealer,
        "paid_at": "2026-10-01T10:00:00",
        "amount": "1.00",
    }
    assert integrator.post("/api/v1/payments", json=naive).status_code == 422
    zero = {**naive, "paid_at": "2026-10-01T10:00:00+08:00", "amount": "0.00"}
    refused = integrator.post("/api/v1/payments", json=zero)
    assert [e["field"] for e in refused.json()["errors"]] == ["amount"]
    foreign = {**zero, "amount": "1.00", "invoice_no": created["invoice_no"]}
    foreign["dealer_code"] = other.dealer
    assert [
        e["field"] for e in integrator.post("/api/v1/payments", json=foreign).json()["errors"]
    ] == ["invoice_no"]


def test_ageing_buckets_by_dealer_and_region(
    admin: httpx.Client, integrator: httpx.Client, live_server: LiveServer
) -> None:
    region, other_region = unique("RG"), unique("RG")
    a = shop(admin, products=[("1.0000", 1)], regions=[region], credit_limit="10000.00")
    b = shop(admin, products=[("1.0000", 1)], regions=[region, other_region], credit_limit=None)
    day = today()
    for dealer, amount, overdue in (
        (a.dealer, "10.00", -3),  # current
        (a.dealer, "20.00", 0),  # due today: current
        (a.dealer, "30.00", 1),
        (a.dealer, "40.00", 45),
        (b.dealer, "50.00", 75),
        (b.dealer, "60.00", 91),
    ):
        invoice(integrator, dealer, amount, due=day - timedelta(days=overdue))
    pay(integrator, b.dealer, "5.00")  # oldest due first: the over-90 invoice

    report = ok(admin.get("/api/v1/receivables/ageing", params={"region": region}))
    assert report["as_of"] == day.isoformat()
    rows = {r["dealer_code"]: r for r in report["items"]}
    assert rows[a.dealer]["buckets"] == {
        "current": "30.00",
        "1-30": "30.00",
        "31-60": "40.00",
        "61-90": "0.00",
        "over_90": "0.00",
    }
    assert (rows[a.dealer]["open"], rows[a.dealer]["overdue"]) == ("100.00", "70.00")
    assert (rows[a.dealer]["exposure"], rows[a.dealer]["headroom"]) == ("100.00", "9900.00")
    assert rows[b.dealer]["buckets"]["over_90"] == "55.00"
    assert rows[b.dealer]["headroom"] is None
    assert report["totals"]["open"] == "205.00"
    by_region = {r["region"]: r for r in report["regions"]}
    assert set(by_region) == {region}
    assert by_region[region]["overdue"] == "175.00"
    wide = ok(admin.get("/api/v1/receivables/ageing", params={"dealer_code": b.dealer}))
    assert {r["region"]: r["open"] for r in wide["regions"]} == {
        region: "105.00",
        other_region: "105.00",
    }

    with live_server.client(live_server.token_for(Role.MANAGER, regions=[other_region])) as boss:
        seen = ok(boss.get("/api/v1/receivables/ageing"))
        assert [r["dealer_code"] for r in seen["items"]] == [b.dealer]
        assert [r["region"] for r in seen["regions"]] == [other_region]
    with live_server.client(live_server.token_for(Role.DEALER, dealer_code=a.dealer)) as mine:
        own = ok(mine.get("/api/v1/receivables/ageing", params={"dealer_code": b.dealer}))
        assert own["items"] == []
        assert own["totals"]["open"] == "0.00"
        overdue = ok(mine.get("/api/v1/invoices", params={"overdue": "true"}))["items"]
        assert sorted(i["amount"] for i in overdue) == ["30.00", "40.00"]
