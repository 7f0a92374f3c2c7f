"""The composition root: builds everything the application needs from settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from connectors.port import Connector
from connectors.registry import ConnectorContext, build_connector
from hub.auth.cache import PrincipalCache
from hub.clock import Clock, SystemClock
from hub.db.engine import Database, make_engine
from hub.metrics import HubMetrics
from hub.metrics_db import DatabaseGauges
from hub.metrics_receivables import ReceivablesGauges
from hub.services.xref import DatabaseCrossReference
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
    # Connectors the API itself talks to (a WMS pushing confirmations), built
    # on first use; jobs build their own in their runtime.
    _connectors: dict[str, Connector] = field(default_factory=dict, init=False, repr=False)
    _connectors_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def connector(self, name: str) -> Connector | None:
        """The configured connector ``name``, built once; None if not configured."""
        config = self.settings.connectors.get(name)
        if config is None:
            return None
        with self._connectors_lock:
            built = self._connectors.get(name)
            if built is None:
                built = build_connector(name, config, connector_context(self, name))
                self._connectors[name] = built
            return built

    def close(self) -> None:
        with self._connectors_lock:
            for connector in self._connectors.values():
                connector.close()
            self._connectors.clear()
        self.db.dispose()


def connector_context(container: Container, name: str) -> ConnectorContext:
    """Cross-references are kept per connector NAME (a dealer's ``erp.system``
    and a product's ``erp_codes`` keys name a configured connector), so two
    connectors of one kind, say two SAP systems, keep their own codes."""
    return ConnectorContext(
        mappings_root=container.settings.mappings_path,
        xref_for=lambda _kind: DatabaseCrossReference(container.db, name),
    )


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
