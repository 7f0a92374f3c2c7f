"""The Yonyou U8 connector against the U8 simulator over real staging tables on
PostgreSQL: the hub side natively (psycopg, through the fault proxy), U8's side
through pyodbc. The contract every connector passes, then what is U8's own."""

from __future__ import annotations

import time
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


# -- what is particular to U8 through staging tables ------------------------------------


def rows(u8: RunningU8, statement: str, *params: Any) -> list[Any]:
    return u8.erp._select(statement, params)


def drain(fetch: Any) -> Any:
    """Every page, each acknowledged by the next pull, as the sync engine does."""
    pulled = pull_all(fetch, None)
    fetch(pulled.cursor)  # the engine's next pull: the last page is applied
    return pulled


def test_the_factory_builds_the_connector_and_it_checks_the_tables(
    u8: RunningU8, database: Scratch
) -> None:
    connector = create("u8-east", settings(hub_target(u8, database)), context())
    try:
        assert isinstance(connector, U8StagingConnector)
        assert (connector.name, connector.system) == ("u8-east", "yonyou")
        assert connector.check() == []
    finally:
        connector.close()


def test_a_database_without_the_tables_is_reported_by_check() -> None:
    with scratch_database("pg-native", "u8empty") as empty:
        connector = create("u8-x", settings(empty.target), context())
        try:
            [problem] = connector.check()
        finally:
            connector.close()
    assert "dms-hub staging init" in problem


def test_settings_name_the_bad_variable() -> None:
    with pytest.raises(ConfigurationError) as bad:
        create("u8-x", {"system": "yonyou", "target": " ", "lease_seconds": 0}, context())
    assert "DMS_CONNECTORS__U8-X__TARGET" in bad.value.detail
    assert "DMS_CONNECTORS__U8-X__LEASE_SECONDS" in bad.value.detail


def test_an_accepted_order_is_one_u8_sales_order_and_its_number_comes_back(
    yonyou: Connector, u8: RunningU8
) -> None:
    order = contract_order(DATA)

    pushed = yonyou.push_order(order)
    lines = rows(
        u8,
        "SELECT line_no, sku, erp_material_code, qty, is_gift FROM dms_out_sales_order_line "
        "WHERE order_no = ? ORDER BY line_no",
        order.order_no,
    )
    u8.control.settle()
    found = yonyou.find_order(order.order_no)
    events = [e for e in drain(yonyou.fetch_order_events).items if e.order_no == order.order_no]

    assert pushed.status is PushStatus.PENDING
    assert [(ln[0], ln[1], ln[2], Decimal(ln[3]), ln[4]) for ln in lines] == [
        (1, "SKU-1001", "01010001", Decimal(2), 0),
        (2, "SKU-1002", "01010002", Decimal(2), 0),
    ]
    [doc_no] = u8.erp.sales_orders(order.order_no)
    assert found is not None
    assert (found.status, found.erp_ref) == (PushStatus.ACCEPTED, doc_no)
    assert [(e.event, e.erp_ref) for e in events] == [(ErpOrderEvent.CONFIRMED, doc_no)]
    [(seen,)] = rows(
        u8, "SELECT hub_seen_at FROM dms_out_sales_order WHERE order_no = ?", order.order_no
    )
    assert seen is not None


@pytest.mark.parametrize(
    ("dealer", "sku", "code", "value"),
    [
        ("D404", "SKU-1001", "UNKNOWN_CUSTOMER", "0104040"),
        ("D001", "SKU-2001", "UNKNOWN_SKU", "01020001"),
    ],
)
def test_u8_rejects_unknown_customers_and_skus_naming_the_value(
    yonyou: Connector, u8: RunningU8, dealer: str, sku: str, code: str, value: str
) -> None:
    order = contract_order(ContractData(dealer, "WH-SH", {sku: MATERIALS[sku]}))
    yonyou.push_order(order)
    u8.control.settle()

    with pytest.raises(BusinessRejection) as rejected:
        yonyou.find_order(order.order_no)
    events = [e for e in drain(yonyou.fetch_order_events).items if e.order_no == order.order_no]

    assert rejected.value.code == code
    assert value in rejected.value.detail
    assert [e.event for e in events] == [ErpOrderEvent.REJECTED]
    assert u8.erp.sales_orders(order.order_no) == []


