"""The Prometheus configuration, alert rules and Grafana dashboard in ops/,
held to the metrics the processes really expose and checked by promtool
(Prometheus's own checker; Debian's `prometheus` package, installed by
scripts/install-system-packages)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from prometheus_client import Metric
from prometheus_client.metrics import MetricWrapperBase

from hub.bootstrap import Container, bootstrap
from hub.db.migrate import upgrade
from hub.jobs.metrics import SyncMetrics
from hub.metrics import HubMetrics
from tests.conftest import make_settings, service_unavailable

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "ops/prometheus"
DASHBOARD = ROOT / "ops/grafana/dms-hub.json"
# Labels whose values grow without bound: one series per order or dealer
# would swamp Prometheus.
UNBOUNDED_LABELS = {
    "order_no",
    "order",
    "dealer",
    "dealer_code",
    "sku",
    "user",
    "key",
    "message_id",
}


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        service_unavailable("promtool", FileNotFoundError("promtool not on PATH"))
        raise AssertionError  # unreachable: service_unavailable skips or fails
    return path


def test_promtool_accepts_the_configuration_and_rules() -> None:
    for args in (["check", "config", "prometheus.yml"], ["check", "rules", "alerts.yml"]):
        result = subprocess.run(
            [promtool(), *args], cwd=PROMETHEUS, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_fire_and_stay_quiet_as_their_unit_tests_say() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", "alerts.test.yml"],
        cwd=PROMETHEUS,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Metric]]:
    """Every metric family an API process and a worker process expose."""
    db_file = tmp_path_factory.mktemp("metrics") / "hub.db"
    container: Container = bootstrap(make_settings(f"sqlite:///{db_file}"))
    upgrade(container.db)
    hub, sync = HubMetrics(), SyncMetrics()
    registries = [hub.registry, sync.registry, *container.extra_registries]
    families = {m.name: m for r in registries if r is not None for m in r.collect()}
    yield families
    container.close()


@pytest.fixture(scope="module")
def declared_labels(exposed: dict[str, Metric]) -> dict[str, set[str]]:
    """The label names of every metric, as declared (a metric without samples
    yet shows none in its samples)."""
    labels = {name: set(getattr(m, "_labelnames", ())) for name, m in exposed.items()}
    for holder in (HubMetrics(), SyncMetrics()):
        for metric in vars(holder).values():
            if isinstance(metric, MetricWrapperBase):
                labels[metric._name] = set(metric._labelnames)
    return labels


def referenced_names(expr: str) -> set[str]:
    names = set(re.findall(r"\bdms_[a-z0-9_]+", expr))
    # A histogram's series are named after it with these suffixes.
    return {re.sub(r"_(bucket|count|sum)$", "", n) for n in names}


def exposed_names(families: dict[str, Metric]) -> set[str]:
    # prometheus_client names a counter family without its _total.
    return {f"{name}_total" if m.type == "counter" else name for name, m in families.items()}


def test_every_metric_the_rules_and_dashboard_use_is_exposed(exposed: dict[str, Metric]) -> None:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads(DASHBOARD.read_text())
    exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) > 15
    available = exposed_names(exposed)
    for expr in exprs:
        assert referenced_names(expr) <= available, (expr, referenced_names(expr) - available)


def test_metric_names_follow_prometheus_conventions(
    exposed: dict[str, Metric], declared_labels: dict[str, set[str]]
) -> None:
    assert len(exposed) >= 14
    for name, family in exposed.items():
        assert name.startswith("dms_"), name
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        if family.type == "histogram":
            assert name.endswith("_seconds"), f"{name}: a histogram of durations names its unit"
        if "duration" in name or "latency" in name or "lag" in name or "age" in name:
            assert name.endswith("_seconds"), f"{name}: times are in seconds, said in the name"
        if family.type == "gauge":
            assert not name.endswith("_total"), f"{name}: _total is for counters"
        labels = declared_labels[name]
        assert not labels & UNBOUNDED_LABELS, (name, labels & UNBOUNDED_LABELS)
    assert declared_labels["dms_http_requests"] == {"method", "route", "status"}
    assert declared_labels["dms_sync_lag_seconds"] == {"connector", "entity"}


def test_the_dashboard_has_the_panels_ops_asked_for() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    titles = " | ".join(panel["title"].lower() for panel in dashboard["panels"])
    for wanted in (
        "orders placed per minute",
        "latency",
        "errors",
        "sync lag",
        "dead letters",
        "drift",
        "p99",
    ):
        assert wanted in titles, wanted
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    provider = yaml.safe_load(
        (ROOT / "ops/grafana/provisioning/dashboards/dms-hub.yml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
