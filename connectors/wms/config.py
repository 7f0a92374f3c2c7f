"""The WMS connector's settings: ``DMS_CONNECTORS__<NAME>__<SETTING>``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator

from connectors.base import ConnectorConfig, parse_settings

WMS_MAX_PAGE = 500  # the most lines FLUX gives per query


class FluxWmsConfig(ConnectorConfig):
    system: Literal["wms"] = "wms"
    base_url: str  # FLUX's endpoint, e.g. http://wms:8080/datahub/FluxWmsJsonApi/
    app_key: str
    app_secret: SecretStr
    app_token: str = ""
    client_customerid: str  # who the hub is to the WMS (system parameter)
    client_db: str = "FLUXWMS"
    customer_id: str | None = None  # the goods' owner (CUSTOMERID); default client_customerid
    order_type: str = "SO"
    page_size: int = Field(default=100, ge=1, le=WMS_MAX_PAGE)
    # A pushed confirmation whose timestamp is further than this from the hub's
    # clock is refused (a replayed or held-back message).
    confirm_window_seconds: int = Field(default=300, ge=10, le=86_400)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("app_secret")
    @classmethod
    def _secret_set(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @property
    def owner(self) -> str:
        return self.customer_id or self.client_customerid


def parse_config(name: str, raw: Mapping[str, Any]) -> FluxWmsConfig:
    """The settings, or a ConfigurationError naming each bad environment variable."""
    return parse_settings(FluxWmsConfig, name, raw)
