"""Every table of the staging-table contract (shared/staging-contract.md), as
SQLAlchemy Core, for PostgreSQL, MySQL / MariaDB and SQL Server.

Types follow the contract: text is Unicode (NVARCHAR on SQL Server), flags are
SMALLINT 0/1, money DECIMAL(18,2), unit prices DECIMAL(18,4); quantities are
DECIMAL(18,4) as ERPs keep them (the hub refuses a fraction where it counts
units). Times are stored without zone, in UTC, from the database's own clock:
``utc_now()`` compiles to that clock's UTC reading on each dialect.

Each table has a surrogate ``id`` (the order in which rows are claimed, and the
key a claim finishes by) besides its UNIQUE business key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    Table,
    Unicode,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import mssql, mysql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import TypeEngine

NEW, CLAIMED, DONE, ERROR = 0, 1, 2, 3

metadata = MetaData()
# Chinese names and addresses: MySQL / MariaDB tables must not inherit latin1.
TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"}


class utc_now(FunctionElement[Any]):  # noqa: N801 - reads as the SQL function it is
    """The database's clock in UTC, without zone."""

    type = DateTime()
    inherit_cache = True


@compiles(utc_now)
def _utc_now_default(element: utc_now, compiler: Any, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(utc_now, "postgresql")
def _utc_now_pg(element: utc_now, compiler: Any, **kw: Any) -> str:
    return "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')"


@compiles(utc_now, "mysql")
@compiles(utc_now, "mariadb")
def _utc_now_mysql(element: utc_now, compiler: Any, **kw: Any) -> str:
    return "UTC_TIMESTAMP(6)"


@compiles(utc_now, "mssql")
def _utc_now_mssql(element: utc_now, compiler: Any, **kw: Any) -> str:
    return "SYSUTCDATETIME()"


def _time() -> TypeEngine[Any]:
    # Microseconds everywhere: two snapshots a second apart must not share as_of.
    return (
        DateTime()
        .with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
        .with_variant(mssql.DATETIME2(precision=6), "mssql")  # type: ignore[no-untyped-call]
    )


def _date() -> TypeEngine[Any]:
    return Date().with_variant(mssql.DATE(), "mssql")


def _text(length: int) -> Unicode:
    return Unicode(length)


def _money() -> Numeric[Any]:
    return Numeric(18, 2)


def _price() -> Numeric[Any]:
    return Numeric(18, 4)


def _qty() -> Numeric[Any]:
    return Numeric(18, 4)


def _id() -> Column[Any]:
    return Column("id", BigInteger, Identity(), primary_key=True)


def _claim_columns() -> list[Column[Any]]:
    """What every header table carries for the claim protocol."""
    return [
        Column("status", SmallInteger, nullable=False, server_default=text("0")),
        Column("batch_id", _text(36)),
        Column("claimed_at", _time()),
        Column("attempts", SmallInteger, nullable=False, server_default=text("0")),
        Column("processed_at", _time()),
        Column("error_msg", _text(1000)),
        Column("created_at", _time(), nullable=False, server_default=utc_now()),
    ]


def _header(name: str, *columns: Any) -> Table:
    table = Table(name, metadata, _id(), *columns, *_claim_columns(), **TABLE_OPTIONS)
    # Only status: finishing by batch_id reads the status = 1 entries (the rows in
    # flight, few), and every index more is written twice per row (claim, finish).
    Index(f"ix_{name}_status", table.c.status)
    return table


# -- hub -> ERP -------------------------------------------------------------------

dms_out_sales_order = _header(
    "dms_out_sales_order",
    Column("order_no", _text(40), nullable=False, unique=True),
    Column("dealer_code", _text(40), nullable=False),
    Column("erp_customer_code", _text(40), nullable=False),
    Column("order_date", _date(), nullable=False),
    Column("warehouse_code", _text(40), nullable=False),
    Column("currency", _text(3), nullable=False),
    Column("total_amount", _money(), nullable=False),
    Column("tax_amount", _money(), nullable=False),
    Column("urgent", SmallInteger, nullable=False, server_default=text("0")),
    Column("customer_po", _text(64)),
    Column("requested_date", _date()),
    Column("ship_to_name", _text(100)),
    Column("ship_to_phone", _text(40)),
    Column("ship_to_address", _text(400)),
    Column("remark", _text(400)),
    Column("erp_doc_no", _text(40)),
    Column("hub_seen_at", _time()),
)

dms_out_sales_order_line = Table(
    "dms_out_sales_order_line",
    metadata,
    _id(),
    Column("order_no", _text(40), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku", _text(64), nullable=False),
    Column("erp_material_code", _text(64), nullable=False),
    Column("qty", _qty(), nullable=False),
    Column("unit_price", _price(), nullable=False),
    Column("amount", _money(), nullable=False),
    Column("tax_rate", _price(), nullable=False),
    Column("is_gift", SmallInteger, nullable=False, server_default=text("0")),
    UniqueConstraint("order_no", "line_no", name="uq_dms_out_sales_order_line"),
    **TABLE_OPTIONS,
)

dms_out_order_cancel = _header(
    "dms_out_order_cancel",
    Column("order_no", _text(40), nullable=False, unique=True),
    Column("reason", _text(400)),
    Column("requested_at", _time(), nullable=False, server_default=utc_now()),
    Column("hub_seen_at", _time()),
)

# -- ERP -> hub -------------------------------------------------------------------

dms_in_stock = _header(
    "dms_in_stock",
    Column("warehouse_code", _text(40), nullable=False),
    Column("sku", _text(64), nullable=False),
    Column("qty_on_hand", _qty(), nullable=False),
    Column("as_of", _time(), nullable=False),
    UniqueConstraint("warehouse_code", "sku", "as_of", name="uq_dms_in_stock"),
)

dms_in_shipment = _header(
    "dms_in_shipment",
    Column("shipment_no", _text(40), nullable=False, unique=True),
    Column("order_no", _text(40), nullable=False),
    Column("erp_doc_no", _text(40)),
    Column("warehouse_code", _text(40)),
    Column("tracking_no", _text(64)),
    Column("carrier", _text(64)),
    Column("shipped_at", _time(), nullable=False),
)

dms_in_shipment_line = Table(
    "dms_in_shipment_line",
    metadata,
    _id(),
    Column("shipment_no", _text(40), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku", _text(64), nullable=False),
    Column("qty", _qty(), nullable=False),
    UniqueConstraint("shipment_no", "line_no", name="uq_dms_in_shipment_line"),
    **TABLE_OPTIONS,
)

dms_in_order_event = _header(
    "dms_in_order_event",
    Column("order_no", _text(40), nullable=False),
    Column("event", _text(20), nullable=False),
    Column("erp_doc_no", _text(40)),
    Column("reason", _text(400)),
    Column("event_at", _time(), nullable=False),
    UniqueConstraint("order_no", "event", name="uq_dms_in_order_event"),
)

dms_in_invoice = _header(
    "dms_in_invoice",
    Column("invoice_no", _text(40), nullable=False, unique=True),
    Column("order_no", _text(40)),
    Column("dealer_code", _text(40), nullable=False),
    Column("invoice_date", _date(), nullable=False),
    Column("due_date", _date(), nullable=False),
    Column("amount", _money(), nullable=False),
    Column("tax_amount", _money(), nullable=False),
    Column("currency", _text(3), nullable=False),
)

dms_in_credit_note = _header(
    "dms_in_credit_note",
    Column("credit_note_no", _text(40), nullable=False, unique=True),
    Column("invoice_no", _text(40)),
    Column("dealer_code", _text(40), nullable=False),
    Column("issued_at", _time(), nullable=False),
    Column("amount", _money(), nullable=False),
    Column("reason", _text(400)),
)

dms_in_payment = _header(
    "dms_in_payment",
    Column("payment_no", _text(40), nullable=False, unique=True),
    Column("dealer_code", _text(40), nullable=False),
    Column("paid_at", _time(), nullable=False),
    Column("amount", _money(), nullable=False),
    Column("currency", _text(3), nullable=False),
    Column("invoice_no", _text(40)),
)

HEADERS: tuple[Table, ...] = (
    dms_out_sales_order,
    dms_out_order_cancel,
    dms_in_stock,
    dms_in_shipment,
    dms_in_order_event,
    dms_in_invoice,
    dms_in_credit_note,
    dms_in_payment,
)
