"""Connector for a FLUX (富勒) WMS: outbound orders (putSOData, cancelSOData),
shipment confirmations (confirmSOData, pushed to the hub or polled) and stock
(queryINVData). Registered as the ``wms`` entry point of ``dms_hub.connectors``;
settings and protocol in docs/connectors/wms.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.wms.config import FluxWmsConfig, parse_config
from connectors.wms.connector import FluxWmsConnector

__all__ = ["FluxWmsConfig", "FluxWmsConnector", "create"]


def create(name: str, config: Mapping[str, Any], context: ConnectorContext) -> Connector:
    """The entry point: settings checked, mapping files compiled, once."""
    return FluxWmsConnector(
        name,
        parse_config(name, config),
        mappings_root=context.mappings_root,
        xref=context.xref_for(FluxWmsConnector.system),
    )
