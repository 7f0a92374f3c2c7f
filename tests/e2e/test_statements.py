"""Monthly statements over a live server: a month of activity for several
dealers, arithmetic to the cent, frozen once issued, confirm and dispute with
resolution, audit trail, scope, CSV and PDF (with Chinese text)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal
from random import Random
from typing import Any

import httpx
import pytest

from hub.auth.principal import Role
from tests.conftest import LiveServer, service_unavailable, unique
from tests.factories import dealer, ok

D = Decimal
OPENING_MONTH, MONTH, NEXT_MONTH = "2026-07", "2026-08", "2026-09"


def post(client: httpx.Client, route: str, body: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(client.post(route, json=body), 201))


def invoice(client: httpx.Client, code: str, day: str, amount: Decimal) -> str:
    number = unique("INV")
    body = {
        "invoice_no": number,
        "dealer_code": code,
        "invoice_date": day,
        "amount": str(amount),
        "tax_amount": "0.00",
    }
    post(client, "/api/v1/invoices", body)
    return number


def payment(client: httpx.Client, code: str, at: str, amount: Decimal) -> str:
    number = unique("PAY")
    body = {"payment_no": number, "dealer_code": code, "paid_at": at, "amount": str(amount)}
    post(client, "/api/v1/payments", body)
    return number


def credit_note(client: httpx.Client, code: str, at: str, amount: Decimal) -> str:
    number = unique("CN")
    body = {"credit_note_no": number, "dealer_code": code, "issued_at": at, "amount": str(amount)}
    post(client, "/api/v1/credit-notes", body)
    return number


def cents(rng: Random) -> Decimal:
    return D(rng.randint(1, 500_000)) / 100


def a_month_of_activity(client: httpx.Client, code: str, seed: int) -> dict[str, Decimal]:
    """Documents before, in and after MONTH; what MONTH's statement must say."""
    rng = Random(seed)
    opening = D("0.00")
    for _ in range(2):  # July: carried in the opening balance
        amount = cents(rng)
        invoice(client, code, f"{OPENING_MONTH}-{rng.randint(1, 28):02d}", amount)
        opening += amount
    paid = cents(rng)
    payment(client, code, f"{OPENING_MONTH}-20T09:00:00+08:00", paid)
    opening -= paid
    totals = {"invoices": D("0.00"), "credit_notes": D("0.00"), "payments": D("0.00")}
    for _ in range(4):
        amount = cents(rng)
        invoice(client, code, f"{MONTH}-{rng.randint(1, 31):02d}", amount)
        totals["invoices"] += amount
    for _ in range(2):
        amount = cents(rng)
        payment(client, code, f"{MONTH}-{rng.randint(1, 31):02d}T15:00:00+08:00", amount)
        totals["payments"] += amount
    amount = cents(rng)
    credit_note(client, code, f"{MONTH}-{rng.randint(1, 31):02d}T10:00:00+08:00", amount)
    totals["credit_notes"] += amount
    # Business time zone: 00:30 on 1 August in Shanghai is still July in UTC.
    amount = cents(rng)
    payment(client, code, "2026-07-31T16:30:00Z", amount)
    totals["payments"] += amount
    # ...and 01:30 on 1 September in Shanghai is still August in UTC: not on August's.
    payment(client, code, "2026-08-31T17:30:00Z", cents(rng))
    invoice(client, code, f"{NEXT_MONTH}-03", cents(rng))
    totals["opening"] = opening
    return totals


@pytest.fixture
def integrator(live_server: LiveServer) -> Any:
    with live_server.client(live_server.token_for(Role.INTEGRATOR)) as client:
        yield client


