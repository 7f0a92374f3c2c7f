"""Connector for SAP: SOAP (BAPIs wrapped in SOAMANAGER, through zeep) or
OData V2 (S/4HANA's APIs), chosen by the ``MODE`` setting.

Registered as the ``sap`` entry point of ``dms_hub.connectors``; the hub builds
it from ``DMS_CONNECTORS__<NAME>__SYSTEM=sap`` and the settings in
docs/connectors/sap.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.sap.config import SapConfig, parse_config
from connectors.sap.connector import SapConnector
from connectors.sap.odata_connector import SapODataConnector
from connectors.sap.soap_connector import SapSoapConnector

__all__ = ["SapConfig", "SapConnector", "SapODataConnector", "SapSoapConnector", "create"]


def create(name: str, config: Mapping[str, Any], context: ConnectorContext) -> Connector:
    """The entry point: settings checked, mapping files of the mode compiled, once."""
    settings = parse_config(name, config)
    kind = SapSoapConnector if settings.mode == "soap" else SapODataConnector
    return kind(
        name,
        settings,
        mappings_root=context.mappings_root,
        xref=context.xref_for(SapConnector.system),
    )
