"""The SAP connector's settings: ``DMS_CONNECTORS__<NAME>__<SETTING>``.

``MODE`` chooses how the hub talks to SAP: ``soap`` (ECC or S/4HANA, BAPIs
wrapped as SOAP services in SOAMANAGER) or ``odata`` (S/4HANA's OData V2 APIs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator

from connectors.base import ConnectorConfig, http_url, parse_settings

SOAP_PATH = "/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder_binding"
RFC_NS = "urn:sap-com:document:sap:rfc:functions"
ODATA_MAX_TOP = 5000  # more than SAP Gateway's usual server-side page is pointless


class SapConfig(ConnectorConfig):
    system: Literal["sap"] = "sap"
    mode: Literal["soap", "odata"]
    base_url: str  # scheme, host and port of the SAP system (its ICM)
    user: str = Field(min_length=1, max_length=12)
    password: SecretStr
    client: str = Field(default="100", pattern=r"^\d{3}$")  # sap-client
    page_size: int = Field(default=100, ge=1, le=ODATA_MAX_TOP)
    # SOAP mode: where the service listens (overrides the WSDL's soap:address) and its WSDL.
    soap_path: str = SOAP_PATH
    wsdl_url: str | None = None  # default: the service address + "?wsdl"
    soap_binding: str = f"{{{RFC_NS}}}ZSD_SALESORDER_BINDING"
    wsdl_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # OData mode
    odata_root: str = "/sap/opu/odata/sap"
    # Cancelling sets this reason for rejection on every open item (SAP's VBAP-ABGRU).
    rejection_reason: str = Field(default="Z1", min_length=1, max_length=2)

    _http_url = field_validator("base_url")(http_url)

    @field_validator("password")
    @classmethod
    def _password_set(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("must not be empty")
        return value

    @field_validator("soap_path", "odata_root")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value.rstrip("/")

    @property
    def soap_address(self) -> str:
        return f"{self.base_url}{self.soap_path}"

    @property
    def wsdl_location(self) -> str:
        return self.wsdl_url or f"{self.soap_address}?wsdl"  # sap-client is added to every call


def parse_config(name: str, raw: Mapping[str, Any]) -> SapConfig:
    """The settings, or a ConfigurationError naming each bad environment variable."""
    return parse_settings(SapConfig, name, raw)
