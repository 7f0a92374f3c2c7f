"""The Kingdee K3 Cloud connector against its simulator, over real sockets: the
contract every connector passes (session login, and the SDK's signed
headers), then what is particular to K3 Cloud."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.kingdee import create
from connectors.mapping import InMemoryCrossReference
from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.testing import ConnectorContract, ContractData
from simulators.kingdee import RunningSimulator, SimulatorControl, running_simulator

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
CODES = {
    "customers": {"D001": "CUST0001", "D002": "CUST0002", "D404": "CUST4040"},
    "materials": {"SKU-1001": "MAT0001", "SKU-1002": "MAT0002", "SKU-2001": "MAT0101"},
}
XREF = {
    "erp_customer": CODES["customers"],
    "erp_customer_dealer": {v: k for k, v in CODES["customers"].items()},
    "erp_material": CODES["materials"],
    "erp_material_sku": {v: k for k, v in CODES["materials"].items()},
}
DATA = ContractData(dealer_code="D001", warehouse="CK001", materials=CODES["materials"])


def context() -> ConnectorContext:
    def xref_for(system: str) -> InMemoryCrossReference:
        assert system == "kingdee"
        return InMemoryCrossReference(XREF)

    return ConnectorContext(mappings_root=MAPPINGS, xref_for=xref_for)


def settings(sim: RunningSimulator, auth: str = "password", **overrides: Any) -> dict[str, Any]:
    account = sim.account
    return {
        "system": "kingdee",
        "base_url": sim.url,
        "acct_id": account.acct_id,
        "user_name": account.user_name,
        "auth": auth,
        "password": account.password,
        "app_id": account.app_id,
        "app_secret": account.app_secret,
        "timeout_seconds": 0.5,
        "page_size": ConnectorContract.page_size,
        **overrides,
    }


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with running_simulator(hang_seconds=3.0, slow_seconds=0.1) as sim:
        yield sim


@pytest.fixture(scope="module")
def by_password(simulator: RunningSimulator) -> Iterator[Connector]:
    connector = create("k3-test", settings(simulator), context())
    yield connector
    connector.close()


@pytest.fixture(scope="module")
def by_signed_headers(simulator: RunningSimulator) -> Iterator[Connector]:
    connector = create("k3-signed", settings(simulator, "signed_headers"), context())
    yield connector
    connector.close()


@pytest.fixture
def control(simulator: RunningSimulator) -> SimulatorControl:
    return simulator.control


class TestKingdeeBySession(ConnectorContract):
    """The contract with a ValidateUser session."""

    @pytest.fixture
    def connector(self, by_password: Connector) -> Connector:
        return by_password

    @pytest.fixture
    def wrong_credentials_connector(self, simulator: RunningSimulator) -> Iterator[Connector]:
        connector = create("k3-wrong", settings(simulator, password="not-it"), context())
        yield connector
        connector.close()

    @pytest.fixture
    def control(self, simulator: RunningSimulator) -> SimulatorControl:
        return simulator.control

    @pytest.fixture
    def data(self) -> ContractData:
        return DATA


class TestKingdeeBySignedHeaders(ConnectorContract):
    """The contract with the official SDK's signed headers, no login."""

    @pytest.fixture
    def connector(self, by_signed_headers: Connector) -> Connector:
        return by_signed_headers

    @pytest.fixture
    def wrong_credentials_connector(self, simulator: RunningSimulator) -> Iterator[Connector]:
        wrong = settings(simulator, "signed_headers", app_secret="0" * 32)
        connector = create("k3-wrong", wrong, context())
        yield connector
        connector.close()

    @pytest.fixture
    def control(self, simulator: RunningSimulator) -> SimulatorControl:
        return simulator.control

    @pytest.fixture
    def data(self) -> ContractData:
        return DATA
