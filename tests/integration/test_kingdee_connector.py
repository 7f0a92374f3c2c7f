"""The Kingdee K3 Cloud connector against its simulator, over real sockets: the
contract every connector passes (session login, and the SDK's signed
headers), then what is particular to K3 Cloud."""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from k3cloud_webapi_sdk.core import webapi_client
from k3cloud_webapi_sdk.main import K3CloudApiSdk

from connectors.kingdee import KingdeeConnector, create
from connectors.kingdee import connector as connector_module
from connectors.kingdee.signing import AppIdentity
from connectors.mapping import InMemoryCrossReference, load_mapping
from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.testing import ConnectorContract, ContractData, contract_order, pull_all
from dms_domain.errors import BusinessRejection, ConfigurationError, PermanentError, TransientError
from dms_domain.exchange import CancelStatus, PushResult, PushStatus, ShipmentLineIn
from simulators.kingdee import FaultKind, RunningSimulator, SimulatorControl, running_simulator

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


@pytest.fixture(scope="module", autouse=True)
def _mappings_compiled_once() -> Iterator[None]:
    # Many connectors are built here, all from the same seven files (about 0.7 s each time).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connector_module, "load_mapping", functools.cache(load_mapping))
        yield


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


# -- what is particular to K3 Cloud ----------------------------------------------------


def build(sim: RunningSimulator, auth: str = "password", **overrides: Any) -> KingdeeConnector:
    connector = create(f"k3-{auth}", settings(sim, auth, **overrides), context())
    assert isinstance(connector, KingdeeConnector)
    return connector


@pytest.fixture
def k3(simulator: RunningSimulator) -> Iterator[KingdeeConnector]:
    connector = build(simulator)
    yield connector
    connector.close()


def model_of(order_no: str, qty: int = 2) -> dict[str, Any]:
    return {
        "FBillNo": order_no,
        "FDate": "2026-01-05",
        "FSaleOrgId": {"FNumber": "100"},
        "FCustId": {"FNumber": "CUST0001"},
        "FSaleOrderEntry": [
            {"FMaterialId": {"FNumber": "MAT0001"}, "FQty": qty, "FTaxPrice": 113},
            {"FMaterialId": {"FNumber": "MAT0002"}, "FQty": qty, "FTaxPrice": 113},
        ],
    }


def test_the_entry_point_is_declared() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert 'kingdee = "connectors.kingdee:create"' in pyproject


@pytest.mark.parametrize("auth", ["password", "app_secret", "sign"])
def test_each_login_opens_one_session_for_many_calls(
    simulator: RunningSimulator, auth: str
) -> None:
    connector = build(simulator, auth)
    try:
        assert connector.check() == []
        result = connector.push_order(contract_order(DATA))
        connector.fetch_customers(None)
    finally:
        connector.close()
    assert result.status is PushStatus.ACCEPTED
    assert connector.logins == 1


@pytest.mark.parametrize(
    ("auth", "wrong", "setting"),
    [
        ("password", {"password": "nope"}, "PASSWORD"),
        ("app_secret", {"app_secret": "nope"}, "APP_SECRET"),
        ("sign", {"app_secret": "nope"}, "APP_SECRET"),
        ("signed_headers", {"app_secret": "nope"}, "APP_SECRET"),
    ],
)
def test_refused_credentials_name_the_settings(
    simulator: RunningSimulator, auth: str, wrong: dict[str, str], setting: str
) -> None:
    connector = build(simulator, auth, **wrong)
    try:
        [problem] = connector.check()
        with pytest.raises(PermanentError) as refused:
            connector.fetch_stock(None)
    finally:
        connector.close()
    assert f"DMS_CONNECTORS__K3-{auth.upper()}__{setting}" in problem
    assert refused.value.code in ("credentials_refused", "permission_denied")


def test_a_lost_session_is_renewed_and_the_call_sent_again(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    k3.fetch_customers(None)
    control.expire_sessions()

    page = k3.fetch_customers(None)

    assert {c.customer_code for c in page.items} >= {"CUST0001", "CUST0002"}
    assert k3.logins == 2


def test_a_session_that_times_out_is_renewed() -> None:
    with running_simulator(session_seconds=0.2) as sim:
        connector = build(sim)
        try:
            connector.fetch_products(None)
            time.sleep(0.3)
            page = connector.fetch_products(None)
        finally:
            connector.close()
    assert {p.material_code for p in page.items} == set(CODES["materials"].values())
    assert connector.logins == 2


def test_context_lost_twice_in_a_row_is_transient(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    k3.fetch_customers(None)
    control.inject_fault(FaultKind.CONTEXT_LOST, times=2)

    with pytest.raises(TransientError) as lost:
        k3.fetch_customers(None)

    assert "会话信息已丢失" in lost.value.detail
    assert k3.fetch_customers(None).items
    assert k3.logins == 3  # the first, one per lost context


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (FaultKind.NETWORK_CONTROL, "MsgCode 13"),
        (FaultKind.CALL_LIMIT, "MsgCode 14"),
        (FaultKind.NO_RESULT, "no Result.ResponseStatus"),
    ],
)
def test_network_control_call_limits_and_answers_without_result_are_transient(
    k3: KingdeeConnector, control: SimulatorControl, fault: FaultKind, words: str
) -> None:
    order = contract_order(DATA)
    k3.find_order(order.order_no)  # logged in: the fault meets the push
    control.inject_fault(fault)

    with pytest.raises(TransientError) as failed:
        k3.push_order(order)
    result = k3.push_order(order)

    assert words in failed.value.detail
    assert control.documents(order.order_no) == [result.erp_ref]


