"""One typed settings object, read from ``DMS_`` environment variables (or ``.env``).

Nothing here is read at import time: ``load_settings()`` is called by the
composition root (CLI or app factory), and tests build ``Settings`` directly.
"""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_KEY_LENGTH = 32
# Values people paste from examples; production must not run with them.
_PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "dev", "development"})
DEFAULT_DATABASE_URL = "sqlite:///./dms-hub.db"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


def _check_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"DMS_BUSINESS_TZ: unknown time zone {name!r}") from exc
    return name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DMS_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
        secrets_dir=None,
    )

    env: Environment = Environment.DEVELOPMENT
    database_url: str = DEFAULT_DATABASE_URL
    broker_url: str | None = None
    secret_key: SecretStr | None = None
    business_tz: Annotated[str, AfterValidator(_check_time_zone)] = "Asia/Shanghai"
    # Unset: JSON lines in production, text in development (hub/logs.py).
    log_format: Literal["json", "text"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Connectors: DMS_CONNECTORS__<NAME>__SYSTEM=generic, DMS_CONNECTORS__<NAME>__BASE_URL=...
    connectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # The connector that receives orders; a dealer's own ``erp.system`` overrides it.
    order_erp: str | None = None
    # The WMS connector that receives orders once their ERP confirmed them
    # (putSOData); unset: no warehouse leg.
    order_wms: str | None = None
    # Where mapping files live: unset means ./mappings when it exists, else the
    # mappings/ directory shipped beside the hub's packages.
    mappings_dir: str | None = None

    # Auth
    token_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    # How long a process may trust that a user or key is still enabled (0: ask
    # the database on every request).
    auth_cache_seconds: float = Field(default=2.0, ge=0, le=60)

    # HTTP
    http_threads: int = Field(default=8, ge=1, le=200)
    max_page_size: int = 500
    default_page_size: int = 50
    idempotency_ttl_hours: int = Field(default=24, ge=24)

    # Jobs: retries of transient failures (backoff doubles, with jitter)
    job_max_retries: int = Field(default=12, ge=0, le=100)
    job_min_backoff_ms: int = Field(default=1_000, ge=1)
    job_max_backoff_ms: int = Field(default=300_000, ge=1, le=86_400_000)
    # A dispatched outbox row is sent again after this long without being done
    # (its message lost with Redis, its worker killed). Longer than a job takes.
    outbox_redispatch_seconds: int = Field(default=120, ge=1)
    # How long a job may hold an order while it talks to the ERP; a killed
    # worker's lease blocks the order this long. Longer than any ERP call.
    order_lease_seconds: int = Field(default=300, ge=1)

    # Retention
    retention_outbox_days: int = Field(default=7, ge=1)
    retention_delivery_log_days: int = Field(default=30, ge=1)
    retention_alert_days: int = Field(default=180, ge=1)
    retention_interval_seconds: int = Field(default=3600, ge=10)
    # How often the scheduler enqueues each connector's reconciliation job.
    reconcile_interval_seconds: int = Field(default=3600, ge=10)

    # Settlement: how often the scheduler issues last month's statements and
    # sends payment reminders; the reminder days relative to due dates
    # (negative: before); the TrueType font embedded in statement PDFs.
    settlement_interval_seconds: int = Field(default=3600, ge=10)
    reminder_offsets_days: list[int] = Field(default_factory=lambda: [-7, -1, 1, 7, 30, 60, 90])
    statement_font: str | None = None
    # How often the scheduler enqueues the alert rules' evaluation and the VMI job.
    alert_evaluation_seconds: int = Field(default=300, ge=10)

    # Database pool (ignored by SQLite)
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> Self:
        if self.env is Environment.PRODUCTION:
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if len(key) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(
                    "DMS_SECRET_KEY must be set to at least "
                    f"{MIN_SECRET_KEY_LENGTH} characters when DMS_ENV=production"
                )
            if key.lower() in _PLACEHOLDER_SECRETS:
                raise ValueError("DMS_SECRET_KEY is a placeholder; generate a random one")
        return self

    def signing_key(self) -> str:
        """The key tokens are signed with.

        In development an unset key is replaced by a random one for this process,
        so tokens do not survive a restart: that is the point, nothing weak is kept.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        generated = getattr(self, "_generated_key", None)
        if generated is None:
            generated = secrets.token_urlsafe(48)
            object.__setattr__(self, "_generated_key", generated)
        return str(generated)

    @property
    def idempotency_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_ttl_hours)

    @property
    def mappings_path(self) -> Path:
        if self.mappings_dir:
            return Path(self.mappings_dir)
        local = Path("mappings")
        return local if local.is_dir() else Path(__file__).resolve().parent.parent / "mappings"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