def test_a_month_for_several_dealers_adds_up_to_the_cent_and_stays_frozen(
    admin: httpx.Client, integrator: httpx.Client
) -> None:
    codes = [dealer(admin, name=f"华东经销商 {n}") for n in range(3)]
    expected = {code: a_month_of_activity(integrator, code, n) for n, code in enumerate(codes)}
    issued = {}
    for code in codes:
        statement = ok(integrator.post(f"/api/v1/statements/{code}/{MONTH}"), 201)
        want = expected[code]
        assert D(statement["opening_balance"]) == want["opening"]
        assert D(statement["invoices_total"]) == want["invoices"]
        assert D(statement["credit_notes_total"]) == want["credit_notes"]
        assert D(statement["payments_total"]) == want["payments"]
        closing = want["opening"] + want["invoices"] - want["credit_notes"] - want["payments"]
        assert D(statement["closing_balance"]) == closing
        assert len(statement["lines"]) == 8
        assert statement["lines"][-1]["balance"] == statement["closing_balance"]
        assert (statement["status"], statement["period_end"]) == ("issued", "2026-08-31")
        assert [h["action"] for h in statement["history"]] == ["issue"]
        issued[code] = statement

    # Frozen: issuing again answers the same statement; a late document dated in
    # August changes nothing on it and lands on September's.
    code = codes[0]
    late = invoice(integrator, code, f"{MONTH}-15", D("99.99"))
    again = ok(integrator.post(f"/api/v1/statements/{code}/{MONTH}"), 200)
    assert again == issued[code]
    september = ok(admin.post(f"/api/v1/statements/{code}/{NEXT_MONTH}"), 201)
    assert september["opening_balance"] == issued[code]["closing_balance"]
    assert (september["lines"][0]["document_no"], september["lines"][0]["date"]) == (
        late,
        f"{MONTH}-15",
    )
    listed = ok(admin.get("/api/v1/statements", params={"dealer_code": code}))["items"]
    assert [s["month"] for s in listed] == [NEXT_MONTH, MONTH]
    assert ok(admin.get(f"/api/v1/statements/{code}/{MONTH}")) == issued[code]

    out_of_order = admin.post(f"/api/v1/statements/{code}/{OPENING_MONTH}")
    assert (out_of_order.status_code, out_of_order.json()["code"]) == (409, "statement_order")
    not_over = admin.post(f"/api/v1/statements/{code}/2099-01")
    assert (not_over.status_code, not_over.json()["code"]) == (409, "period_open")
    bad = admin.post(f"/api/v1/statements/{code}/2026-13")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "month"


