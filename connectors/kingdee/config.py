"""The Kingdee connector's settings: ``DMS_CONNECTORS__<NAME>__<SETTING>``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from connectors.base import ConnectorConfig
from dms_domain.errors import ConfigurationError

K3_MAX_LIMIT = 2000  # rows per ExecuteBillQuery call the connector asks for at most
AuthMode = Literal["password", "app_secret", "sign", "signed_headers"]
# What each way of signing in needs besides acct_id and user_name.
NEEDS: dict[str, tuple[str, ...]] = {
    "password": ("password",),
    "app_secret": ("app_id", "app_secret"),
    "sign": ("app_id", "app_secret"),
    "signed_headers": ("app_id", "app_secret"),
}


class KingdeeConfig(ConnectorConfig):
    system: Literal["kingdee"] = "kingdee"
    base_url: str  # the K3 Cloud root, e.g. https://erp.example.com/k3cloud
    acct_id: str = Field(min_length=1)  # the account set (数据中心) id
    user_name: str = Field(min_length=1)
    auth: AuthMode = "password"
    password: SecretStr | None = None
    app_id: str | None = None
    app_secret: SecretStr | None = None
    lcid: int = 2052
    org_number: str = Field(default="100", min_length=1)  # the sales organisation's number
    org_id: int = Field(default=0, ge=0)  # the organisation id the SDK's headers carry
    page_size: int = Field(default=100, ge=1, le=K3_MAX_LIMIT)
    cancel_by: Literal["void", "delete", "close"] = "void"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credentials_for_auth(self) -> KingdeeConfig:
        missing = []
        for name in NEEDS[self.auth]:
            value = getattr(self, name)
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            if not text or not str(text).strip():
                missing.append(name)
        if missing:
            raise ValueError(f"auth {self.auth} needs {', '.join(n.upper() for n in missing)}")
        return self

    def secret(self, name: Literal["password", "app_secret"]) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else ""


def _setting(loc: tuple[int | str, ...]) -> str:
    # A rule over several settings (the credentials an auth mode needs) has no field.
    return "__".join(str(part) for part in loc).upper() or "AUTH"


def parse_config(name: str, raw: Mapping[str, Any]) -> KingdeeConfig:
    """The settings, or a ConfigurationError naming each bad environment variable."""
    try:
        return KingdeeConfig.model_validate(dict(raw))
    except ValidationError as exc:
        prefix = f"DMS_CONNECTORS__{name.upper()}__"
        problems = [f"{prefix}{_setting(error['loc'])}: {error['msg']}" for error in exc.errors()]
        raise ConfigurationError(
            f"connector {name} (kingdee): " + "; ".join(problems), problems=problems
        ) from exc
