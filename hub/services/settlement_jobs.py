"""The scheduled settlement work: last month's statements and payment reminders.

Each dealer's statement is issued in its own transaction, so one dealer's
failure (logged) does not hold up the others; a second run finds nothing to do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from dms_domain.receivables import business_date
from dms_domain.statements import last_closed_month
from hub.db.engine import Database
from hub.services.reminders import send_reminders
from hub.services.statements import SCHEDULER, dealers_due_a_statement, issue_statement

log = logging.getLogger(__name__)


def issue_due_statements(db: Database, *, now: datetime, tz: str) -> list[str]:
    """Issue the last closed month's statement of every dealer with ledger
    activity that has none yet; returns the dealers done."""
    month = last_closed_month(business_date(now, tz))
    with db.read() as conn:
        due = dealers_due_a_statement(conn, month, tz)
    done = []
    for dealer_code in due:
        try:
            with db.transaction() as conn:
                issue_statement(conn, dealer_code, month, actor=SCHEDULER, now=now, tz=tz)
            done.append(dealer_code)
        except Exception:
            log.exception("statement %s/%s could not be issued", dealer_code, month)
    return done


def remind(db: Database, *, now: datetime, tz: str, offsets: Sequence[int]) -> int:
    with db.transaction() as conn:
        return send_reminders(conn, now=now, tz=tz, offsets=offsets)
