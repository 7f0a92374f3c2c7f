"""Receivables gauges, computed from the database at scrape time (one
collector in the API process, like hub/metrics_db.py): the open and overdue
amounts by ageing bucket, over every dealer (no dealer labels: /metrics is
unauthenticated and must not expose dealer data)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dms_domain.receivables import BUCKETS, OVERDUE_BUCKETS, ZERO, Bucket, business_date
from hub.clock import Clock
from hub.db.engine import Database
from hub.services.ageing import open_by_bucket


class ReceivablesGauges(Collector):
    def __init__(self, db: Database, clock: Clock, tz: str) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz

    def collect(self) -> Iterator[GaugeMetricFamily]:
        today = business_date(self.clock.now(), self.tz)
        totals = dict.fromkeys(BUCKETS, ZERO)
        with self.db.read() as conn:
            for row in conn.execute(open_by_bucket(today)):
                totals[Bucket(row.bucket)] += row.amount
        overdue = GaugeMetricFamily(
            "dms_receivables_overdue_amount",
            "Open receivables past their due date, by ageing bucket (days overdue, business "
            "time zone), in the ledger's currency.",
            labels=["bucket"],
        )
        for bucket in OVERDUE_BUCKETS:
            overdue.add_metric([bucket.value], float(totals[bucket]))
        open_ = GaugeMetricFamily(
            "dms_receivables_open_amount",
            "Open receivables by ageing bucket, current (not yet due) included.",
            labels=["bucket"],
        )
        for bucket in BUCKETS:
            open_.add_metric([bucket.value], float(totals[bucket]))
        yield overdue
        yield open_
