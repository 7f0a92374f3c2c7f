"""The SAP connector against its simulator, over real sockets, in both modes:
the contract every connector passes, then what is particular to SAP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.mapping import InMemoryCrossReference
from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.sap import create
from connectors.testing import ConnectorContract, ContractData
from simulators.sap import RunningSap, SapControl, running_simulator

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
CODES = {
    "customers": {"D001": "C-10001", "D002": "C-10002", "D404": "C-40404"},
    "materials": {"SKU-1001": "M-0001", "SKU-1002": "M-0002", "SKU-2001": "M-0101"},
}
XREF = {
    "erp_customer": CODES["customers"],
    "erp_customer_dealer": {v: k for k, v in CODES["customers"].items()},
    "erp_material": CODES["materials"],
    "erp_material_sku": {v: k for k, v in CODES["materials"].items()},
}
DATA = ContractData(dealer_code="D001", warehouse="1010", materials=CODES["materials"])


def context() -> ConnectorContext:
    def xref_for(system: str) -> InMemoryCrossReference:
        assert system == "sap"
        return InMemoryCrossReference(XREF)

    return ConnectorContext(mappings_root=MAPPINGS, xref_for=xref_for)


def settings(sap: RunningSap, mode: str, **overrides: Any) -> dict[str, Any]:
    return {
        "system": "sap",
        "mode": mode,
        "base_url": sap.url,
        "user": sap.user,
        "password": sap.password,
        "timeout_seconds": 0.5,
        "page_size": ConnectorContract.page_size,
        **overrides,
    }


@pytest.fixture(scope="module")
def sap() -> Iterator[RunningSap]:
    with running_simulator(hang_seconds=3.0, slow_seconds=0.1) as running:
        yield running


@pytest.fixture
def sap_control(sap: RunningSap) -> SapControl:
    sap.control.reset()
    return sap.control


def _built(sap: RunningSap, mode: str, **overrides: Any) -> Iterator[Connector]:
    connector = create("sap-test", settings(sap, mode, **overrides), context())
    yield connector
    connector.close()


# One per module and mode: the SOAP one loads the WSDL once.
@pytest.fixture(scope="module")
def soap_connector(sap: RunningSap) -> Iterator[Connector]:
    yield from _built(sap, "soap")


@pytest.fixture(scope="module")
def odata_connector(sap: RunningSap) -> Iterator[Connector]:
    yield from _built(sap, "odata")


@pytest.fixture(scope="module")
def soap_wrong_password(sap: RunningSap) -> Iterator[Connector]:
    yield from _built(sap, "soap", password="wrong")


@pytest.fixture(scope="module")
def odata_wrong_password(sap: RunningSap) -> Iterator[Connector]:
    yield from _built(sap, "odata", password="wrong")


class TestSapSoap(ConnectorContract):
    """The contract through the RFC-wrapped SOAP service (zeep)."""

    @pytest.fixture
    def connector(self, soap_connector: Connector) -> Connector:
        return soap_connector

    @pytest.fixture
    def wrong_credentials_connector(self, soap_wrong_password: Connector) -> Connector:
        return soap_wrong_password

    @pytest.fixture
    def control(self, sap_control: SapControl) -> SapControl:
        return sap_control

    @pytest.fixture
    def data(self) -> ContractData:
        return DATA


class TestSapOData(ConnectorContract):
    """The contract through S/4HANA's OData V2 APIs."""

    @pytest.fixture
    def connector(self, odata_connector: Connector) -> Connector:
        return odata_connector

    @pytest.fixture
    def wrong_credentials_connector(self, odata_wrong_password: Connector) -> Connector:
        return odata_wrong_password

    @pytest.fixture
    def control(self, sap_control: SapControl) -> SapControl:
        return sap_control

    @pytest.fixture
    def data(self) -> ContractData:
        return DATA
