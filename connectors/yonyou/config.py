"""The U8 connector's settings: ``DMS_CONNECTORS__<NAME>__<SETTING>``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator

from connectors.base import ConnectorConfig
from dms_domain.errors import ConfigurationError


class U8StagingConfig(ConnectorConfig):
    system: Literal["yonyou"] = "yonyou"
    # The staging database: a SQLAlchemy URL or an ODBC connection string. It
    # usually holds a password, hence secret (from the environment, never a file).
    target: SecretStr
    lease_seconds: float = Field(default=300.0, gt=0, le=86_400)
    max_attempts: int = Field(default=5, ge=1, le=100)
    page_size: int = Field(default=500, ge=1, le=5_000)
    pool_size: int = Field(default=4, ge=1, le=64)
    # How long a page claimed ahead (a feed with a backlog) waits for the pull
    # that asks for it before it is given back; 0 turns reading ahead off.
    read_ahead_seconds: float = Field(default=2.0, ge=0, le=300)

    @field_validator("target")
    @classmethod
    def _target_set(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value


def parse_config(name: str, raw: Mapping[str, Any]) -> U8StagingConfig:
    """The settings, or a ConfigurationError naming each bad environment variable."""
    try:
        return U8StagingConfig.model_validate(dict(raw))
    except ValidationError as exc:
        prefix = f"DMS_CONNECTORS__{name.upper()}__"
        problems = [
            f"{prefix}{'__'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        ]
        raise ConfigurationError(
            f"connector {name} (yonyou): " + "; ".join(problems), problems=problems
        ) from exc
