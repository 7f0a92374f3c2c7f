"""Dependencies shared by the routes: the container, the caller, role checks, paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from dms_domain.errors import Refused
from hub.auth.csrf import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, csrf_token_matches
from hub.auth.principal import Principal, Role
from hub.auth.tokens import InvalidToken, read_token
from hub.bootstrap import Container
from hub.services.api_keys import principal_for_key
from hub.services.users import load_active_user

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def _unauthenticated(detail: str) -> Refused:
    return Refused(detail, code="unauthorized", status=401)


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def _session_token(request: Request, container: Container) -> str | None:
    """The bearer token of the web pages' cookie session, once its CSRF proof
    has been checked for a request that changes something."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    if request.method not in SAFE_METHODS and not csrf_token_matches(
        request.headers.get(CSRF_HEADER), token, key=container.settings.signing_key()
    ):
        raise Refused(
            f"a request authenticated by the session cookie must send the {CSRF_HEADER} "
            "header given at login (GET /api/v1/auth/session)",
            code="csrf_failed",
            status=403,
        )
    return token


async def current_principal(
    request: Request,
    container: ContainerDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """Who is calling. Runs in the event loop: the signature check is cheap, and
    the database is asked (in a worker thread) only when the cache has no answer.
    An explicit credential (API key, Authorization header) wins over the cookie."""
    lookup: Callable[[Container, str], Principal | None]
    if not api_key and not token:
        token = _session_token(request, container)
    if api_key:
        credential, lookup = "k:" + api_key, _by_api_key
    elif token:
        try:
            username = read_token(token, key=container.settings.signing_key())
        except InvalidToken as exc:
            raise _unauthenticated(f"the bearer token is not valid: {exc}") from exc
        credential, lookup = "u:" + username, _by_username
    else:
        raise _unauthenticated("send a bearer token (POST /api/v1/auth/token) or an X-API-Key")
    cache = container.principals
    principal = cache.get(credential)
    if principal is None:
        principal = await run_in_threadpool(lookup, container, credential[2:])
        if principal is None:
            raise _unauthenticated(
                "the API key is unknown or revoked"
                if api_key
                else "the user of this token is disabled or gone"
            )
        cache.put(credential, principal)
    return principal


def _by_api_key(container: Container, credential: str) -> Principal | None:
    with container.db.read() as conn:
        return principal_for_key(conn, credential)


def _by_username(container: Container, credential: str) -> Principal | None:
    with container.db.read() as conn:
        return load_active_user(conn, credential)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def allow(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits only the given roles (403 for the others)."""
    allowed = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Refused(
                f"the {principal.role.value} role may not use this endpoint",
                code="forbidden",
                status=403,
            )
        return principal

    return check


Admin = Annotated[Principal, Depends(allow(Role.ADMIN))]
MasterDataWriter = Annotated[Principal, Depends(allow(Role.ADMIN, Role.INTEGRATOR))]
MasterDataReader = Annotated[Principal, Depends(allow(Role.ADMIN, Role.INTEGRATOR, Role.MANAGER))]
AnyRole = CurrentPrincipal

Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=500, description="page size (default 50, at most 500)")]
