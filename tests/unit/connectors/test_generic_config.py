"""The generic connector's settings: read from the environment's strings, and
every bad one named by its environment variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.generic import create
from connectors.generic.config import parse_config
from connectors.mapping import InMemoryCrossReference
from connectors.registry import ConnectorContext
from dms_domain.errors import ConfigurationError

GOOD = {"system": "generic", "base_url": "https://erp.example.com/api/", "api_key": "k" * 32}


def test_settings_come_as_text_from_the_environment() -> None:
    config = parse_config("erp_east", {**GOOD, "timeout_seconds": "0.5", "page_size": "50"})

    assert (config.base_url, config.timeout_seconds, config.page_size) == (
        "https://erp.example.com/api",
        0.5,
        50,
    )
    assert config.api_key.get_secret_value() == "k" * 32
    assert "k" * 32 not in repr(config)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"system": "generic"}, ["__BASE_URL", "__API_KEY"]),
        ({**GOOD, "base_url": "erp.example.com"}, ["__BASE_URL: Value error, must start with"]),
        ({**GOOD, "api_key": "  "}, ["__API_KEY: Value error, must not be empty"]),
        ({**GOOD, "page_size": "5000"}, ["__PAGE_SIZE"]),
        ({**GOOD, "timeout_seconds": "0"}, ["__TIMEOUT_SECONDS"]),
        ({**GOOD, "system": "kingdee"}, ["__SYSTEM"]),
        ({**GOOD, "api_kye": "x"}, ["__API_KYE: Extra inputs are not permitted"]),
    ],
)
def test_each_bad_setting_is_named(settings: dict[str, Any], named: list[str]) -> None:
    with pytest.raises(ConfigurationError) as refused:
        parse_config("erp_east", settings)

    for part in named:
        assert f"DMS_CONNECTORS__ERP_EAST{part}" in refused.value.detail


def test_a_missing_mapping_file_is_a_configuration_error(tmp_path: Path) -> None:
    context = ConnectorContext(
        mappings_root=tmp_path, xref_for=lambda _system: InMemoryCrossReference()
    )

    with pytest.raises(ConfigurationError, match=r"sales_order\.out\.yaml"):
        create("erp_east", GOOD, context)
