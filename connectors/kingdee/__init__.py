"""Connector for Kingdee K3 Cloud (金蝶云星空) through its WebAPI.

Registered as the ``kingdee`` entry point of ``dms_hub.connectors``; the hub
builds it from ``DMS_CONNECTORS__<NAME>__SYSTEM=kingdee`` and the settings in
docs/connectors/kingdee.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.kingdee.config import KingdeeConfig, parse_config
from connectors.kingdee.connector import KingdeeConnector
from connectors.port import Connector
from connectors.registry import ConnectorContext

__all__ = ["KingdeeConfig", "KingdeeConnector", "create"]


def create(name: str, config: Mapping[str, Any], context: ConnectorContext) -> Connector:
    """The entry point: settings checked, mapping files compiled, once."""
    return KingdeeConnector(
        name,
        parse_config(name, config),
        mappings_root=context.mappings_root,
        xref=context.xref_for(KingdeeConnector.system),
    )