def test_validation_errors_are_a_rejection_keeping_every_field(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    order = contract_order(ContractData("D404", "CK001", CODES["materials"]))

    with pytest.raises(BusinessRejection) as rejected:
        k3.push_order(order)

    assert rejected.value.code == "FCustId"
    assert "CUST4040" in rejected.value.detail
    assert rejected.value.extra["msg_code"] == 11
    assert [e["field"] for e in rejected.value.extra["errors"]] == ["FCustId"]
    assert control.documents(order.order_no) == []


def test_a_validation_failure_at_submit_is_a_rejection(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    order = contract_order(DATA)
    control.books.save_order(model_of(order.order_no))
    k3.find_order(order.order_no)
    control.inject_fault(FaultKind.VALIDATION_FAILED)

    with pytest.raises(BusinessRejection) as rejected:
        k3.push_order(order)

    assert (rejected.value.code, rejected.value.extra["errors"][0]["field"]) == ("FQty", "FQty")
    assert control.status(order.order_no) == "A"


def test_an_order_the_mapping_cannot_write_is_permanent_and_not_sent(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    order = contract_order(ContractData("D001", "CK001", {"SKU-NOT-IN-XREF": "MAT0001"}))

    with pytest.raises(PermanentError) as failed:
        k3.push_order(order)

    assert failed.value.code == "mapping_failed"
    assert "SKU-NOT-IN-XREF" in failed.value.detail
    assert control.documents(order.order_no) == []


@pytest.mark.parametrize(("steps", "status"), [((), "A"), (("Submit",), "B")])
def test_a_push_resumes_a_bill_an_earlier_attempt_left_unaudited(
    k3: KingdeeConnector, control: SimulatorControl, steps: tuple[str, ...], status: str
) -> None:
    order = contract_order(DATA)
    bill = control.books.save_order(model_of(order.order_no))
    for step in steps:
        control.books.operate(step, bill)

    found = k3.find_order(order.order_no)
    result = k3.push_order(order)

    assert found == PushResult(PushStatus.PENDING, order.order_no)
    assert control.status(order.order_no) == "C"
    assert result == PushResult(PushStatus.ACCEPTED, order.order_no)
    assert control.books.orders[order.order_no].entries[0].qty == 2  # the saved bill, kept


def test_the_saved_bill_carries_the_mapped_order(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    order = contract_order(DATA)

    k3.push_order(order)

    bill = control.books.orders[order.order_no]
    assert (bill.customer, bill.org, bill.bill_type) == ("CUST0001", "100", "XSDD01_SYS")
    lines = [(e.material, e.qty, e.tax_price, e.tax_rate) for e in bill.entries]
    assert lines == [
        ("MAT0001", Decimal(2), Decimal("113.0000"), Decimal("13")),
        ("MAT0002", Decimal(2), Decimal("113.0000"), Decimal("13")),
    ]


def test_a_voided_bill_is_a_rejection(k3: KingdeeConnector, control: SimulatorControl) -> None:
    order = contract_order(DATA)
    k3.push_order(order)
    k3.cancel_order(order.order_no, None, "dealer changed plans")

    with pytest.raises(BusinessRejection) as voided:
        k3.find_order(order.order_no)

    assert voided.value.code == "K3_VOIDED"
    assert control.books.orders[order.order_no].cancel_status == "B"


def test_cancel_of_a_submitted_bill_withdraws_then_voids_it(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    order = contract_order(DATA)
    bill = control.books.save_order(model_of(order.order_no))
    control.books.operate("Submit", bill)

    result = k3.cancel_order(order.order_no, None, "changed plans")

    assert result.status is CancelStatus.CANCELLED
    assert (bill.status, bill.cancel_status) == ("A", "B")


def test_cancel_by_delete_removes_the_bill(simulator: RunningSimulator) -> None:
    connector = build(simulator, cancel_by="delete")
    try:
        order = contract_order(DATA)
        connector.push_order(order)
        first = connector.cancel_order(order.order_no, None, "changed plans")
        again = connector.cancel_order(order.order_no, None, "changed plans")
    finally:
        connector.close()
    assert (first.status, again.status) == (CancelStatus.CANCELLED, CancelStatus.CANCELLED)
    assert simulator.control.documents(order.order_no) == []


def test_cancel_by_close_closes_the_audited_bill_unless_goods_left(
    simulator: RunningSimulator,
) -> None:
    connector = build(simulator, cancel_by="close")
    open_order, shipped_order = contract_order(DATA), contract_order(DATA)
    try:
        connector.push_order(open_order)
        connector.push_order(shipped_order)
        simulator.control.ship(shipped_order.order_no, {1: 1})
        closed = connector.cancel_order(open_order.order_no, None, "changed plans")
        again = connector.cancel_order(open_order.order_no, None, "changed plans")
        refused = connector.cancel_order(shipped_order.order_no, None, "too late")
    finally:
        connector.close()
    books = simulator.control.books
    assert (closed.status, again.status) == (CancelStatus.CANCELLED, CancelStatus.CANCELLED)
    assert (books.orders[open_order.order_no].close_status, closed.reason) == ("B", "changed plans")
    assert refused.status is CancelStatus.REFUSED
    assert "FStockOutQty" in (refused.reason or "")
    assert books.orders[shipped_order.order_no].close_status == "A"


def test_a_shipment_comes_back_with_its_lines_and_tracking(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    start = pull_all(k3.fetch_shipments, None).cursor
    order = contract_order(DATA)
    k3.push_order(order)
    number = control.ship(order.order_no, {1: 2, 2: 1})

    [shipment] = pull_all(k3.fetch_shipments, start).items

    assert (shipment.shipment_no, shipment.order_no, shipment.erp_ref) == (
        number,
        order.order_no,
        order.order_no,
    )
    assert shipment.lines == (ShipmentLineIn("SKU-1001", 2), ShipmentLineIn("SKU-1002", 1))
    assert (shipment.warehouse, shipment.carrier) == ("CK001", "SF")
    assert shipment.tracking_no
    assert shipment.shipped_at.utcoffset() == timedelta(hours=8)


def test_entries_of_a_page_are_read_in_pages_of_their_own(
    k3: KingdeeConnector, control: SimulatorControl, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = pull_all(k3.fetch_shipments, None).cursor
    orders = [contract_order(DATA) for _ in range(2)]
    for order in orders:
        k3.push_order(order)
        control.ship(order.order_no)
    monkeypatch.setattr(connector_module, "K3_MAX_LIMIT", 1)  # StartRow 0, 1, 2...

    shipments = pull_all(k3.fetch_shipments, start).items

    assert [len(s.lines) for s in shipments] == [2, 2]
    assert {s.order_no for s in shipments} == {o.order_no for o in orders}


def test_invoices_and_payments_come_back(k3: KingdeeConnector, control: SimulatorControl) -> None:
    invoices_from = pull_all(k3.fetch_invoices, None).cursor
    payments_from = pull_all(k3.fetch_payments, None).cursor
    order = contract_order(DATA)
    k3.push_order(order)
    invoice_no = control.invoice(order.order_no)
    receipt_no = control.receive("CUST0001", Decimal("452.00"))

    [invoice] = pull_all(k3.fetch_invoices, invoices_from).items
    [payment] = pull_all(k3.fetch_payments, payments_from).items

    assert (invoice.invoice_no, invoice.order_no, invoice.dealer_code) == (
        invoice_no,
        order.order_no,
        "D001",
    )
    assert (invoice.amount, invoice.tax_amount, invoice.currency) == (
        Decimal("452.00"),
        Decimal("52.00"),
        "CNY",
    )
    assert (payment.payment_no, payment.dealer_code, payment.amount) == (
        receipt_no,
        "D001",
        Decimal("452.00"),
    )
    assert payment.invoice_no is None


def test_master_data_comes_back(k3: KingdeeConnector, control: SimulatorControl) -> None:
    customers_from = pull_all(k3.fetch_customers, None).cursor
    products_from = pull_all(k3.fetch_products, None).cursor
    code = f"CUST{uuid.uuid4().hex[:6].upper()}"
    control.add_customer(code, "新经销商")
    control.add_material("MAT0002", "机滤（新包装）")  # a change: a newer version

    [customer] = pull_all(k3.fetch_customers, customers_from).items
    [product] = pull_all(k3.fetch_products, products_from).items

    assert (customer.customer_code, customer.name, customer.dealer_code) == (code, "新经销商", None)
    assert (product.material_code, product.sku, product.active) == ("MAT0002", "SKU-1002", True)
    assert product.name == "机滤（新包装）"


def test_a_cursor_the_connector_never_gave_is_refused(k3: KingdeeConnector) -> None:
    with pytest.raises(PermanentError) as refused:
        k3.fetch_shipments("yesterday")
    assert refused.value.code == "bad_cursor"


def test_settings_missing_for_the_auth_mode_are_named() -> None:
    raw = {"system": "kingdee", "base_url": "http://k3", "acct_id": "a", "user_name": "u"}

    with pytest.raises(ConfigurationError) as bad:
        create("erp_east", {**raw, "auth": "signed_headers", "app_id": "1_x"}, context())

    assert "DMS_CONNECTORS__ERP_EAST__APP_SECRET" in bad.value.detail
    assert "needed when AUTH is signed_headers" in bad.value.detail


def test_the_connectors_signed_headers_are_the_sdks(simulator: RunningSimulator) -> None:
    """The same clock, the same account: the connector signs exactly as the SDK does."""
    account = simulator.account
    sdk = K3CloudApiSdk(simulator.url)
    sdk.InitConfig(
        account.acct_id, account.user_name, account.app_id, account.app_secret, simulator.url
    )
    url = simulator.url + "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.View.common.kdsvc"
    now = int(time.time())
    original = webapi_client.time
    webapi_client.time = SimpleNamespace(time=lambda: now)
    try:
        theirs = sdk.BuildHeader(url)
    finally:
        webapi_client.time = original
    identity = AppIdentity(account.acct_id, account.user_name, account.app_id, account.app_secret)

    ours = identity.headers(urlsplit(url).path, now)

    assert ours == {key: theirs[key] for key in ours}
    assert set(theirs) - set(ours) <= {"Accept-Charset", "User-Agent", "Content-Type"}


def test_the_simulator_takes_every_body_form(simulator: RunningSimulator) -> None:
    account, services = simulator.account, "Kingdee.BOS.WebApi.ServicesStub."
    order_no = f"FORMS-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=simulator.url) as client:
        anonymous = client.post(
            f"{services}DynamicFormService.ExecuteBillQuery.common.kdsvc",
            json={"data": {"FormId": "BD_Customer", "FieldKeys": "FNumber"}},
        ).json()
        named = {
            "acctID": account.acct_id,
            "username": account.user_name,
            "password": account.password,
            "lcid": 2052,
        }
        login = client.post(f"{services}AuthService.ValidateUser.common.kdsvc", json=named)
        data_text = json.dumps({"Model": model_of(order_no)})
        saved = client.post(
            f"{services}DynamicFormService.Save.common.kdsvc",
            json={"parameters": ["SAL_SaleOrder", data_text]},
        ).json()
        query = {"FormId": "SAL_SaleOrder", "FieldKeys": "FBillNo", "FilterString": ""}
        rows = client.post(
            f"{services}DynamicFormService.ExecuteBillQuery.common.kdsvc",
            json={"data": json.dumps(query)},
        ).json()
        garbage = client.post(
            f"{services}DynamicFormService.View.common.kdsvc", content=b"{not json"
        ).json()
        unknown = client.post(f"{services}DynamicFormService.Shred.common.kdsvc", json={})

    assert anonymous[0][0]["Result"]["ResponseStatus"]["MsgCode"] == 1
    assert login.json()["LoginResultType"] == 1
    assert {"kdservice-sessionid", "ASP.NET_SessionId"} <= set(login.cookies)
    assert saved["Result"]["ResponseStatus"]["IsSuccess"] is True
    assert [row for row in rows if row == [order_no]] == [[order_no]]  # a header row only
    assert garbage["Result"]["ResponseStatus"]["MsgCode"] == 8
    assert unknown.status_code == 404


def test_cancel_by_close_deletes_a_bill_not_yet_audited(simulator: RunningSimulator) -> None:
    connector = build(simulator, cancel_by="close")
    order = contract_order(DATA)
    bill = simulator.control.books.save_order(model_of(order.order_no))
    simulator.control.books.operate("Submit", bill)
    try:
        result = connector.cancel_order(order.order_no, None, "changed plans")
    finally:
        connector.close()
    assert result.status is CancelStatus.CANCELLED
    assert simulator.control.documents(order.order_no) == []


def test_a_coding_rule_that_renumbers_the_bill_stops_at_once(
    k3: KingdeeConnector, control: SimulatorControl
) -> None:
    order = contract_order(DATA)
    control.set_manual_numbers(False)
    try:
        with pytest.raises(PermanentError) as stopped:
            k3.push_order(order)
    finally:
        control.set_manual_numbers(True)

    assert stopped.value.code == "bill_number_overridden"
    assert "XSDD" in stopped.value.detail
    assert "手工编号" in stopped.value.detail
    assert control.documents(order.order_no) == []
