"""The Yonyou U8 connector against the U8 simulator over real staging tables on
PostgreSQL: the hub side natively (psycopg, through the fault proxy), U8's side
through pyodbc. The contract every connector passes, then what is U8's own."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.mapping import InMemoryCrossReference
from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.testing import ConnectorContract, ContractData, contract_order, pull_all
from connectors.yonyou import U8StagingConnector, create
from dms_domain.errors import BusinessRejection, ConfigurationError, PermanentError
from dms_domain.exchange import CancelStatus, ErpOrderEvent, PushStatus
from simulators.yonyou import RunningU8, U8Control, running_u8
from staging_tables.scratch import Scratch, scratch_database, target_for
from tests.conftest import service_unavailable

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
CUSTOMERS = {"D001": "0101001", "D002": "0101002", "D404": "0104040"}
MATERIALS = {"SKU-1001": "01010001", "SKU-1002": "01010002", "SKU-2001": "01020001"}
XREF = {
    "erp_customer": CUSTOMERS,
    "erp_customer_dealer": {v: k for k, v in CUSTOMERS.items()},
    "erp_material": MATERIALS,
    "erp_material_sku": {v: k for k, v in MATERIALS.items()},
}
# What U8 knows: not D404's customer, not SKU-2001's inventory code.
U8_CUSTOMERS = {"0101001": "上海一号经销商", "0101002": "北京二号经销商"}
U8_INVENTORY = {"01010001": "机油 5W-30 4L", "01010002": "机滤 A1"}
DATA = ContractData(
    dealer_code="D001", warehouse="WH-SH", materials=dict(list(MATERIALS.items())[:2])
)


def context() -> ConnectorContext:
    def xref_for(system: str) -> InMemoryCrossReference:
        assert system == "yonyou"
        return InMemoryCrossReference(XREF)

    return ConnectorContext(mappings_root=MAPPINGS, xref_for=xref_for)


def settings(target: str, **overrides: Any) -> dict[str, Any]:
    return {
        "system": "yonyou",
        "target": target,
        "timeout_seconds": 0.5,
        "page_size": ConnectorContract.page_size,
        **overrides,
    }


@pytest.fixture(scope="module")
def database() -> Iterator[Scratch]:
    try:
        with scratch_database("pg-native", "u8") as found:
            yield found
    except OSError as exc:  # pragma: no cover - a laptop without PostgreSQL
        service_unavailable("PostgreSQL", exc)


@pytest.fixture(scope="module")
def u8(database: Scratch) -> Iterator[RunningU8]:
    erp_side = target_for("pg-odbc", database.database)
    with running_u8(erp_side, ("127.0.0.1", 5432), U8_CUSTOMERS, U8_INVENTORY) as running:
        yield running


def hub_target(u8: RunningU8, database: Scratch, user: str = "root") -> str:
    return u8.hub_target(
        lambda port: f"postgresql+psycopg://{user}@127.0.0.1:{port}/{database.database}"
    )


@pytest.fixture(scope="module")
def yonyou(u8: RunningU8, database: Scratch) -> Iterator[Connector]:
    connector = create("u8-test", settings(hub_target(u8, database)), context())
    yield connector
    connector.close()


@pytest.fixture(scope="module")
def wrong_user(u8: RunningU8, database: Scratch) -> Iterator[Connector]:
    connector = create("u8-test", settings(hub_target(u8, database, user="nosuchuser")), context())
    yield connector
    connector.close()


class TestYonyouConnector(ConnectorContract):
    @pytest.fixture
    def connector(self, yonyou: Connector) -> Connector:
        return yonyou

    @pytest.fixture
    def wrong_credentials_connector(self, wrong_user: Connector) -> Connector:
        return wrong_user

    @pytest.fixture
    def control(self, u8: RunningU8) -> U8Control:
        return u8.control

    @pytest.fixture
    def data(self) -> ContractData:
        return DATA
