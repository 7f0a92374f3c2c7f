"""The composition root: builds everything the application needs from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from hub.auth.cache import PrincipalCache
from hub.clock import Clock, SystemClock
from hub.db.engine import Database, make_engine
from hub.metrics import HubMetrics
from hub.metrics_db import DatabaseGauges
from hub.metrics_receivables import ReceivablesGauges
from hub.settings import Settings


@dataclass
class Container:
    settings: Settings
    db: Database
    metrics: HubMetrics
    principals: PrincipalCache
    clock: Clock = field(default_factory=SystemClock)
    # Registries shown by /metrics besides the HTTP ones: database gauges, and
    # the job metrics when jobs run inside this process.
    extra_registries: list[CollectorRegistry] = field(default_factory=list)

    def close(self) -> None:
        self.db.dispose()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Container:
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    db = Database(engine)
    clock = clock or SystemClock()
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(DatabaseGauges(db, clock))
    gauges.register(ReceivablesGauges(db, clock, settings.business_tz))
    return Container(
        settings=settings,
        db=db,
        metrics=HubMetrics(),
        principals=PrincipalCache(settings.auth_cache_seconds),
        clock=clock,
        extra_registries=[gauges],
    )
