"""docker-compose.yml cannot run here (no Docker engine): hold it to the code instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.cli import build_parser
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def hub_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if svc.get("build") == "."}


def test_every_hub_command_is_a_real_cli_command(compose: dict[str, Any]) -> None:
    services = hub_services(compose)
    assert {"migrate", "api"} <= services.keys()
    parser = build_parser()
    for name, service in services.items():
        command = service["command"]
        assert command[0] == "dms-hub", name
        args = parser.parse_args(command[1:])  # SystemExit on an unknown command or flag
        assert callable(args.handler), name


def test_every_dms_variable_is_a_setting(compose: dict[str, Any]) -> None:
    fields = {f"DMS_{name.upper()}" for name in Settings.model_fields}
    for name, service in hub_services(compose).items():
        env = service.get("environment", {})
        used = {key for key in env if key.startswith("DMS_")}
        assert used, name
        assert used <= fields, (name, used - fields)
        assert env["DMS_ENV"] == "production"
        assert "${DMS_SECRET_KEY" in env["DMS_SECRET_KEY"], "the secret must come from outside"


def test_published_ports_do_not_clash(compose: dict[str, Any]) -> None:
    published = [
        str(port).split(":")[0]
        for service in compose["services"].values()
        for port in service.get("ports", [])
    ]
    assert len(published) == len(set(published))


def test_prometheus_scrapes_the_port_the_api_listens_on(compose: dict[str, Any]) -> None:
    api_command = compose["services"]["api"]["command"]
    port = api_command[api_command.index("--port") + 1]
    config = yaml.safe_load((ROOT / "ops/prometheus/prometheus.yml").read_text())
    targets = {
        t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]
    }
    assert f"api:{port}" in targets


def test_no_secret_values_in_the_repository(compose: dict[str, Any]) -> None:
    example = (ROOT / ".env.example").read_text()
    for line in example.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("DMS_SECRET_KEY", "POSTGRES_PASSWORD"):
            assert value.split("#")[0].strip() == "", key
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text()
