"""The FastAPI application factory: the HTTP edge of the composition root."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from hub.api import problems
from hub.api.correlation import CorrelationMiddleware
from hub.api.routes import (
    admin,
    alerts,
    auth,
    catalog,
    dealers,
    mappings,
    ops,
    orders,
    promotions,
    receivables,
    replenishment,
    reports,
    statements,
    stock,
    sync,
    webhooks,
    wms,
)
from hub.bootstrap import Container, bootstrap
from hub.gil import shorten_switch_interval
from hub.jobs.in_process import InProcessJobs
from hub.metrics import HttpMetricsMiddleware
from hub.settings import load_settings
from hub.web import mount as mount_web

log = logging.getLogger(__name__)

DESCRIPTION = """
dms-hub: dealer ordering, master data and integration hub.

Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) and send the
token as `Authorization: Bearer ...`, or send an API key as `X-API-Key`.
Money is a decimal string ("1234.50"); times carry an offset. Every error is an
RFC 9457 problem document with a stable `code`.
"""


def create_app(
    container: Container, *, own_container: bool = False, run_jobs: bool = False
) -> FastAPI:
    """The app. ``run_jobs`` runs the job worker and scheduler inside this
    process: the embedded default, which has no broker."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync routes run in this many threads. More threads than the database
        # can serve at once only add GIL and row-lock contention: the rest of the
        # requests wait in the event loop, which costs nothing.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = container.settings.http_threads
        jobs = InProcessJobs.start(container) if run_jobs else None
        yield
        if jobs is not None:
            jobs.stop()
        if own_container:
            container.close()

    app = FastAPI(
        title="dms-hub",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.container = container
    problems.install(app)
    for module in (
        ops,
        auth,
        admin,
        dealers,
        catalog,
        stock,
        promotions,
        orders,
        receivables,
        statements,
        sync,
        mappings,
        webhooks,
        wms,
        alerts,
        reports,
        replenishment,
    ):
        app.include_router(module.router)
    mount_web(app)
    app.add_middleware(HttpMetricsMiddleware, metrics=container.metrics)
    # Added last, so outermost: problems and metrics run with the id bound.
    app.add_middleware(CorrelationMiddleware)
    return app


def app_from_env() -> FastAPI:
    """Uvicorn factory (``hub.api.app:app_from_env``): settings from the environment."""
    shorten_switch_interval()
    settings = load_settings()
    return create_app(bootstrap(settings), own_container=True, run_jobs=settings.broker_url is None)
