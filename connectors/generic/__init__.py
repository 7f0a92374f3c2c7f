"""Connector for a plain REST/JSON ERP: the reference connector.

Registered as the ``generic`` entry point of ``dms_hub.connectors``; the hub
builds it from ``DMS_CONNECTORS__<NAME>__SYSTEM=generic`` and the settings in
docs/connectors/generic.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.generic.config import GenericRestConfig, parse_config
from connectors.generic.connector import GenericRestConnector
from connectors.port import Connector
from connectors.registry import ConnectorContext

__all__ = ["GenericRestConfig", "GenericRestConnector", "create"]


def create(name: str, config: Mapping[str, Any], context: ConnectorContext) -> Connector:
    """The entry point: settings checked, mapping files compiled, once."""
    return GenericRestConnector(
        name,
        parse_config(name, config),
        mappings_root=context.mappings_root,
        xref=context.xref_for(GenericRestConnector.system),
    )
