"""The composition root: builds everything the application needs from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.auth.cache import PrincipalCache
from hub.clock import Clock, SystemClock
from hub.db.engine import Database, make_engine
from hub.metrics import HubMetrics
from hub.settings import Settings


@dataclass
class Container:
    settings: Settings
    db: Database
    metrics: HubMetrics
    principals: PrincipalCache
    clock: Clock = field(default_factory=SystemClock)

    def close(self) -> None:
        self.db.dispose()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Container:
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    return Container(
        settings=settings,
        db=Database(engine),
        metrics=HubMetrics(),
        principals=PrincipalCache(settings.auth_cache_seconds),
        clock=clock or SystemClock(),
    )
