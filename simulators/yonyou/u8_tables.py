"""The few U8 tables the simulator keeps (erp-protocols.md, "U8 tables"): the
ERP's own books, beside the staging tables in the same database. ``cDefine1``
is the user-defined field of SO_SOMain where the hub's order number is kept.

Names are U8's, left unquoted in the DDL (``quote=False``), so that plain SQL
spells them the same on PostgreSQL (which folds them to lower case) and on
MariaDB (which keeps them as written)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Identity,
    MetaData,
    Numeric,
    SmallInteger,
    Table,
    Unicode,
)

from staging_tables.schema import TABLE_OPTIONS

metadata = MetaData()

Customer = Table(
    "Customer",
    metadata,
    Column("cCusCode", Unicode(20), primary_key=True, quote=False),
    Column("cCusName", Unicode(100), nullable=False, quote=False),
    quote=False,
    **TABLE_OPTIONS,
)
Inventory = Table(
    "Inventory",
    metadata,
    Column("cInvCode", Unicode(20), primary_key=True, quote=False),
    Column("cInvName", Unicode(100), nullable=False, quote=False),
    quote=False,
    **TABLE_OPTIONS,
)
SO_SOMain = Table(
    "SO_SOMain",
    metadata,
    Column("ID", BigInteger, Identity(), primary_key=True, quote=False),
    Column("cSOCode", Unicode(30), nullable=False, unique=True, quote=False),
    Column("dDate", Date, nullable=False, quote=False),
    Column("cCusCode", Unicode(20), nullable=False, quote=False),
    Column("cWhCode", Unicode(20), quote=False),
    Column("cMemo", Unicode(400), quote=False),
    Column(
        "cDefine1", Unicode(40), nullable=False, unique=True, quote=False
    ),  # the hub's order number
    Column("iStatus", SmallInteger, nullable=False, quote=False),  # 0 open, 1 cancelled
    quote=False,
    **TABLE_OPTIONS,
)
SO_SODetails = Table(
    "SO_SODetails",
    metadata,
    Column("AutoID", BigInteger, Identity(), primary_key=True, quote=False),
    Column("ID", BigInteger, nullable=False, quote=False),
    Column("cSOCode", Unicode(30), nullable=False, quote=False),
    Column("iRowNo", SmallInteger, nullable=False, quote=False),
    Column("cInvCode", Unicode(20), nullable=False, quote=False),
    Column("iQuantity", Numeric(18, 4), nullable=False, quote=False),
    Column("iTaxUnitPrice", Numeric(18, 4), nullable=False, quote=False),
    Column("iSum", Numeric(18, 2), nullable=False, quote=False),
    Column("iTaxRate", Numeric(18, 4), nullable=False, quote=False),
    Column("iFHQuantity", Numeric(18, 4), nullable=False, quote=False),  # shipped
    Column("iKPQuantity", Numeric(18, 4), nullable=False, quote=False),  # invoiced
    quote=False,
    **TABLE_OPTIONS,
)
CurrentStock = Table(
    "CurrentStock",
    metadata,
    Column("cWhCode", Unicode(20), primary_key=True, quote=False),
    Column("cInvCode", Unicode(20), primary_key=True, quote=False),
    Column("iQuantity", Numeric(18, 4), nullable=False, quote=False),
    quote=False,
    **TABLE_OPTIONS,
)
