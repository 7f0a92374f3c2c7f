"""docker-compose.yml cannot run here (no Docker engine): hold it to the code instead."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.mapping import InMemoryCrossReference
from connectors.registry import ConnectorContext, build_connector
from hub.cli import build_parser
from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def hub_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if svc.get("build") == "." and svc["command"][0] == "dms-hub"
    }


def simulator_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if svc.get("build") == "." and svc["command"][0] == "python"
    }


def demo_env() -> dict[str, str]:
    lines = (ROOT / "ops/demo.env").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return dict(pairs)


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
        in_demo = "demo" in service.get("profiles", [])
        assert env["DMS_ENV"] == ("development" if in_demo else "production"), name
        assert "${DMS_SECRET_KEY" in env["DMS_SECRET_KEY"], "the secret must come from outside"


def test_published_ports_do_not_clash(compose: dict[str, Any]) -> None:
    published = [
        str(port).split(":")[0]
        for service in compose["services"].values()
        for port in service.get("ports", [])
    ]
    assert len(published) == len(set(published))


def flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_every_process_runs_once_per_role(compose: dict[str, Any]) -> None:
    services = hub_services(compose)
    roles = {name: service["command"][1] for name, service in services.items()}
    assert sorted(roles.values()) == ["db", "demo", "scheduler", "up", "worker"]
    # The scheduler enqueues periodic jobs: two would enqueue each twice.
    assert services["scheduler"].get("deploy", {}).get("replicas", 1) == 1
    assert services["worker"]["deploy"]["replicas"] >= 2


def test_prometheus_scrapes_the_ports_the_processes_listen_on(compose: dict[str, Any]) -> None:
    services = compose["services"]
    api_port = flag(services["api"]["command"], "--port")
    worker_command = services["worker"]["command"]
    assert flag(worker_command, "--metrics-host") == "0.0.0.0"  # noqa: S104 - inside its container
    config = yaml.safe_load((ROOT / "ops/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["dms-hub-api"]["static_configs"][0]["targets"] == [f"api:{api_port}"]
    [workers] = jobs["dms-hub-worker"]["dns_sd_configs"]
    assert workers["names"] == ["worker"]
    assert str(workers["port"]) == flag(worker_command, "--metrics-port")
    # The files Prometheus and Grafana are given exist where the stack mounts them.
    for service in ("prometheus", "grafana"):
        for volume in services[service]["volumes"]:
            source = volume.split(":")[0]
            assert (ROOT / source).exists(), (service, source)
    assert "alerts.yml" in config["rule_files"]


def test_multiprocess_metrics_for_the_multi_worker_api(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    if int(flag(api["command"], "--workers")) > 1:
        assert api["environment"]["PROMETHEUS_MULTIPROC_DIR"]


def test_no_secret_values_in_the_repository(compose: dict[str, Any]) -> None:
    example = (ROOT / ".env.example").read_text()
    for line in example.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("DMS_SECRET_KEY", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD"):
            assert value.split("#")[0].strip() == "", key
    assert (
        "${GRAFANA_ADMIN_PASSWORD:?"
        in compose["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"]
    )
    assert "GRAFANA_ADMIN_PASSWORD=" in example
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text()


def test_the_image_holds_every_package_the_project_installs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    include = re.search(r"include = \[(.*?)\]", pyproject)
    assert include is not None
    packages = [p.strip(' "*') for p in include.group(1).split(",")]
    assert "hub" in packages
    for package in packages:
        assert f"COPY {package} ./{package}" in dockerfile, package
    assert "COPY mappings ./mappings" in dockerfile  # data the connectors read at run time


def test_the_demo_profile_runs_real_simulators_on_the_ports_the_hub_is_given(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    simulators = simulator_services(compose)
    assert set(simulators) == {"erp-sim", "wms-sim"}
    ports = {}
    for name, service in simulators.items():
        assert service["profiles"] == ["demo"], name
        command = service["command"]
        module = command[2]
        # A real module whose command line takes every flag used here.
        usage = subprocess.run(
            [sys.executable, "-m", module, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for flag in (arg for arg in command[3:] if arg.startswith("--")):
            assert flag in usage, (name, flag)
        ports[name] = flag_value(command, "--port")
        assert flag_value(command, "--host") == "0.0.0.0"  # noqa: S104 - inside its container
        assert service["healthcheck"]["test"][-1] == ports[name]
    # The hub's demo settings are real settings that build real connectors...
    env = demo_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)
    assert (settings.order_erp, settings.order_wms) == ("erp", "wms")
    for name, config in settings.connectors.items():
        connector = build_connector(
            name,
            config,
            ConnectorContext(
                mappings_root=ROOT / "mappings", xref_for=lambda _: InMemoryCrossReference()
            ),
        )
        connector.close()
    # ...pointing at the simulators' service names and ports.
    assert env["DMS_CONNECTORS__ERP__BASE_URL"] == f"http://erp-sim:{ports['erp-sim']}"
    assert env["DMS_CONNECTORS__WMS__BASE_URL"].startswith(f"http://wms-sim:{ports['wms-sim']}/")
    assert env["DMS_CONNECTORS__ERP__API_KEY"] == flag_value(
        simulators["erp-sim"]["command"], "--api-key"
    )
    seed = compose["services"]["demo-seed"]["command"]
    assert flag_value(seed, "--erp-control") == f"http://erp-sim:{ports['erp-sim']}"
    assert flag_value(seed, "--wms-control") == f"http://wms-sim:{ports['wms-sim']}"
    api_port = flag_value(compose["services"]["api"]["command"], "--port")
    assert flag_value(seed, "--hub-url") == f"http://api:{api_port}"
    # Every hub process reads the extra file when asked, and an empty one otherwise.
    for name in ("api", "worker", "scheduler"):
        assert compose["services"][name]["env_file"] == ["${DMS_EXTRA_ENV_FILE:-ops/no-extra.env}"]
    assert (ROOT / "ops/no-extra.env").exists()


def flag_value(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_every_long_running_service_has_a_health_check_that_fits_it(
    compose: dict[str, Any],
) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "127.0.0.1:8000/healthz" in dockerfile  # the image's own check: the API's
    for name, service in compose["services"].items():
        if service.get("restart") == "no":
            continue  # one-shot: migrate, demo-seed
        check = service.get("healthcheck")
        if service.get("build") == "." and service["command"][:2] == ["dms-hub", "up"]:
            assert flag_value(service["command"], "--port") == "8000", name
            continue  # the image's check
        if name in ("prometheus", "grafana"):
            continue  # their images' own
        assert check is not None, f"{name} needs a health check of its own"
        assert check.get("disable") or check["test"][0] in ("CMD", "CMD-SHELL"), name
