"""Receivables and statements of the permission matrix's two dealers."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import unique
from tests.factories import ok

STATEMENT_MONTH = "2026-10"


def ledger_for(admin: httpx.Client, dealer_code: str) -> dict[str, str]:
    """An invoice, a payment and a credit note dated in STATEMENT_MONTH, and that
    month's statement; returns their numbers."""
    invoice = ok(admin.post("/api/v1/invoices", json=invoice_body(dealer_code)), 201)
    payment = ok(admin.post("/api/v1/payments", json=payment_body(dealer_code)), 201)
    credit = ok(admin.post("/api/v1/credit-notes", json=credit_note_body(dealer_code)), 201)
    ok(admin.post(f"/api/v1/statements/{dealer_code}/{STATEMENT_MONTH}"), 201)
    return {
        "invoice": invoice["invoice_no"],
        "payment": payment["payment_no"],
        "credit_note": credit["credit_note_no"],
    }


def invoice_body(dealer_code: str) -> dict[str, Any]:
    return {
        "invoice_no": unique("INV"),
        "dealer_code": dealer_code,
        "invoice_date": f"{STATEMENT_MONTH}-05",
        "amount": "10.00",
        "tax_amount": "1.15",
    }


def payment_body(dealer_code: str) -> dict[str, Any]:
    return {
        "payment_no": unique("PAY"),
        "dealer_code": dealer_code,
        "paid_at": f"{STATEMENT_MONTH}-20T10:00:00+08:00",
        "amount": "4.00",
    }


def credit_note_body(dealer_code: str) -> dict[str, Any]:
    return {
        "credit_note_no": unique("CN"),
        "dealer_code": dealer_code,
        "issued_at": f"{STATEMENT_MONTH}-21T10:00:00+08:00",
        "amount": "1.00",
    }
