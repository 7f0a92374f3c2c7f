"""Liveness, readiness and metrics for operations."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from hub.api.deps import ContainerDep
from hub.api.problems import problem
from hub.broker_check import check_broker

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up. Touches nothing else on purpose."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(container: ContainerDep) -> JSONResponse:
    """The database and (when configured) the broker answer."""
    checks: dict[str, str] = {}
    try:
        container.db.ping()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"failed: {type(exc).__name__}"
        log.warning("readiness: database check failed: %s", exc)
    broker_url = container.settings.broker_url
    if broker_url:
        checks["broker"] = check_broker(broker_url)
    else:
        checks["broker"] = "in-process"
    if all(v in ("ok", "in-process") for v in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    return problem(503, "not_ready", "a dependency does not answer", checks=checks)


@router.get("/metrics", include_in_schema=True)
def metrics(container: ContainerDep) -> Response:
    body, content_type = container.metrics.render(*container.extra_registries)
    return Response(body, media_type=content_type)
