"""The FLUX WMS connector against the warehouse simulator, over real sockets:
the contract every connector passes, then what is particular to FLUX (its
signature, partial success, pushed confirmations)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.mapping import InMemoryCrossReference
from connectors.port import Connector, PushRefused, ShipmentPushReceiver
from connectors.registry import ConnectorContext
from connectors.testing import ConnectorContract, ContractData, contract_order, pull_all
from connectors.wms import FluxWmsConnector, create
from connectors.wms.signing import flux_time, sign
from dms_domain.errors import BusinessRejection, ConfigurationError, TransientError
from dms_domain.exchange import CancelStatus, PushStatus, ShipmentLineIn
from simulators.flux_wms import RunningSimulator, WmsCredentials, running_simulator
from simulators.flux_wms.remote import RemoteControl
from simulators.flux_wms.signing import flux_sign

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
CREDENTIALS = WmsCredentials(app_secret="contract-secret-0123456789")
SKUS = {"SKU-1001": "SKU-1001", "SKU-1002": "SKU-1002"}


def context() -> ConnectorContext:
    return ConnectorContext(
        mappings_root=MAPPINGS, xref_for=lambda _system: InMemoryCrossReference({})
    )


def settings(sim: RunningSimulator, **overrides: Any) -> dict[str, Any]:
    return {
        "system": "wms",
        "base_url": sim.url,
        "app_key": sim.credentials.app_key,
        "app_secret": sim.credentials.app_secret,
        "app_token": sim.credentials.app_token,
        "client_customerid": sim.credentials.customer_id,
        "timeout_seconds": 0.5,
        "page_size": ConnectorContract.page_size,
        **overrides,
    }


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with running_simulator(credentials=CREDENTIALS, hang_seconds=3.0, slow_seconds=0.1) as sim:
        yield sim


@pytest.fixture(scope="module")
def wms(simulator: RunningSimulator) -> Iterator[FluxWmsConnector]:
    connector = create("wms-test", settings(simulator), context())
    assert isinstance(connector, FluxWmsConnector)
    yield connector
    connector.close()


@pytest.fixture(scope="module")
def wrong_secret(simulator: RunningSimulator) -> Iterator[Connector]:
    connector = create("wms-test", settings(simulator, app_secret="not-the-secret"), context())
    yield connector
    connector.close()


@pytest.fixture(scope="module")
def remote(simulator: RunningSimulator) -> Iterator[RemoteControl]:
    with simulator.remote_control() as control:
        yield control


class TestFluxWmsConnector(ConnectorContract):
    """The contract, with the warehouse driven through its HTTP control API."""

    @pytest.fixture
    def connector(self, wms: FluxWmsConnector) -> Connector:
        return wms

    @pytest.fixture
    def wrong_credentials_connector(self, wrong_secret: Connector) -> Connector:
        return wrong_secret

    @pytest.fixture
    def control(self, remote: RemoteControl) -> RemoteControl:
        return remote

    @pytest.fixture
    def data(self) -> ContractData:
        return ContractData(dealer_code="D001", warehouse="WH-SH", materials=SKUS)


# -- what is particular to FLUX ---------------------------------------------------------


def test_the_order_goes_out_with_its_consignee_and_address(
    wms: FluxWmsConnector, simulator: RunningSimulator
) -> None:
    order = contract_order(ContractData("D002", "wh-east", SKUS))
    order = type(order)(
        **{
            **{f: getattr(order, f) for f in order.__dataclass_fields__},
            "ship_to": {"name": "李四", "phone": "139 0000 1111", "address": "杭州市西湖区 1 号"},
        }
    )
    result = wms.push_order(order)
    kept = simulator.control.warehouse.find(order.order_no)
    assert kept is not None
    assert (kept.order_no, kept.consignee_id, kept.consignee_name) == (
        result.erp_ref,
        "D002",
        "李四",
    )
    assert (kept.address, kept.warehouse) == ("杭州市西湖区 1 号", "WH-EAST")
    assert [(line.sku, line.ordered) for line in kept.lines] == [("SKU-1001", 2), ("SKU-1002", 2)]


def test_partial_success_is_read_per_order(
    wms: FluxWmsConnector, simulator: RunningSimulator
) -> None:
    simulator.control.inject_fault("partial_success")
    order = contract_order(ContractData("D001", "WH-SH", SKUS))
    result = wms.push_order(order)
    assert result.status is PushStatus.ACCEPTED
    assert simulator.control.documents(order.order_no) == [result.erp_ref]


def test_an_unknown_sku_is_a_business_rejection_naming_it(
    wms: FluxWmsConnector, simulator: RunningSimulator
) -> None:
    order = contract_order(ContractData("D001", "WH-SH", {"SKU-9999": "SKU-9999"}))
    with pytest.raises(BusinessRejection) as refused:
        wms.push_order(order)
    assert refused.value.code == "S003"
    assert "SKU-9999" in refused.value.detail
    assert simulator.control.documents(order.order_no) == []


def test_a_system_error_answer_is_transient(
    wms: FluxWmsConnector, simulator: RunningSimulator
) -> None:
    simulator.control.inject_fault("refuse")
    with pytest.raises(TransientError):
        wms.find_order("ANY")


def test_a_partial_shipment_comes_back_with_its_tracking_number(
    wms: FluxWmsConnector, simulator: RunningSimulator
) -> None:
    start = pull_all(wms.fetch_shipments, None).cursor
    order = contract_order(ContractData("D001", "WH-SH", SKUS))
    wms.push_order(order)
    first = simulator.control.ship(order.order_no, {1: 1})
    second = simulator.control.ship(order.order_no)
    pulled = [s for s in pull_all(wms.fetch_shipments, start).items if s.order_no == order.order_no]
    assert [s.shipment_no for s in pulled] == [first, second]
    assert pulled[0].lines == (ShipmentLineIn("SKU-1001", 1),)
    assert pulled[1].lines == (ShipmentLineIn("SKU-1001", 1), ShipmentLineIn("SKU-1002", 2))
    assert all(s.tracking_no and s.tracking_no in s.shipment_no for s in pulled)
    assert all(s.carrier for s in pulled)
    assert wms.cancel_order(order.order_no, None, "late").status is CancelStatus.REFUSED


def test_stock_is_what_is_on_hand_and_shipping_lowers_it(
    wms: FluxWmsConnector, simulator: RunningSimulator
) -> None:
    start = pull_all(wms.fetch_stock, None).cursor
    simulator.control.set_stock("WH-STK", "SKU-1001", 50)
    order = contract_order(ContractData("D001", "WH-STK", {"SKU-1001": "SKU-1001"}))
    wms.push_order(order)  # allocates 2: on hand stays 50
    lines = pull_all(wms.fetch_stock, start)
    assert [s.qty_on_hand for s in lines.items if s.key == "WH-STK/SKU-1001"][-1] == 50
    simulator.control.ship(order.order_no)
    after = pull_all(wms.fetch_stock, lines.cursor).items
    assert [(s.warehouse, s.sku, s.qty_on_hand) for s in after] == [("WH-STK", "SKU-1001", 48)]


def test_the_signature_is_md5_of_secret_data_secret_in_base64() -> None:
    # By hand: md5("s" + "{}" + "s") as hex text, then Base64.
    import base64  # noqa: PLC0415
    import hashlib  # noqa: PLC0415

    expected = base64.b64encode(
        hashlib.md5(b"s{}s", usedforsecurity=False).hexdigest().encode()
    ).decode()
    assert sign("s", "{}") == expected == flux_sign("s", "{}")
    assert sign("s", "{}") != sign("t", "{}")


def test_a_bad_setting_names_its_variable(simulator: RunningSimulator) -> None:
    with pytest.raises(ConfigurationError) as bad:
        create("wms_east", {**settings(simulator), "app_secret": " "}, context())
    assert "DMS_CONNECTORS__WMS_EAST__APP_SECRET" in bad.value.detail


def test_check_says_when_the_signature_is_refused(
    wms: FluxWmsConnector, wrong_secret: Connector
) -> None:
    assert wms.check() == []
    [problem] = wrong_secret.check()
    assert "APP_SECRET" in problem


# -- confirmations pushed to the hub --------------------------------------------------


def pushed(secret: str, header: dict[str, Any], *, at: datetime, **params: str) -> dict[str, str]:
    data = json.dumps({"xmldata": {"header": [header]}})
    return {
        "method": "confirmSOData",
        "messageid": "M-1",
        "appkey": CREDENTIALS.app_key,
        "timestamp": flux_time(at),
        "format": "json",
        "sign": sign(secret, data),
        "data": data,
        **params,
    }


HEADER = {
    "ORDERNO": "SO00000001",
    "SOREFERENCE1": "HUB-1",
    "WAREHOUSEID": "WH-SH",
    "deliveryNo": "SF123",
    "CARRIERID": "SF",
    "SHIPPEDTIME": "2026-01-06 09:15:00",
    "detailsItem": [{"SKU": "SKU-1001", "QTYSHIPPED_EACH": 3}],
}


def test_a_pushed_confirmation_is_checked_and_read(wms: FluxWmsConnector) -> None:
    assert isinstance(wms, ShipmentPushReceiver)
    now = datetime.now(UTC)
    message = wms.read_pushed_shipments(pushed(CREDENTIALS.app_secret, HEADER, at=now), now)
    [shipment] = message.shipments.items
    assert message.message_id == "M-1"
    assert (shipment.shipment_no, shipment.order_no, shipment.tracking_no) == (
        "SO00000001/SF123",
        "HUB-1",
        "SF123",
    )
    answer = wms.push_answer([shipment.key], {"SO2/X": "order_no 'X' is not an order"})
    assert answer["Response"]["return"]["returnFlag"] == "2"


@pytest.mark.parametrize(
    ("secret", "skew", "params", "why"),
    [
        ("wrong-secret", timedelta(0), {}, "sign"),
        (CREDENTIALS.app_secret, timedelta(minutes=-6), {}, "timestamp"),
        (CREDENTIALS.app_secret, timedelta(minutes=6), {}, "timestamp"),
        (CREDENTIALS.app_secret, timedelta(0), {"appkey": "someone-else"}, "sign"),
        (CREDENTIALS.app_secret, timedelta(0), {"method": "putSOData"}, "method"),
        (CREDENTIALS.app_secret, timedelta(0), {"messageid": ""}, "messageid"),
    ],
    ids=["bad-sign", "too-old", "from-the-future", "other-appkey", "other-method", "no-id"],
)
def test_a_pushed_confirmation_that_fails_a_check_is_refused(
    wms: FluxWmsConnector, secret: str, skew: timedelta, params: dict[str, str], why: str
) -> None:
    now = datetime.now(UTC)
    fields = pushed(secret, HEADER, at=now + skew, **params)
    with pytest.raises(PushRefused) as refused:
        wms.read_pushed_shipments(fields, now)
    assert why in refused.value.detail
    assert wms.push_refusal(refused.value)["Response"]["return"]["returnFlag"] == "0"


def test_the_simulator_refuses_a_form_without_system_parameters(
    simulator: RunningSimulator,
) -> None:
    answer = httpx.post(simulator.url, data={"data": "{}"}).json()
    assert answer["Response"]["return"]["returnFlag"] == "0"
    assert "method" in answer["Response"]["return"]["returnDesc"]


def test_the_demo_starts_a_stocked_warehouse_the_connector_reaches() -> None:
    from contextlib import ExitStack  # noqa: PLC0415

    from hub.demo import PRODUCTS, demo_wms_environment  # noqa: PLC0415

    with ExitStack() as stack:
        environment = demo_wms_environment(stack, "http://127.0.0.1:9")
        prefix = "DMS_CONNECTORS__WMS__"
        config = {
            key.removeprefix(prefix).lower(): value
            for key, value in environment.items()
            if key.startswith(prefix) and "__POLL_SECONDS__" not in key
        }
        connector = create("wms", config, context())
        try:
            assert connector.check() == []
            lines = pull_all(connector.fetch_stock, None).items
        finally:
            connector.close()
    assert environment["DMS_ORDER_WMS"] == "wms"
    assert {(s.warehouse, s.sku, s.qty_on_hand) for s in lines} >= {
        ("WH-EAST", sku, 500) for sku, *_ in PRODUCTS
    }
