"""POST /api/v1/auth/token: OAuth2 password form -> bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from dms_domain.errors import Refused
from hub.api.deps import ContainerDep
from hub.api.types import ResponseModel
from hub.auth.tokens import issue_token
from hub.services.users import authenticate

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class TokenOut(ResponseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


@router.post("/token", response_model=TokenOut)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], container: ContainerDep
) -> TokenOut:
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
    return TokenOut(access_token=token, expires_in=settings.token_ttl_seconds)