def test_an_order_the_mapping_cannot_write_is_permanent_and_not_written(
    yonyou: Connector, u8: RunningU8
) -> None:
    order = contract_order(ContractData("D001", "WH-SH", {"SKU-NOT-IN-XREF": "X"}))

    with pytest.raises(PermanentError) as failed:
        yonyou.push_order(order)

    assert failed.value.code == "mapping_failed"
    assert "SKU-NOT-IN-XREF" in failed.value.detail
    assert u8.control.documents(order.order_no) == []


def test_partial_shipments_then_the_rest(yonyou: Connector, u8: RunningU8) -> None:
    order = contract_order(DATA)
    yonyou.push_order(order)
    u8.control.settle()
    first = u8.control.ship(order.order_no, {1: 1})
    second = u8.control.ship(order.order_no)

    shipments = {
        s.shipment_no: s
        for s in drain(yonyou.fetch_shipments).items
        if s.order_no == order.order_no
    }

    assert set(shipments) == {first, second}
    assert [(ln.sku, ln.qty) for ln in shipments[first].lines] == [("SKU-1001", 1)]
    assert [(ln.sku, ln.qty) for ln in shipments[second].lines] == [
        ("SKU-1001", 1),
        ("SKU-1002", 2),
    ]
    assert shipments[first].erp_ref == u8.erp.sales_orders(order.order_no)[0]
    cancel = yonyou.cancel_order(order.order_no, None, "too late")
    assert cancel.status is CancelStatus.REFUSED


def test_invoices_credit_notes_and_payments_come_back_in_hub_terms(
    yonyou: Connector, u8: RunningU8
) -> None:
    order = contract_order(DATA)
    yonyou.push_order(order)
    u8.control.settle()
    invoice_no = u8.control.invoice(order.order_no)
    note_no = u8.erp.credit_note("0101001", Decimal("113.00"), invoice_no, "退货：包装破损")
    payment_no = u8.erp.payment("0101001", Decimal("339.00"), invoice_no)

    [invoice] = [i for i in drain(yonyou.fetch_invoices).items if i.invoice_no == invoice_no]
    [note] = [n for n in drain(yonyou.fetch_credit_notes).items if n.credit_note_no == note_no]
    [paid] = [p for p in drain(yonyou.fetch_payments).items if p.payment_no == payment_no]

    assert (invoice.dealer_code, invoice.amount, invoice.tax_amount, invoice.currency) == (
        "D001",
        Decimal("452.00"),
        Decimal("52.00"),
        "CNY",
    )
    assert invoice.order_no == order.order_no
    assert (note.dealer_code, note.amount, note.invoice_no, note.reason) == (
        "D001",
        Decimal("113.00"),
        invoice_no,
        "退货：包装破损",
    )
    assert (paid.dealer_code, paid.amount, paid.invoice_no) == (
        "D001",
        Decimal("339.00"),
        invoice_no,
    )