def test_confirm_dispute_resolve_with_an_audit_trail_and_scope(
    admin: httpx.Client, integrator: httpx.Client, live_server: LiveServer
) -> None:
    mine, other = dealer(admin), dealer(admin)
    for code in (mine, other):
        invoice(integrator, code, f"{MONTH}-05", D("100.00"))
        invoice(integrator, code, f"{MONTH}-06", D("50.00"))
        ok(integrator.post(f"/api/v1/statements/{code}/{MONTH}"), 201)
    path = f"/api/v1/statements/{mine}/{MONTH}"
    first = ok(admin.get(path))

    with live_server.client(live_server.token_for(Role.DEALER, dealer_code=other)) as stranger:
        assert stranger.get(path).status_code == 404
        assert stranger.get(path + "/csv").status_code == 404
        assert stranger.get(path + "/pdf").status_code == 404
        assert stranger.post(path + "/confirm").status_code == 404
        body = {"lines": [{"line_no": 1, "reason": "not ours"}]}
        assert stranger.post(path + "/dispute", json=body).status_code == 404
        assert ok(stranger.get("/api/v1/statements", params={"dealer_code": mine}))["items"] == []

    with live_server.client(live_server.token_for(Role.DEALER, dealer_code=mine)) as client:
        bad = client.post(path + "/dispute", json={"lines": [{"line_no": 9, "reason": "x"}]})
        assert [e["field"] for e in bad.json()["errors"]] == ["lines[0].line_no"]
        disputed = ok(
            client.post(
                path + "/dispute",
                json={
                    "lines": [
                        {"line_no": 1, "reason": "单价不对: 少了返利"},
                        {"line_no": 2, "reason": "never received"},
                    ]
                },
            )
        )
        assert disputed["status"] == "disputed"
        refused = client.post(path + "/confirm")
        assert (refused.status_code, refused.json()["code"]) == (409, "open_disputes")
        again = client.post(path + "/dispute", json={"lines": [{"line_no": 1, "reason": "x"}]})
        assert (again.status_code, again.json()["code"]) == (409, "line_disputed")
        rebate, missing = (d["id"] for d in disputed["disputes"])

        with live_server.client(live_server.token_for(Role.DEALER, dealer_code=mine)) as same:
            forbidden = same.post(
                f"{path}/disputes/{rebate}/resolve", json={"outcome": "rejected", "reason": "x"}
            )
            assert forbidden.status_code == 403
        adjusted = ok(
            integrator.post(
                f"{path}/disputes/{rebate}/resolve",
                json={"outcome": "adjusted", "reason": "返利 5 元", "amount": "5.00"},
            )
        )
        assert adjusted["status"] == "disputed"  # one dispute still open
        open_ = ok(admin.get("/api/v1/statement-disputes", params={"dealer_code": mine}))
        assert {(d["id"], d["status"]) for d in open_["items"]} == {
            (rebate, "adjusted"),
            (missing, "open"),
        }
        no_amount = integrator.post(
            f"{path}/disputes/{missing}/resolve", json={"outcome": "adjusted", "reason": "x"}
        )
        assert [e["field"] for e in no_amount.json()["errors"]] == ["amount"]
        resolved = ok(
            admin.post(
                f"{path}/disputes/{missing}/resolve",
                json={"outcome": "rejected", "reason": "signed delivery note 2026-08-07"},
            )
        )
        assert resolved["status"] == "resolved"
        twice = admin.post(
            f"{path}/disputes/{missing}/resolve", json={"outcome": "rejected", "reason": "x"}
        )
        assert (twice.status_code, twice.json()["code"]) == (409, "dispute_closed")
        confirmed = ok(client.post(path + "/confirm"))
        assert confirmed["status"] == "confirmed"
        late = client.post(path + "/dispute", json={"lines": [{"line_no": 2, "reason": "x"}]})
        assert (late.status_code, late.json()["code"]) == (409, "statement_confirmed")

    # The adjustment is a credit note for the dealer, on the next statement.
    adjustment = next(d for d in confirmed["disputes"] if d["id"] == rebate)
    note = ok(admin.get(f"/api/v1/credit-notes/{adjustment['credit_note_no']}"))
    assert (note["amount"], note["dealer_code"]) == ("5.00", mine)
    # The statement itself never changed: only its status, disputes and history.
    frozen = ("lines", "opening_balance", "closing_balance", "invoices_total", "issued_at")
    assert {k: confirmed[k] for k in frozen} == {k: first[k] for k in frozen}
    assert [(h["action"], h["actor_role"]) for h in confirmed["history"]] == [
        ("issue", "integrator"),
        ("dispute", "dealer"),
        ("resolve", "integrator"),
        ("resolve", "admin"),
        ("confirm", "dealer"),
    ]
    assert confirmed["history"][3]["details"]["reason"] == "signed delivery note 2026-08-07"


def test_csv_and_pdf_downloads(admin: httpx.Client, integrator: httpx.Client) -> None:
    code = dealer(admin, name="华南经销商 广州")
    number = invoice(integrator, code, f"{MONTH}-05", D("1234.50"))
    payment(integrator, code, f"{MONTH}-09T10:00:00+08:00", D("234.50"))
    ok(integrator.post(f"/api/v1/statements/{code}/{MONTH}"), 201)

    answer = admin.get(f"/api/v1/statements/{code}/{MONTH}/csv")
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [(r["kind"], r["document_no"], r["debit"], r["credit"], r["balance"]) for r in rows] == [
        ("opening_balance", "", "", "", "0.00"),
        ("invoice", number, "1234.50", "0.00", "1234.50"),
        ("payment", rows[2]["document_no"], "0.00", "234.50", "1000.00"),
        ("closing_balance", "", "1234.50", "234.50", "1000.00"),
    ]

    pdf = admin.get(f"/api/v1/statements/{code}/{MONTH}/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"/FontFile2" in pdf.content  # the CJK font is embedded
    if shutil.which("pdftotext") is None:
        # A skip on a laptop without poppler-utils; a failure in CI, which installs it.
        service_unavailable(
            "pdftotext (poppler-utils, scripts/install-system-packages)",
            FileNotFoundError("pdftotext is not on PATH"),
        )
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    for expected in ("对账单", "华南经销商 广州", "期末余额", "1000.00", number):
        assert expected in text, expected
