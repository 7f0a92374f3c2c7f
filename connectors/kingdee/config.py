"""The Kingdee connector's settings: ``DMS_CONNECTORS__<NAME>__<SETTING>``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from connectors.base import ConnectorConfig, http_url, parse_settings

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
    # Checked even when absent (validate_default): which are needed depends on auth.
    password: SecretStr | None = Field(default=None, validate_default=True)
    app_id: str | None = Field(default=None, validate_default=True)
    app_secret: SecretStr | None = Field(default=None, validate_default=True)
    lcid: int = 2052
    org_number: str = Field(default="100", min_length=1)  # the sales organisation's number
    org_id: int = Field(default=0, ge=0)  # the organisation id the SDK's headers carry
    page_size: int = Field(default=100, ge=1, le=K3_MAX_LIMIT)
    cancel_by: Literal["void", "delete", "close"] = "void"

    _base_url = field_validator("base_url")(http_url)

    @field_validator("password", "app_id", "app_secret")
    @classmethod
    def _needed_by_auth(
        cls, value: SecretStr | str | None, info: ValidationInfo
    ) -> SecretStr | str | None:
        auth = info.data.get("auth")
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if auth is not None and info.field_name in NEEDS[auth] and not (text or "").strip():
            raise ValueError(f"needed when AUTH is {auth}")
        return value

    def secret(self, name: Literal["password", "app_secret"]) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else ""


def parse_config(name: str, raw: Mapping[str, Any]) -> KingdeeConfig:
    """The settings, or a ConfigurationError naming each bad environment variable."""
    return parse_settings(KingdeeConfig, name, raw)
