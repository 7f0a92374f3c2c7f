"""A statement as CSV: one table a spreadsheet opens as it is.

UTF-8 with a byte order mark, so Excel shows Chinese names and reasons right.
Columns: line_no, date, kind, document_no, reference, due_date, debit,
credit, balance, revision, dispute. The first row is the opening balance
(kind ``opening_balance``), the last the closing balance with the month's
debit and credit totals (kind ``closing_balance``).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from dms_domain.money import format_money

COLUMNS = (
    "line_no",
    "date",
    "kind",
    "document_no",
    "reference",
    "due_date",
    "debit",
    "credit",
    "balance",
    "revision",
    "dispute",
)


def _dispute_of(detail: dict[str, Any]) -> dict[int, str]:
    """The latest dispute status per line (open / adjusted / rejected)."""
    found: dict[int, str] = {}
    for dispute in detail["disputes"]:
        found[dispute["line_no"]] = dispute["status"]
    return found


def statement_csv(detail: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    last_day = detail["period_end"] - timedelta(days=1)
    writer.writerow(
        [
            "",
            detail["period_start"].isoformat(),
            "opening_balance",
            "",
            "",
            "",
            "",
            "",
            format_money(detail["opening_balance"]),
            "",
            "",
        ]
    )
    disputes = _dispute_of(detail)
    for line in detail["lines"]:
        writer.writerow(
            [
                line["line_no"],
                line["date"].isoformat(),
                line["kind"],
                line["document_no"],
                line["reference"] or "",
                line["due_date"].isoformat() if line["due_date"] else "",
                format_money(line["debit"]),
                format_money(line["credit"]),
                format_money(line["balance"]),
                "yes" if line["revision"] else "",
                disputes.get(line["line_no"], ""),
            ]
        )
    writer.writerow(
        [
            "",
            last_day.isoformat(),
            "closing_balance",
            "",
            "",
            "",
            format_money(detail["invoices_total"]),
            format_money(detail["credit_notes_total"] + detail["payments_total"]),
            format_money(detail["closing_balance"]),
            "",
            "",
        ]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
