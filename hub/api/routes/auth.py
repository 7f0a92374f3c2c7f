"""Logging in: ``POST /api/v1/auth/token`` (OAuth2 password form -> bearer
token) for API clients, and ``/api/v1/auth/session`` for the web pages, which
keep the same token in an HttpOnly cookie and prove each change with a CSRF
token (hub/auth/csrf.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from dms_domain.errors import Refused
from hub.api.deps import ContainerDep, CurrentPrincipal
from hub.api.types import ResponseModel
from hub.auth.csrf import LOGIN_HEADER, SESSION_COOKIE, csrf_token_for
from hub.auth.principal import Principal
from hub.auth.tokens import issue_token
from hub.bootstrap import Container
from hub.services.users import authenticate
from hub.settings import Environment

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class TokenOut(ResponseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class SessionOut(ResponseModel):
    username: str
    role: str
    dealer_code: str | None
    regions: list[str]
    csrf_token: str | None
    expires_in: int | None


@router.post("/token", response_model=TokenOut)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], container: ContainerDep
) -> TokenOut:
    _, token = _issue(container, form)
    return TokenOut(access_token=token, expires_in=container.settings.token_ttl_seconds)


@router.post("/session", response_model=SessionOut)
def open_session(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    container: ContainerDep,
    request: Request,
    response: Response,
) -> SessionOut:
    """Log in for the web pages: the token goes into an HttpOnly cookie that
    scripts cannot read; the answer carries the CSRF token to send as
    ``X-CSRF-Token`` on every POST, PUT and DELETE.

    The request must carry ``X-Requested-With``: a form on another site can
    post a user name and password but cannot add a header (and a script on
    another site may not, without CORS), so no site can log a visitor into an
    account of its choosing."""
    if not request.headers.get(LOGIN_HEADER):
        raise Refused(
            f"a session is opened by the web pages: send the {LOGIN_HEADER} header",
            code="csrf_failed",
            status=403,
        )
    settings = container.settings
    principal, token = _issue(container, form)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_ttl_seconds,
        path="/",
        httponly=True,
        samesite="strict",
        # Production is served over TLS (docs/operations.md); in development
        # the hub runs on plain http://127.0.0.1.
        secure=settings.env is Environment.PRODUCTION or request.url.scheme == "https",
    )
    return _session(principal, container, token, settings.token_ttl_seconds)


@router.get("/session", response_model=SessionOut)
def read_session(
    principal: CurrentPrincipal, container: ContainerDep, request: Request
) -> SessionOut:
    """Who is logged in, and the CSRF token again (a reloaded page asks here)."""
    return _session(principal, container, request.cookies.get(SESSION_COOKIE), None)


@router.delete("/session", status_code=204)
def close_session(_: CurrentPrincipal, response: Response) -> Response:
    """Log out: the cookie is dropped (the token itself expires on its own)."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    response.status_code = 204
    return response


def _session(
    principal: Principal, container: Container, token: str | None, expires_in: int | None
) -> SessionOut:
    return SessionOut(
        username=principal.name,
        role=principal.role.value,
        dealer_code=principal.dealer_code,
        regions=sorted(principal.regions),
        csrf_token=csrf_token_for(token, key=container.settings.signing_key()) if token else None,
        expires_in=expires_in,
    )


def _issue(container: Container, form: OAuth2PasswordRequestForm) -> tuple[Principal, str]:
    settings = container.settings
    now = container.clock.now()
    with container.db.transaction() as conn:
        principal = authenticate(
            conn,
            username=form.username,
            password=form.password,
            now=now,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_failure_window_seconds,
        )
    if principal is None:
        raise Refused("wrong username or password", code="unauthorized", status=401)
    token = issue_token(
        principal.name, key=settings.signing_key(), ttl_seconds=settings.token_ttl_seconds, now=now
    )
    return principal, token
