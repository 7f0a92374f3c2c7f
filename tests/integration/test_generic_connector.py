"""The generic REST connector against its simulator, over real sockets: the
contract every connector passes, then what is particular to this ERP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.generic import GenericRestConnector, create
from connectors.mapping import InMemoryCrossReference
from connectors.port import Connector
from connectors.registry import ConnectorContext, build_connector
from connectors.testing import ConnectorContract, ContractData, contract_order, pull_all
from dms_domain.errors import BusinessRejection, PermanentError
from dms_domain.exchange import ErpOrderEvent, PushStatus, ShipmentLineIn
from simulators.generic_erp import ErpRefusal, RemoteControl, RunningSimulator, running_simulator

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
API_KEY = "contract-test-key-0123456789"
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


def context() -> ConnectorContext:
    def xref_for(system: str) -> InMemoryCrossReference:
        assert system == "generic"
        return InMemoryCrossReference(XREF)

    return ConnectorContext(mappings_root=MAPPINGS, xref_for=xref_for)


def settings(url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "system": "generic",
        "base_url": url,
        "api_key": API_KEY,
        "timeout_seconds": 0.5,
        "page_size": ConnectorContract.page_size,
        **overrides,
    }


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with running_simulator(api_key=API_KEY, hang_seconds=3.0, slow_seconds=0.1) as sim:
        yield sim


@pytest.fixture
def remote(simulator: RunningSimulator) -> Iterator[RemoteControl]:
    with simulator.remote_control() as control:
        control.reset()
        yield control


@pytest.fixture(scope="module")
def generic(simulator: RunningSimulator) -> Iterator[Connector]:
    # One for the module: building one compiles five mapping files (about 0.15 s).
    connector = create("erp-test", settings(simulator.url), context())
    yield connector
    connector.close()


@pytest.fixture(scope="module")
def wrong_key(simulator: RunningSimulator) -> Iterator[Connector]:
    connector = create("erp-test", settings(simulator.url, api_key="wrong"), context())
    yield connector
    connector.close()


class TestGenericConnector(ConnectorContract):
    """The contract, with the simulator driven through its HTTP control API."""

    @pytest.fixture
    def connector(self, generic: Connector) -> Connector:
        return generic

    @pytest.fixture
    def wrong_credentials_connector(self, wrong_key: Connector) -> Connector:
        return wrong_key

    @pytest.fixture
    def control(self, remote: RemoteControl) -> RemoteControl:
        return remote

    @pytest.fixture
    def data(self) -> ContractData:
        return ContractData(dealer_code="D001", warehouse="WH-SH", materials=CODES["materials"])


DATA = ContractData(dealer_code="D001", warehouse="WH-SH", materials=CODES["materials"])


# -- what is particular to the generic ERP ----------------------------------------------


def test_the_entry_point_builds_the_generic_connector(simulator: RunningSimulator) -> None:
    connector = build_connector("erp-east", settings(simulator.url), context())
    try:
        assert isinstance(connector, GenericRestConnector)
        assert (connector.name, connector.system) == ("erp-east", "generic")
        assert connector.check() == []
    finally:
        connector.close()


def test_an_unknown_customer_is_a_business_rejection(
    generic: Connector, remote: RemoteControl
) -> None:
    order = contract_order(ContractData("D404", "WH-SH", CODES["materials"]))

    with pytest.raises(BusinessRejection) as rejected:
        generic.push_order(order)

    assert rejected.value.code == "UNKNOWN_CUSTOMER"
    assert "C-40404" in rejected.value.detail
    assert remote.documents(order.order_no) == []


def test_an_order_the_mapping_cannot_write_is_permanent_and_not_sent(
    generic: Connector, remote: RemoteControl
) -> None:
    order = contract_order(ContractData("D001", "WH-SH", {"SKU-NOT-IN-XREF": "M-0001"}))

    with pytest.raises(PermanentError) as failed:
        generic.push_order(order)

    assert failed.value.code == "mapping_failed"
    assert "SKU-NOT-IN-XREF" in failed.value.detail
    assert remote.documents(order.order_no) == []


def test_an_erp_that_checks_later_answers_pending_then_confirms(
    generic: Connector, remote: RemoteControl
) -> None:
    remote.set_auto_confirm(False)
    good = contract_order(DATA)
    bad = contract_order(ContractData("D404", "WH-SH", CODES["materials"]))

    assert generic.push_order(good).status is PushStatus.PENDING
    assert generic.push_order(bad).status is PushStatus.PENDING
    remote.settle()

    events = {e.order_no: e for e in pull_all(generic.fetch_order_events, None).items}
    assert events[good.order_no].event is ErpOrderEvent.CONFIRMED
    assert events[bad.order_no].event is ErpOrderEvent.REJECTED
    assert (events[bad.order_no].reason or "").startswith("UNKNOWN_CUSTOMER: ")
    confirmed = generic.find_order(good.order_no)
    assert confirmed is not None
    assert confirmed.status is PushStatus.ACCEPTED
    with pytest.raises(BusinessRejection) as rejected:
        generic.push_order(bad)  # a retry finds the refused document: no second one
    assert rejected.value.code == "UNKNOWN_CUSTOMER"
    assert len(remote.documents(bad.order_no)) == 1


def test_partial_shipments_arrive_in_hub_terms(generic: Connector, remote: RemoteControl) -> None:
    order = contract_order(DATA)
    erp_ref = generic.push_order(order).erp_ref
    first = remote.ship(order.order_no, {1: 1})
    rest = remote.ship(order.order_no)

    shipments = {s.shipment_no: s for s in pull_all(generic.fetch_shipments, None).items}

    assert shipments[first].lines == (ShipmentLineIn("SKU-1001", 1),)
    assert shipments[rest].lines == (ShipmentLineIn("SKU-1001", 1), ShipmentLineIn("SKU-1002", 2))
    assert {s.order_no for s in shipments.values()} == {order.order_no}
    assert shipments[rest].erp_ref == erp_ref
    assert shipments[rest].warehouse == "WH-SH"
    assert shipments[rest].shipped_at.tzinfo is not None


def test_invoices_arrive_with_the_dealer_and_exact_amounts(
    generic: Connector, remote: RemoteControl
) -> None:
    order = contract_order(DATA)
    generic.push_order(order)
    invoice_no = remote.invoice(order.order_no)

    [invoice] = pull_all(generic.fetch_invoices, None).items

    assert (invoice.invoice_no, invoice.dealer_code, invoice.order_no) == (
        invoice_no,
        "D001",
        order.order_no,
    )
    assert (invoice.amount, invoice.tax_amount) == (Decimal("452.00"), Decimal("52.00"))
    assert invoice.due_date > invoice.invoice_date


def test_check_names_an_erp_that_does_not_answer() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    connector = create("erp-test", settings(f"http://127.0.0.1:{closed_port}"), context())
    try:
        [problem] = connector.check()
    finally:
        connector.close()
    assert "cannot reach" in problem


def test_check_names_the_api_key_setting(simulator: RunningSimulator) -> None:
    connector = create("erp_east", settings(simulator.url, api_key="wrong"), context())
    try:
        [problem] = connector.check()
    finally:
        connector.close()
    assert "DMS_CONNECTORS__ERP_EAST__API_KEY" in problem


# -- the simulator's HTTP edge -----------------------------------------------------------


@pytest.fixture
def erp(simulator: RunningSimulator, remote: RemoteControl) -> Iterator[httpx.Client]:
    headers = {"X-API-Key": API_KEY, "Content-Type": "application/json"}
    with httpx.Client(base_url=simulator.url, headers=headers, timeout=5) as client:
        yield client


GARBAGE = [
    pytest.param(b"", id="empty"),
    pytest.param(b"not json", id="not-json"),
    pytest.param(b"\xff\xfe{}", id="not-utf8"),
    pytest.param(b"[1, 2]", id="a-list"),
    pytest.param(b'{"externalRef": "X", "externalRef": "Y"}', id="repeated-key"),
    pytest.param(b'{"totals": {"gross": NaN}}', id="nan"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deep"),
    pytest.param(b'{"externalRef": 7, "lines": [{"quantity": true}]}', id="wrong-types"),
]


@pytest.mark.parametrize("body", GARBAGE)
def test_the_simulator_answers_garbage_with_400(erp: httpx.Client, body: bytes) -> None:
    response = erp.post("/orders", content=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"


def test_the_simulator_lists_every_problem_of_an_order(erp: httpx.Client) -> None:
    body = b'{"externalRef": "X", "customer": {}, "warehouse": "W", "lines": [{"lineNo": 0}]}'

    problems = erp.post("/orders", content=body).json()["problems"]

    assert "customer.code must be text of 1 to 200 characters" in problems
    assert "lines[0].lineNo must be a whole number >= 1" in problems
    assert "totals must be a JSON object" in problems


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/events?after=-1", 400, "BAD_REQUEST"),
        ("GET", "/stock?limit=abc", 400, "BAD_REQUEST"),
        ("GET", "/nowhere", 404, "NOT_FOUND"),
        ("DELETE", "/orders", 405, "METHOD_NOT_ALLOWED"),
        ("POST", "/orders/SO-999999/cancel", 404, "NOT_FOUND"),
    ],
)
def test_the_simulator_answers_errors_in_its_own_shape(
    erp: httpx.Client, method: str, path: str, status: int, code: str
) -> None:
    response = erp.request(method, path)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_the_simulator_wants_its_api_key(
    simulator: RunningSimulator, remote: RemoteControl
) -> None:
    for headers in ({}, {"X-API-Key": "wrong"}):
        response = httpx.get(f"{simulator.url}/ping", headers=headers, timeout=5)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_the_control_api_refuses_what_it_cannot_do(remote: RemoteControl) -> None:
    remote.inject_fault("server_error", times=2)
    assert remote.armed_faults() == [("server_error", 2)]

    with pytest.raises(ErpRefusal, match="no_such_fault"):
        remote.inject_fault("no_such_fault")
    with pytest.raises(ErpRefusal, match="NOT_FOUND"):
        remote.ship("NO-SUCH-ORDER")
