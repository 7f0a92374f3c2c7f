"""Connectors are found through the ``dms_hub.connectors`` entry points, so a
customer can add one without editing the hub (pyproject.toml lists ours)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from connectors.mapping import CrossReference
from connectors.port import Connector
from dms_domain.errors import ConfigurationError

ENTRY_POINT_GROUP = "dms_hub.connectors"


@dataclass(frozen=True)
class ConnectorContext:
    """What the hub hands every connector it builds."""

    mappings_root: Path
    xref_for: Callable[[str], CrossReference]  # system -> its cross-reference tables
    extra: Mapping[str, Any] = field(default_factory=dict)


ConnectorFactory = Callable[[str, Mapping[str, Any], ConnectorContext], Connector]


def factories() -> dict[str, ConnectorFactory]:
    """system name -> factory, from the installed entry points."""
    found: dict[str, ConnectorFactory] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found[entry.name] = entry.load()
    return found


def build_connector(name: str, config: Mapping[str, Any], context: ConnectorContext) -> Connector:
    system = config.get("system")
    if not isinstance(system, str) or not system:
        raise ConfigurationError(
            f"connector {name}: set DMS_CONNECTORS__{name.upper()}__SYSTEM "
            f"(one of: {', '.join(sorted(factories())) or 'none installed'})"
        )
    available = factories()
    if system not in available:
        raise ConfigurationError(
            f"connector {name}: no connector for system {system!r} is installed "
            f"(installed: {', '.join(sorted(available)) or 'none'})"
        )
    return available[system](name, config, context)