def test_bad_rows_go_to_error_naming_column_and_value_and_the_batch_goes_on(
    u8: RunningU8, database: Scratch
) -> None:
    connector = create("u8-bad", settings(hub_target(u8, database), page_size=50), context())
    try:
        drain(connector.fetch_stock)  # what earlier tests left
        good = u8.control.set_stock("WH-GOOD", "01010001", 7)
        fraction = u8.control.set_stock("WH-FRAC", "01010001", Decimal("2.5"))  # type: ignore[arg-type]
        unknown = u8.control.set_stock("WH-UNKN", "09999999", 3)
        good_too = u8.control.set_stock("WH-GOOD2", "01010002", 9)

        page = connector.fetch_stock(None)
        connector.fetch_stock(page.cursor)
    finally:
        connector.close()

    assert {s.key for s in page.items} == {good, good_too}
    assert {r.key for r in page.rejected} == {fraction, unknown}
    state = {
        f"{r[0]}/{r[1]}": (r[2], r[3])
        for r in rows(u8, "SELECT warehouse_code, sku, status, error_msg FROM dms_in_stock")
    }
    assert state[good] == (2, None)
    assert state[good_too] == (2, None)
    assert state[fraction][0] == 3
    assert "qty_on_hand" in state[fraction][1]
    assert "2.5" in state[fraction][1]
    assert state[unknown][0] == 3
    assert "sku" in state[unknown][1]
    assert "09999999" in state[unknown][1]


def test_a_page_the_hub_never_applied_comes_back_after_the_lease(
    u8: RunningU8, database: Scratch
) -> None:
    connector = create(
        "u8-lease", settings(hub_target(u8, database), page_size=50, lease_seconds=0.5), context()
    )
    try:
        drain(connector.fetch_stock)
        key = u8.control.set_stock("WH-LEASE", "01010001", 4)
        lost = connector.fetch_stock(None)  # the hub crashed before applying this page
        at_once = connector.fetch_stock(None)
        time.sleep(0.7)
        again = connector.fetch_stock(None)
    finally:
        connector.close()

    assert [s.key for s in lost.items] == [key]
    assert at_once.items == []
    assert [s.key for s in again.items] == [key]
    assert [s.version for s in again.items] == [s.version for s in lost.items]


def test_a_cursor_it_did_not_give_is_refused(yonyou: Connector) -> None:
    with pytest.raises(PermanentError) as refused:
        yonyou.fetch_stock("42; DROP TABLE dms_in_stock")
    assert refused.value.code == "bad_cursor"


def test_a_shipment_without_lines_goes_to_error_naming_the_missing_value(
    u8: RunningU8, database: Scratch
) -> None:
    connector = create("u8-nolines", settings(hub_target(u8, database), page_size=50), context())
    try:
        drain(connector.fetch_shipments)
        number = u8.erp.number("DL")
        u8.erp.db.run(
            lambda cur: cur.execute(
                u8.erp.sql(
                    "INSERT INTO dms_in_shipment (shipment_no, order_no, shipped_at) "
                    f"VALUES (?, ?, {u8.erp.now})"
                ),
                (number, "SO-ANY"),
            )
        )
        page = connector.fetch_shipments(None)
    finally:
        connector.close()

    assert [r.key for r in page.rejected] == [number]
    [(status, error)] = rows(
        u8, "SELECT status, error_msg FROM dms_in_shipment WHERE shipment_no = ?", number
    )
    assert status == 3
    assert error.startswith("lines:")


def _ahead_state(u8: RunningU8, prefix: str) -> dict[str, tuple[int, int]]:
    """warehouse -> (status, attempts) of the stock rows written by a test."""
    found = rows(
        u8,
        "SELECT warehouse_code, status, attempts FROM dms_in_stock WHERE warehouse_code LIKE ?",
        prefix + "%",
    )
    return {r[0]: (int(r[1]), int(r[2])) for r in found}


