"""The SAP connector against its simulator, over real sockets, in both modes:
the contract every connector passes, then what is particular to SAP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyodata  # SAP's own Python OData client (the test extra)
import pytest
import requests
from lxml import etree

from connectors import correlation
from connectors.mapping import InMemoryCrossReference
from connectors.port import Connector
from connectors.registry import ConnectorContext
from connectors.sap import create
from connectors.testing import ConnectorContract, ContractData, contract_order, pull_all
from dms_domain.errors import (
    BusinessRejection,
    ConfigurationError,
    PermanentError,
    TransientError,
)
from dms_domain.exchange import CancelStatus, OrderOut
from simulators.sap import RunningSap, SapControl, SapFault, running_simulator

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


# -- what is particular to SAP ------------------------------------------------------------


def wrong_order(dealer: str = "D001", warehouse: str = "1010") -> OrderOut:
    return contract_order(ContractData(dealer, warehouse, CODES["materials"]))


@pytest.mark.parametrize("mode", ["soap", "odata"])
def test_an_unknown_customer_is_a_business_rejection_with_sap_s_message(
    mode: str, request: pytest.FixtureRequest, sap_control: SapControl
) -> None:
    connector: Connector = request.getfixturevalue(f"{mode}_connector")
    order = wrong_order("D404")

    with pytest.raises(BusinessRejection) as rejected:
        connector.push_order(order)

    assert rejected.value.code == "V1/302"
    assert "C-40404" in rejected.value.detail
    assert sap_control.documents(order.order_no) == []


@pytest.mark.parametrize("mode", ["soap", "odata"])
def test_every_call_carries_the_correlation_id_of_the_work(
    mode: str, request: pytest.FixtureRequest, sap_control: SapControl
) -> None:
    connector: Connector = request.getfixturevalue(f"{mode}_connector")
    order = wrong_order()
    sap_control.traces.clear()
    with correlation.bound(f"trace-{mode}"):
        connector.push_order(order)
    calls = sap_control.correlation_ids()
    assert len(calls) >= 2  # the look-up, then the create (and OData's token fetch)
    assert set(calls) == {f"trace-{mode}"}


def test_a_soap_envelope_sap_cannot_take_is_permanent_and_names_the_field(
    soap_connector: Connector, sap_control: SapControl
) -> None:
    order = wrong_order(warehouse="WH-SHANGHAI")  # a plant is 4 characters in SAP

    with pytest.raises(PermanentError) as refused:
        soap_connector.push_order(order)

    assert refused.value.code == "soap_client_fault"
    assert "PLANT" in refused.value.detail
    assert not isinstance(refused.value, BusinessRejection)
    assert sap_control.documents(order.order_no) == []


def test_an_answer_with_entities_is_refused_by_the_soap_connector(
    soap_connector: Connector, sap_control: SapControl
) -> None:
    sap_control.inject_fault(SapFault.UNSAFE_ANSWER)

    with pytest.raises(PermanentError) as refused:
        soap_connector.find_order("SO-ANY")

    assert refused.value.code == "unsafe_xml"
    assert "root:" not in refused.value.detail  # /etc/passwd was not read


def test_the_soap_service_address_comes_from_the_settings(
    sap: RunningSap, sap_control: SapControl, tmp_path: Path
) -> None:
    # A WSDL fetched once and kept in a file names where the system stood then.
    answer = httpx.get(sap.wsdl_url, auth=(sap.user, sap.password), timeout=5)
    moved = answer.text.replace(sap.url, "http://sap-old.invalid:8000")
    (tmp_path / "service.wsdl").write_text(moved)
    connector = create(
        "sap-file", settings(sap, "soap", wsdl_url=str(tmp_path / "service.wsdl")), context()
    )
    try:
        order = wrong_order()
        result = connector.push_order(order)
    finally:
        connector.close()
    assert sap_control.documents(order.order_no) == [result.erp_ref]


def test_an_odata_push_fetches_a_new_csrf_token_when_the_session_expired(
    odata_connector: Connector, sap_control: SapControl
) -> None:
    odata_connector.push_order(wrong_order())
    sap_control.expire_csrf_tokens()  # the token the connector holds is now stale
    order = wrong_order()

    result = odata_connector.push_order(order)

    assert sap_control.documents(order.order_no) == [result.erp_ref]


@pytest.mark.parametrize("mode", ["soap", "odata"])
def test_cancel_sets_a_reason_for_rejection_on_every_item(
    mode: str, request: pytest.FixtureRequest, sap_control: SapControl
) -> None:
    connector: Connector = request.getfixturevalue(f"{mode}_connector")
    order = wrong_order()
    erp_ref = connector.push_order(order).erp_ref
    assert erp_ref is not None

    result = connector.cancel_order(order.order_no, None, "dealer changed plans")

    assert result.status is CancelStatus.CANCELLED
    items = sap_control.system.order(erp_ref).items
    assert [item.rejection for item in items] == ["Z1", "Z1"]


def test_stock_is_summed_over_storage_locations_per_plant(
    odata_connector: Connector, sap_control: SapControl
) -> None:
    sap_control.system.set_stock("1010", "M-0001", Decimal("7"), storage_location="0001")
    sap_control.system.set_stock("1010", "M-0001", Decimal("5"), storage_location="0002")
    sap_control.system.set_stock("1020", "M-0002", Decimal("3"))

    pulled = pull_all(odata_connector.fetch_stock, None)

    assert {(s.warehouse, s.sku, s.qty_on_hand) for s in pulled.items} == {
        ("1010", "SKU-1001", 12),
        ("1020", "SKU-1002", 3),
    }
    assert {s.key for s in pulled.items} == {"1010/M-0001", "1020/M-0002"}
    assert all(s.as_of.tzinfo is not None for s in pulled.items)


def test_invoices_arrive_with_the_dealer_and_exact_amounts(
    odata_connector: Connector, sap_control: SapControl
) -> None:
    order = wrong_order()
    odata_connector.push_order(order)
    invoice_no = sap_control.invoice(order.order_no)

    [invoice] = pull_all(odata_connector.fetch_invoices, None).items

    assert (invoice.invoice_no, invoice.dealer_code) == (invoice_no, "D001")
    # SAP prices net: 2 x 113.0000 on each of two lines is 452.00, plus 13 % tax
    assert (invoice.amount, invoice.tax_amount) == (Decimal("510.76"), Decimal("58.76"))


def test_bad_settings_name_the_variables(sap: RunningSap) -> None:
    with pytest.raises(ConfigurationError) as bad:
        create("sap_east", {"system": "sap", "base_url": "ftp://x", "user": "U"}, context())

    message = str(bad.value)
    for variable in ("MODE", "BASE_URL", "PASSWORD"):
        assert f"DMS_CONNECTORS__SAP_EAST__{variable}" in message


def test_check_names_the_logon_settings(soap_wrong_password: Connector) -> None:
    [problem] = soap_wrong_password.check()

    assert "DMS_CONNECTORS__SAP-TEST__PASSWORD" in problem


# -- the simulator's edges ---------------------------------------------------------------

ENVELOPE = (
    '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
    '<soap-env:Body><n0:BAPI_SALESORDER_GETLIST xmlns:n0="urn:sap-com:document:sap:rfc:functions">'
    "{inner}</n0:BAPI_SALESORDER_GETLIST></soap-env:Body></soap-env:Envelope>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
    + ENVELOPE.format(inner="<PURCHASE_ORDER_NUMBER>&leak;</PURCHASE_ORDER_NUMBER>")
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "lol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
    + ENVELOPE.format(inner="<PURCHASE_ORDER_NUMBER>&j;</PURCHASE_ORDER_NUMBER>")
)


def soap_post(sap: RunningSap, body: str) -> httpx.Response:
    return httpx.post(
        sap.soap_url,
        content=body.encode(),
        headers={"Content-Type": "text/xml; charset=utf-8"},
        auth=(sap.user, sap.password),
        timeout=5,
    )


def fault_of(response: httpx.Response) -> tuple[str, str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(response.content, parser)
    return (
        root.findtext(".//faultcode") or "",
        root.findtext(".//faultstring") or "",
    )


@pytest.mark.parametrize(
    "body", [pytest.param(XXE, id="external-entity"), pytest.param(LAUGHS, id="billion-laughs")]
)
def test_the_simulator_refuses_entity_attacks(
    sap: RunningSap, sap_control: SapControl, body: str
) -> None:
    response = soap_post(sap, body)

    assert response.status_code == 500
    code, message = fault_of(response)
    assert code.endswith("Client")
    assert "DTD" in message or "entity" in message
    assert b"root:" not in response.content
    assert len(response.content) < 2000


@pytest.mark.parametrize(
    ("inner", "named"),
    [
        (
            "<PURCHASE_ORDER_NUMBER>" + "X" * 36 + "</PURCHASE_ORDER_NUMBER>",
            "PURCHASE_ORDER_NUMBER",
        ),
        ("<NO_SUCH_PARAMETER>1</NO_SUCH_PARAMETER>", "NO_SUCH_PARAMETER"),
    ],
)
def test_the_simulator_validates_envelopes_against_the_wsdl(
    sap: RunningSap, sap_control: SapControl, inner: str, named: str
) -> None:
    code, message = fault_of(soap_post(sap, ENVELOPE.format(inner=inner)))

    assert code.endswith("Client")
    assert named in message


def test_the_simulator_wants_a_csrf_token_for_changes(
    sap: RunningSap, sap_control: SapControl
) -> None:
    url = f"{sap.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder"
    with httpx.Client(auth=(sap.user, sap.password), timeout=5) as client:
        refused = client.post(url, json={})
        token = client.get(url, headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
        taken = client.post(
            url, json={"PurchaseOrderByCustomer": 7}, headers={"X-CSRF-Token": token}
        )

    assert (refused.status_code, refused.headers["x-csrf-token"]) == (403, "Required")
    assert taken.status_code == 400
    error = taken.json()["error"]
    assert error["message"]["lang"] == "en"
    assert "PurchaseOrderByCustomer" in error["message"]["value"]
    assert error["innererror"]["errordetails"]


def test_the_simulator_pages_with_top_and_skip(sap: RunningSap, sap_control: SapControl) -> None:
    for plant in ("1001", "1002", "1003", "1004", "1005"):
        sap_control.set_stock(plant, "M-0001", 1)
    url = f"{sap.url}/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod"
    params = {"$orderby": "Plant desc", "$top": "2", "$skip": "1", "$inlinecount": "allpages"}

    d = httpx.get(url, params=params, auth=(sap.user, sap.password), timeout=5).json()["d"]

    assert d["__count"] == "5"
    assert [r["Plant"] for r in d["results"]] == ["1004", "1003"]
    assert d["results"][0]["MatlWrhsStkQtyInMatlBaseUnit"] == "1"


def test_a_standard_odata_client_reads_and_creates_through_the_simulator(
    sap: RunningSap, sap_control: SapControl
) -> None:
    service_url = f"{sap.url}/sap/opu/odata/sap/API_SALES_ORDER_SRV/"
    session = requests.Session()
    session.auth = (sap.user, sap.password)
    # pyodata leaves the CSRF token to the session, as its documentation shows.
    token = session.head(service_url, headers={"x-csrf-token": "fetch"}, timeout=5)
    session.headers["x-csrf-token"] = token.headers["x-csrf-token"]
    client = pyodata.Client(service_url, session)

    created = (
        client.entity_sets.A_SalesOrder.create_entity()
        .set(
            SalesOrderType="OR",
            SalesOrganization="1010",
            DistributionChannel="10",
            OrganizationDivision="00",
            SoldToParty="C-10002",
            PurchaseOrderByCustomer="PYODATA-1",
            to_Item=[{"SalesOrderItem": "10", "Material": "M-0002", "RequestedQuantity": "3"}],
        )
        .execute()
    )
    found = (
        client.entity_sets.A_SalesOrder.get_entities()
        .filter("PurchaseOrderByCustomer eq 'PYODATA-1'")
        .expand("to_Item")
        .execute()
    )
    session.close()

    assert sap_control.documents("PYODATA-1") == [created.SalesOrder]
    [order] = found
    assert (order.SalesOrder, order.SoldToParty) == (created.SalesOrder, "C-10002")
    # pyodata leaves Edm.Decimal as V2 JSON writes it: a string
    assert [(i.Material, i.RequestedQuantity) for i in order.to_Item] == [("M-0002", "3")]


@pytest.mark.parametrize("mode", ["soap", "odata"])
def test_a_sap_that_does_not_answer_is_transient_and_check_says_so(
    mode: str, sap: RunningSap
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    connector = create("sap-test", {**settings(sap, mode), "base_url": closed}, context())
    try:
        with pytest.raises(TransientError):
            connector.push_order(wrong_order())
        [problem] = connector.check()
    finally:
        connector.close()
    assert "cannot reach" in problem
