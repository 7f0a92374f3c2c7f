"""Connector for Yonyou U8 through staging tables (中间表, staging-contract.md).

Registered as the ``yonyou`` entry point of ``dms_hub.connectors``; the hub
builds it from ``DMS_CONNECTORS__<NAME>__SYSTEM=yonyou`` and the settings in
docs/connectors/yonyou.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.yonyou.config import U8StagingConfig, parse_config
from connectors.yonyou.connector import U8StagingConnector

__all__ = ["U8StagingConfig", "U8StagingConnector", "create"]


def create(name: str, config: Mapping[str, Any], context: ConnectorContext) -> Connector:
    """The entry point: settings checked, mapping files compiled, once."""
    return U8StagingConnector(
        name,
        parse_config(name, config),
        mappings_root=context.mappings_root,
        xref=context.xref_for(U8StagingConnector.system),
    )
