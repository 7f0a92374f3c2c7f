"""The generic connector's settings: ``DMS_CONNECTORS__<NAME>__<SETTING>``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator

from connectors.base import ConnectorConfig, http_url, parse_settings

ERP_MAX_PAGE = 1000  # the most records the ERP gives per call


class GenericRestConfig(ConnectorConfig):
    system: Literal["generic"] = "generic"
    base_url: str
    api_key: SecretStr
    api_key_header: str = "X-API-Key"
    page_size: int = Field(default=100, ge=1, le=ERP_MAX_PAGE)

    _http_url = field_validator("base_url")(http_url)

    @field_validator("api_key")
    @classmethod
    def _api_key_set(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value


def parse_config(name: str, raw: Mapping[str, Any]) -> GenericRestConfig:
    """The settings, or a ConfigurationError naming each bad environment variable."""
    return parse_settings(GenericRestConfig, name, raw)