def _until(check: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the read-ahead did not claim in time"
        time.sleep(0.02)


def test_with_a_backlog_the_next_page_is_claimed_while_this_one_is_applied(
    u8: RunningU8, database: Scratch
) -> None:
    connector = create("u8-ahead", settings(hub_target(u8, database), page_size=3), context())
    try:
        drain(connector.fetch_stock)
        keys = [u8.control.set_stock(f"WH-AHEAD{i}", "01010001", i + 1) for i in range(7)]
        first = connector.fetch_stock(None)
        # A full page: the next three are claimed at once, in the background.
        _until(lambda: sorted(s for s, _ in _ahead_state(u8, "WH-AHEAD").values()) == [0, *[1] * 6])
        second = connector.fetch_stock(first.cursor)
        third = connector.fetch_stock(second.cursor)  # one row: no read-ahead after it
        # The first page was finished by the read-ahead, the second by this pull.
        after_third = _ahead_state(u8, "WH-AHEAD")
        last = connector.fetch_stock(third.cursor)
    finally:
        connector.close()

    pages = [[s.key for s in page.items] for page in (first, second, third)]
    assert pages == [keys[0:3], keys[3:6], keys[6:7]]
    assert last.items == []
    assert [after_third[f"WH-AHEAD{i}"][0] for i in range(7)] == [2, 2, 2, 2, 2, 2, 1]
    # Every row finished once, each claimed once: the read-ahead is no extra attempt.
    assert set(_ahead_state(u8, "WH-AHEAD").values()) == {(2, 1)}


def test_a_read_ahead_the_hub_does_not_ask_for_is_given_back_unread(
    u8: RunningU8, database: Scratch
) -> None:
    connector = create("u8-back", settings(hub_target(u8, database), page_size=2), context())
    try:
        drain(connector.fetch_stock)
        keys = [u8.control.set_stock(f"WH-BACK{i}", "01010001", i + 1) for i in range(5)]
        lost = connector.fetch_stock(None)  # full: the next two are read ahead
        _until(lambda: sum(s == 1 for s, _ in _ahead_state(u8, "WH-BACK").values()) == 4)
        # The hub never applied that page and starts over: no cursor.
        again = connector.fetch_stock(None)
        state_after_restart = _ahead_state(u8, "WH-BACK")
        closing = connector.fetch_stock(again.cursor)
    finally:
        connector.close()  # gives back what it read ahead after `again`

    assert [s.key for s in lost.items] == keys[0:2]
    # The read-ahead (keys 2, 3) was given back and claimed anew by this pull:
    # one attempt each, not two.
    assert [s.key for s in again.items] == keys[2:4]
    assert [state_after_restart[f"WH-BACK{i}"] for i in (2, 3)] == [(1, 1), (1, 1)]
    assert [s.key for s in closing.items] == keys[4:5]
    final = _ahead_state(u8, "WH-BACK")
    assert [final[f"WH-BACK{i}"] for i in range(5)] == [(1, 1), (1, 1), (2, 1), (2, 1), (1, 1)]


def test_a_read_ahead_nobody_asks_for_is_given_back_after_its_time(
    u8: RunningU8, database: Scratch
) -> None:
    # The next page's job went to another worker process: this one's
    # read-ahead must not sit on the rows for the whole lease.
    connector = create(
        "u8-idle",
        settings(hub_target(u8, database), page_size=2, read_ahead_seconds=0.3),
        context(),
    )
    other_worker = create("u8-idle-2", settings(hub_target(u8, database), page_size=2), context())
    try:
        drain(connector.fetch_stock)
        keys = [u8.control.set_stock(f"WH-IDLE{i}", "01010001", i + 1) for i in range(4)]
        first = connector.fetch_stock(None)
        _until(lambda: sum(s == 1 for s, _ in _ahead_state(u8, "WH-IDLE").values()) == 4)
        _until(lambda: sum(s == 1 for s, _ in _ahead_state(u8, "WH-IDLE").values()) == 2)
        given_back = _ahead_state(u8, "WH-IDLE")
        second = other_worker.fetch_stock(first.cursor)
    finally:
        other_worker.close()
        connector.close()

    assert [s.key for s in first.items] == keys[0:2]
    assert [given_back[f"WH-IDLE{i}"] for i in (2, 3)] == [(0, 0), (0, 0)]
    assert [s.key for s in second.items] == keys[2:4]
