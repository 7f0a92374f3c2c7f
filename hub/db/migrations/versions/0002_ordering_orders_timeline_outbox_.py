"""ordering: orders, timeline, outbox, idempotency, licences, ledger, shipments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:22:45.439714
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import hub.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_keys_expires", ["expires_at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("available_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("done_at", hub.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_key", ["key"], unique=False)
        batch_op.create_index("ix_outbox_pending", ["status", "available_at"], unique=False)

    op.create_table(
        "dealer_licences",
        sa.Column("dealer_code", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("updated_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_code"], ["dealers.code"], name=op.f("fk_dealer_licences_dealer_code_dealers")
        ),
        sa.PrimaryKeyConstraint("dealer_code", "number", name=op.f("pk_dealer_licences")),
    )
    with op.batch_alter_table("dealer_licences", schema=None) as batch_op:
        batch_op.create_index("ix_dealer_licences_kind", ["dealer_code", "kind"], unique=False)

    op.create_table(
        "orders",
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("dealer_code", sa.String(length=64), nullable=False),
        sa.Column("warehouse_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", hub.db.types.Money(2), nullable=False),
        sa.Column("tax_total", hub.db.types.Money(2), nullable=False),
        sa.Column("invoiced_amount", hub.db.types.Money(2), nullable=False),
        sa.Column(
            "discounts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "warnings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("remark", sa.String(length=500), nullable=True),
        sa.Column("customer_po", sa.String(length=64), nullable=True),
        sa.Column("requested_date", sa.Date(), nullable=True),
        sa.Column(
            "ship_to",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("erp_system", sa.String(length=32), nullable=True),
        sa.Column("erp_ref", sa.String(length=64), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=True),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_code"], ["dealers.code"], name=op.f("fk_orders_dealer_code_dealers")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_code"],
            ["warehouses.code"],
            name=op.f("fk_orders_warehouse_code_warehouses"),
        ),
        sa.PrimaryKeyConstraint("order_no", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_created", ["created_at", "order_no"], unique=False)
        batch_op.create_index("ix_orders_dealer_status", ["dealer_code", "status"], unique=False)
        batch_op.create_index("ix_orders_status", ["status"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("invoice_no", sa.String(length=64), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=True),
        sa.Column("dealer_code", sa.String(length=64), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", hub.db.types.Money(2), nullable=False),
        sa.Column("tax_amount", hub.db.types.Money(2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_code"], ["dealers.code"], name=op.f("fk_invoices_dealer_code_dealers")
        ),
        sa.ForeignKeyConstraint(
            ["order_no"], ["orders.order_no"], name=op.f("fk_invoices_order_no_orders")
        ),
        sa.PrimaryKeyConstraint("invoice_no", name=op.f("pk_invoices")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_dealer", ["dealer_code", "due_date"], unique=False)
        batch_op.create_index("ix_invoices_order", ["order_no"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", hub.db.types.Money(4), nullable=False),
        sa.Column("list_amount", hub.db.types.Money(2), nullable=False),
        sa.Column("amount", hub.db.types.Money(2), nullable=False),
        sa.Column("tax_rate", hub.db.types.Money(2), nullable=False),
        sa.Column("tax_amount", hub.db.types.Money(2), nullable=False),
        sa.Column("is_gift", sa.Boolean(), nullable=False),
        sa.Column(
            "price_trace",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("shipped_qty", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_order_lines_qty_positive")),
        sa.ForeignKeyConstraint(
            ["order_no"], ["orders.order_no"], name=op.f("fk_order_lines_order_no_orders")
        ),
        sa.ForeignKeyConstraint(
            ["sku"], ["products.sku"], name=op.f("fk_order_lines_sku_products")
        ),
        sa.PrimaryKeyConstraint("order_no", "line_no", name=op.f("pk_order_lines")),
    )
    op.create_table(
        "order_timeline",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_no"], ["orders.order_no"], name=op.f("fk_order_timeline_order_no_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_timeline")),
    )
    with op.batch_alter_table("order_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_order_timeline_order", ["order_no", "id"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("shipment_no", sa.String(length=64), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("tracking_no", sa.String(length=64), nullable=True),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("shipped_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_no"], ["orders.order_no"], name=op.f("fk_shipments_order_no_orders")
        ),
        sa.PrimaryKeyConstraint("shipment_no", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_order", ["order_no"], unique=False)

    op.create_table(
        "credit_notes",
        sa.Column("credit_note_no", sa.String(length=64), nullable=False),
        sa.Column("invoice_no", sa.String(length=64), nullable=True),
        sa.Column("dealer_code", sa.String(length=64), nullable=False),
        sa.Column("issued_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("amount", hub.db.types.Money(2), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_code"], ["dealers.code"], name=op.f("fk_credit_notes_dealer_code_dealers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_no"],
            ["invoices.invoice_no"],
            name=op.f("fk_credit_notes_invoice_no_invoices"),
        ),
        sa.PrimaryKeyConstraint("credit_note_no", name=op.f("pk_credit_notes")),
    )
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.create_index("ix_credit_notes_dealer", ["dealer_code"], unique=False)

    op.create_table(
        "payments",
        sa.Column("payment_no", sa.String(length=64), nullable=False),
        sa.Column("dealer_code", sa.String(length=64), nullable=False),
        sa.Column("paid_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("amount", hub.db.types.Money(2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_no", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", hub.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_code"], ["dealers.code"], name=op.f("fk_payments_dealer_code_dealers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_no"], ["invoices.invoice_no"], name=op.f("fk_payments_invoice_no_invoices")
        ),
        sa.PrimaryKeyConstraint("payment_no", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_dealer", ["dealer_code"], unique=False)

    op.create_table(
        "shipment_lines",
        sa.Column("shipment_no", sa.String(length=64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_no"],
            ["shipments.shipment_no"],
            name=op.f("fk_shipment_lines_shipment_no_shipments"),
        ),
        sa.PrimaryKeyConstraint("shipment_no", "line_no", name=op.f("pk_shipment_lines")),
    )


def downgrade() -> None:
    op.drop_table("shipment_lines")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_dealer")

    op.drop_table("payments")
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_notes_dealer")

    op.drop_table("credit_notes")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_order")

    op.drop_table("shipments")
    with op.batch_alter_table("order_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_order_timeline_order")

    op.drop_table("order_timeline")
    op.drop_table("order_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_order")
        batch_op.drop_index("ix_invoices_dealer")

    op.drop_table("invoices")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status")
        batch_op.drop_index("ix_orders_dealer_status")
        batch_op.drop_index("ix_orders_created")

    op.drop_table("orders")
    with op.batch_alter_table("dealer_licences", schema=None) as batch_op:
        batch_op.drop_index("ix_dealer_licences_kind")

    op.drop_table("dealer_licences")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.drop_index("ix_outbox_key")

    op.drop_table("outbox")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_keys_expires")

    op.drop_table("idempotency_keys")
