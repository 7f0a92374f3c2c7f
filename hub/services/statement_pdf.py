"""A statement as PDF (对账单), with Chinese text.

The CJK font is embedded (design.md), so the PDF reads the same on any
machine: WenQuanYi Micro Hei from the Debian package fonts-wqy-microhei
(scripts/install-system-packages), or the TrueType file ``DMS_STATEMENT_FONT``
names. Without either, the PDF names Adobe's STSong-Light CID font, which PDF
readers with Asian font support render but which is not embedded; a warning
is logged.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dms_domain.money import format_money

log = logging.getLogger(__name__)
EMBEDDED = "DmsCjk"
FALLBACK = "STSong-Light"
DEFAULT_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
KIND_LABELS = {
    "invoice": "发票 invoice",
    "credit_note": "红字发票 credit note",
    "payment": "收款 payment",
}
STATUS_LABELS = {
    "issued": "已出具 issued",
    "disputed": "有异议 disputed",
    "resolved": "异议已处理 resolved",
    "confirmed": "已确认 confirmed",
}


@cache
def cjk_font(font_file: str | None = None) -> str:
    """Register the CJK font once per process; its name for the styles."""
    for candidate in (font_file, *DEFAULT_FONT_FILES):
        if candidate and Path(candidate).is_file():
            pdfmetrics.registerFont(TTFont(EMBEDDED, candidate, subfontIndex=0))
            return EMBEDDED
    log.warning("no CJK TrueType font found: statement PDFs name %s without embedding it", FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK


def statement_pdf(detail: dict[str, Any], *, font_file: str | None = None) -> bytes:
    font = cjk_font(font_file)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=10)
    last_day = detail["period_end"] - timedelta(days=1)
    currency = detail["currency"]

    def text(value: object, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(value)), style)

    story: list[Any] = [
        text(f"对账单 Statement {detail['month']}", title),
        Spacer(1, 4 * mm),
        text(f"经销商 Dealer: {detail['dealer_code']} {detail['dealer_name']}"),
        text(f"期间 Period: {detail['period_start']} – {last_day}    币种 Currency: {currency}"),
        text(
            f"状态 Status: {STATUS_LABELS.get(detail['status'], detail['status'])}    "
            f"出具 Issued: {detail['issued_at']:%Y-%m-%d %H:%M} UTC"
        ),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Any]] = [
        [
            text(h, small)
            for h in (
                "#",
                "日期 Date",
                "类型 Kind",
                "单号 Document",
                "关联 Ref",
                "借方 Debit",
                "贷方 Credit",
                "余额 Balance",
            )
        ],
        [
            "",
            str(detail["period_start"]),
            text("期初余额 Opening balance", small),
            "",
            "",
            "",
            "",
            format_money(detail["opening_balance"]),
        ],
    ]
    for line in detail["lines"]:
        label = KIND_LABELS.get(line["kind"], line["kind"])
        if line["revision"]:
            label += " (更正 revision)"
        rows.append(
            [
                str(line["line_no"]),
                str(line["date"]),
                text(label, small),
                text(line["document_no"], small),
                text(line["reference"] or "", small),
                format_money(line["debit"]) if line["debit"] else "",
                format_money(line["credit"]) if line["credit"] else "",
                format_money(line["balance"]),
            ]
        )
    rows.append(
        [
            "",
            str(last_day),
            text("期末余额 Closing balance", small),
            "",
            "",
            format_money(detail["invoices_total"]),
            format_money(detail["credit_notes_total"] + detail["payments_total"]),
            format_money(detail["closing_balance"]),
        ]
    )
    table = Table(
        rows,
        colWidths=[8 * mm, 20 * mm, 34 * mm, 30 * mm, 26 * mm, 22 * mm, 22 * mm, 24 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (5, 1), (-1, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 4 * mm),
        text(
            f"期初 Opening {format_money(detail['opening_balance'])} + 发票 Invoices "
            f"{format_money(detail['invoices_total'])} − 红字发票 Credit notes "
            f"{format_money(detail['credit_notes_total'])} − 收款 Payments "
            f"{format_money(detail['payments_total'])} = 期末 Closing "
            f"{format_money(detail['closing_balance'])}"
        ),
    ]
    for dispute in detail["disputes"]:
        story.append(
            text(
                f"异议 Dispute #{dispute['id']} 第 {dispute['line_no']} 行 line: "
                f"{dispute['reason']} — {dispute['status']}"
                + (f": {dispute['resolution']}" if dispute["resolution"] else ""),
                small,
            )
        )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Statement {detail['dealer_code']} {detail['month']}",
        author="dms-hub",
    )
    document.build(story)
    return buffer.getvalue()
