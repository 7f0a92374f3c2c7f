from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.settings import Settings


def build(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_reads_dms_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMS_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("DMS_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("DMS_BUSINESS_TZ", "Europe/Berlin")
    settings = build()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.broker_url == "redis://127.0.0.1:6379/0"
    assert settings.business_tz == "Europe/Berlin"


def test_defaults_are_the_embedded_ones() -> None:
    settings = build()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.broker_url is None
    assert settings.business_tz == "Asia/Shanghai"


@pytest.mark.parametrize("key", [None, "short", "changeme"])
def test_production_refuses_a_missing_short_or_placeholder_secret(key: str | None) -> None:
    with pytest.raises(ValidationError, match="DMS_SECRET_KEY"):
        build(env="production", secret_key=key)


def test_production_accepts_a_long_random_secret_and_hides_it() -> None:
    settings = build(env="production", secret_key="k" * 40)
    assert settings.signing_key() == "k" * 40
    assert "kkkk" not in repr(settings)


def test_development_without_a_secret_signs_with_a_per_process_random_key() -> None:
    settings = build()
    first = settings.signing_key()
    assert len(first) >= 32
    assert settings.signing_key() == first
    assert build().signing_key() != first


def test_unknown_business_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        build(business_tz="Mars/Olympus")
