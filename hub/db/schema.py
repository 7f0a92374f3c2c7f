"""The hub's tables (SQLAlchemy Core). Migrations in ``migrations/`` create them.

Money columns use ``Money`` (exact on every dialect), times ``UtcDateTime``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from hub.db.types import Money, UtcDateTime

# Constraint names are stable so migrations on every dialect can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BIGINT ids on PostgreSQL; on SQLite only INTEGER PRIMARY KEY aliases the rowid.
Id = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")
CODE = 64

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(CODE), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("dealer_code", String(CODE), nullable=True),
    Column("regions", Json, nullable=False, default=list),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("key_prefix", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("dealer_code", String(CODE), nullable=True),
    Column("regions", Json, nullable=False, default=list),
    Column("created_by", String(CODE), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(CODE), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
)

dealers = Table(
    "dealers",
    metadata,
    Column("code", String(CODE), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("credit_limit", Money(2), nullable=True),
    Column("payment_terms_days", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("default_warehouse", String(CODE), nullable=True),
    Column("erp_system", String(32), nullable=True),
    Column("erp_customer_code", String(CODE), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("erp_system", "erp_customer_code"),
    CheckConstraint("credit_limit IS NULL OR credit_limit >= 0", name="credit_limit_not_negative"),
    CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
)

dealer_regions = Table(
    "dealer_regions",
    metadata,
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), primary_key=True),
    Column("region", String(CODE), primary_key=True),
    Index("ix_dealer_regions_region", "region"),
)

warehouses = Table(
    "warehouses",
    metadata,
    Column("code", String(CODE), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("region", String(CODE), nullable=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(CODE), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("tax_rate", Money(2), nullable=False),
    Column("pack_size", Integer, nullable=False),
    Column("shelf_life_days", Integer, nullable=True),
    Column("licence_kind", String(CODE), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("pack_size >= 1", name="pack_size_positive"),
)

product_erp_codes = Table(
    "product_erp_codes",
    metadata,
    Column("sku", String(CODE), ForeignKey("products.sku"), primary_key=True),
    Column("system", String(32), primary_key=True),
    Column("code", String(CODE), nullable=False),
    UniqueConstraint("system", "code"),
)

prices = Table(
    "prices",
    metadata,
    Column("tier", String(16), primary_key=True),
    Column("sku", String(CODE), ForeignKey("products.sku"), primary_key=True),
    Column("unit_price", Money(4), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
)

stock = Table(
    "stock",
    metadata,
    Column("warehouse_code", String(CODE), ForeignKey("warehouses.code"), primary_key=True),
    Column("sku", String(CODE), ForeignKey("products.sku"), primary_key=True),
    Column("on_hand", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False, default=0),
    Column("safety_stock", BigInteger, nullable=True),
    Column("max_level", BigInteger, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    # The newest snapshot applied: an older one is ignored (staging-contract.md).
    Column("snapshot_as_of", UtcDateTime, nullable=True),
    Column("snapshot_source", String(32), nullable=True),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
)

promotions = Table(
    "promotions",
    metadata,
    Column("code", String(CODE), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("tiers", Json, nullable=True),
    Column("skus", Json, nullable=True),
    Column("threshold_amount", Money(2), nullable=True),
    Column("discount_amount", Money(2), nullable=True),
    Column("percent", Money(2), nullable=True),
    Column("gift_sku", String(CODE), ForeignKey("products.sku"), nullable=True),
    Column("gift_qty", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_promotions_window", "starts_at", "ends_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(CODE), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_key", String(255), nullable=False),
    Column("before", Json, nullable=True),
    Column("after", Json, nullable=True),
    Index("ix_audit_log_entity", "entity", "entity_key"),
)

dealer_licences = Table(
    "dealer_licences",
    metadata,
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), primary_key=True),
    Column("number", String(CODE), primary_key=True),
    Column("kind", String(CODE), nullable=False),
    Column("expires_on", Date, nullable=False),  # valid through this day, business time zone
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_dealer_licences_kind", "dealer_code", "kind"),
)

# -- ordering -----------------------------------------------------------------

orders = Table(
    "orders",
    metadata,
    Column("order_no", String(32), primary_key=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("warehouse_code", String(CODE), ForeignKey("warehouses.code"), nullable=False),
    Column("status", String(24), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", Money(2), nullable=False),
    Column("tax_total", Money(2), nullable=False),
    # Sum of invoices against this order: exposure counts total - invoiced_amount.
    Column("invoiced_amount", Money(2), nullable=False),
    Column("discounts", Json, nullable=False),
    Column("warnings", Json, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("remark", String(500), nullable=True),
    Column("customer_po", String(CODE), nullable=True),
    Column("requested_date", Date, nullable=True),
    Column("ship_to", Json, nullable=True),
    Column("erp_system", String(32), nullable=True),  # where the order is routed
    Column("erp_ref", String(CODE), nullable=True),
    # The warehouse's outbound order number, once the order was put to the WMS.
    Column("wms_ref", String(CODE), nullable=True),
    Column("reject_reason", String(500), nullable=True),
    Column("placed_by", String(CODE), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Who is pushing this order to its ERP right now, and until when: two
    # deliveries of one job cannot both create the ERP document.
    Column("lease_holder", String(64), nullable=True),
    Column("lease_expires_at", UtcDateTime, nullable=True),
    Index("ix_orders_dealer_status", "dealer_code", "status"),
    Index("ix_orders_status", "status"),
    Index("ix_orders_created", "created_at", "order_no"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_no", String(32), ForeignKey("orders.order_no"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(CODE), ForeignKey("products.sku"), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("unit_price", Money(4), nullable=False),
    Column("list_amount", Money(2), nullable=False),
    Column("amount", Money(2), nullable=False),
    Column("tax_rate", Money(2), nullable=False),
    Column("tax_amount", Money(2), nullable=False),
    Column("is_gift", Boolean, nullable=False),
    Column("price_trace", Json, nullable=False),
    Column("shipped_qty", BigInteger, nullable=False, default=0),
    CheckConstraint("qty > 0", name="qty_positive"),
)

order_timeline = Table(
    "order_timeline",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_no", String(32), ForeignKey("orders.order_no"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("event", String(32), nullable=False),
    Column("from_status", String(24), nullable=True),
    Column("to_status", String(24), nullable=False),
    Column("applied", Boolean, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("note", String(500), nullable=True),
    Column("actor", String(CODE), nullable=False),
    Index("ix_order_timeline_order", "order_no", "id"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("shipment_no", String(CODE), primary_key=True),
    Column("order_no", String(32), ForeignKey("orders.order_no"), nullable=False),
    Column("tracking_no", String(CODE), nullable=True),
    Column("carrier", String(CODE), nullable=True),
    Column("shipped_at", UtcDateTime, nullable=False),
    Column("source", String(32), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_shipments_order", "order_no"),
)

shipment_lines = Table(
    "shipment_lines",
    metadata,
    Column("shipment_no", String(CODE), ForeignKey("shipments.shipment_no"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(CODE), nullable=False),
    Column("qty", BigInteger, nullable=False),
)

# The transactional outbox: written in the same transaction as the change it
# announces; the relay marks a row done only when its job has finished.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("topic", String(64), nullable=False),
    Column("key", String(CODE), nullable=False),
    Column("payload", Json, nullable=False),
    Column("priority", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime, nullable=True),
    Column("correlation_id", String(64), nullable=True),
    Index("ix_outbox_pending", "status", "available_at"),
    Index("ix_outbox_key", "key"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(CODE), primary_key=True),  # the dealer the key belongs to
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),
    # Plain JSON, not JSONB: a replay answers the same bytes, key order included.
    Column("response", JSON(), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_idempotency_keys_expires", "expires_at"),
)

# -- receivables ledger (the settlement issue builds the flows on it) -----------

invoices = Table(
    "invoices",
    metadata,
    Column("invoice_no", String(CODE), primary_key=True),
    Column("order_no", String(32), ForeignKey("orders.order_no"), nullable=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("invoice_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount", Money(2), nullable=False),  # tax-inclusive
    Column("tax_amount", Money(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("source", String(32), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    # What payments and credit notes have not settled yet: recomputed over the
    # dealer's whole ledger whenever it changes (hub/services/ledger.py).
    Column("open_amount", Money(2), nullable=False, default=0),
    Index("ix_invoices_dealer", "dealer_code", "due_date"),
    Index("ix_invoices_order", "order_no"),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    Column("credit_note_no", String(CODE), primary_key=True),
    Column("invoice_no", String(CODE), ForeignKey("invoices.invoice_no"), nullable=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("amount", Money(2), nullable=False),
    Column("reason", String(500), nullable=True),
    Column("source", String(32), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_credit_notes_dealer", "dealer_code"),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_no", String(CODE), primary_key=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("paid_at", UtcDateTime, nullable=False),
    Column("amount", Money(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("invoice_no", String(CODE), ForeignKey("invoices.invoice_no"), nullable=True),
    Column("source", String(32), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_payments_dealer", "dealer_code"),
)


# How payments and credit notes settle invoices (named invoice first, then the
# oldest due first): derived from the ledger, rewritten with the open amounts.
allocations = Table(
    "allocations",
    metadata,
    Column("kind", String(16), primary_key=True),  # payment | credit_note
    Column("doc_no", String(CODE), primary_key=True),
    Column("invoice_no", String(CODE), ForeignKey("invoices.invoice_no"), primary_key=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("amount", Money(2), nullable=False),
    Index("ix_allocations_invoice", "invoice_no"),
    Index("ix_allocations_dealer", "dealer_code"),
)

# -- settlement: monthly statements, disputes, reminders --------------------------

# A dealer's monthly statement (对账单). Frozen once issued: only its status
# and who confirmed it change afterwards.
statements = Table(
    "statements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("month", String(7), nullable=False),  # yyyy-mm, business time zone
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),  # exclusive
    Column("currency", String(3), nullable=False),
    Column("opening_balance", Money(2), nullable=False),
    Column("invoices_total", Money(2), nullable=False),
    Column("credit_notes_total", Money(2), nullable=False),
    Column("payments_total", Money(2), nullable=False),
    Column("closing_balance", Money(2), nullable=False),
    Column("status", String(16), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("issued_by", String(CODE), nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=True),
    Column("confirmed_by", String(CODE), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("dealer_code", "month"),
    Index("ix_statements_month", "month", "dealer_code"),
)

statement_lines = Table(
    "statement_lines",
    metadata,
    Column("statement_id", Id, ForeignKey("statements.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # invoice | credit_note | payment
    Column("doc_no", String(CODE), nullable=False),
    Column("doc_date", Date, nullable=False),
    Column("amount", Money(2), nullable=False),  # a revision states the difference
    Column("revision", Boolean, nullable=False),
    Column("reference", String(CODE), nullable=True),
    Column("due_date", Date, nullable=True),
)

# What the dealer's statements have stated per document so far, so a late or
# revised document is stated on the next statement (dms_domain/statements.py).
statement_register = Table(
    "statement_register",
    metadata,
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("doc_no", String(CODE), primary_key=True),
    Column("amount", Money(2), nullable=False),
)

statement_disputes = Table(
    "statement_disputes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("statement_id", Id, ForeignKey("statements.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("status", String(16), nullable=False),  # open | adjusted | rejected
    Column("opened_by", String(CODE), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("resolution", String(500), nullable=True),
    Column("adjustment_amount", Money(2), nullable=True),
    Column("credit_note_no", String(CODE), nullable=True),
    Column("resolved_by", String(CODE), nullable=True),
    Column("resolved_at", UtcDateTime, nullable=True),
    Index("ix_statement_disputes_statement", "statement_id", "line_no"),
    Index("ix_statement_disputes_status", "status"),
)

# One row per reminder sent: (invoice, days relative to its due date).
payment_reminders = Table(
    "payment_reminders",
    metadata,
    Column("invoice_no", String(CODE), ForeignKey("invoices.invoice_no"), primary_key=True),
    Column("offset_days", Integer, primary_key=True),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("open_amount", Money(2), nullable=False),
)


# -- sync engine ----------------------------------------------------------------

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("actor", String(64), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("args", Json, nullable=False),
    Column("kwargs", Json, nullable=False),
    Column("error", Text, nullable=False),
    Column("error_class", String(64), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open | replayed | discarded
    Column("created_at", UtcDateTime, nullable=False),
    Column("replayed_at", UtcDateTime, nullable=True),
    Column("replayed_by", String(CODE), nullable=True),
    UniqueConstraint("message_id"),
    Index("ix_dead_letters_status", "status", "id"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("key", String(255), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Json, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_quarantine_source", "source", "entity", "id"),
)

# The newest version applied of every inbound record: an older one never
# overwrites a newer one, and the same one twice changes nothing.
inbound_versions = Table(
    "inbound_versions",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("version", String(64), nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("cursor", Text, nullable=True),
    Column("last_run_at", UtcDateTime, nullable=True),
    Column("last_success_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_error_at", UtcDateTime, nullable=True),
    Column("errors_total", BigInteger, nullable=False, default=0),
    Column("records_total", BigInteger, nullable=False, default=0),
    Column("rejected_total", BigInteger, nullable=False, default=0),
)

# Messages outside systems pushed to the hub (a WMS's shipment confirmations):
# every one, refused ones too, with the answer given. A message id is taken
# once per connector; the same one again gets the stored answer. Refused
# messages do not hold their id: a forged or garbled copy must not block the
# real one.
inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("message_id", String(128), nullable=False),
    Column("method", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # accepted | refused
    Column("http_status", Integer, nullable=False),
    Column("answer", Json, nullable=False),
    Column("reason", Text, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Index(
        "uq_inbound_messages_accepted",
        "connector",
        "message_id",
        unique=True,
        sqlite_where=text("status = 'accepted'"),
        postgresql_where=text("status = 'accepted'"),
    ),
    Index("ix_inbound_messages_received", "connector", "received_at"),
)

# One row per reconciliation run of a connector and entity: what was compared,
# how much differed, what was repaired (the latest run per pair feeds the gauges).
reconciliation_runs = Table(
    "reconciliation_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("checked", Integer, nullable=False),
    Column("drifted", Integer, nullable=False),
    Column("repaired", Integer, nullable=False),
    Column("unmatched", Integer, nullable=False),
    Column("details", Json, nullable=False),
    Index("ix_reconciliation_runs_latest", "connector", "entity", "id"),
)

# Raised by the sync engine and by rule evaluation (hub/alerting).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(255), nullable=False),  # what it is about: an order, a connector...
    Column("status", String(16), nullable=False),  # open | acknowledged | resolved
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("details", Json, nullable=True),
    Column("dealer_code", String(CODE), nullable=True),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Column("acknowledged_by", String(CODE), nullable=True),
    Column("resolved_at", UtcDateTime, nullable=True),
    Column("resolved_by", String(CODE), nullable=True),
    Column("occurrences", Integer, nullable=False, default=1),
    # The warehouse a stock alert is about: managers see it when they see the warehouse.
    Column("warehouse_code", String(CODE), nullable=True),
    # One alert that is not resolved per (kind, subject).
    Index(
        "uq_alerts_open_subject",
        "kind",
        "subject",
        unique=True,
        sqlite_where=text("status != 'resolved'"),
        postgresql_where=text("status != 'resolved'"),
    ),
    Index("ix_alerts_status", "status", "kind"),
)


# -- notifications (signed webhooks) --------------------------------------------

# Who wants to hear about what. ``dealer_code`` is the owner: a dealer's own
# system hears only about that dealer; NULL is a hub-wide subscription (admins,
# integrators) that hears about every dealer. The secret is a shared secret the
# hub signs with, so it is kept as given (a hash could not sign).
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=True),
    Column("url", String(2048), nullable=False),
    Column("events", Json, nullable=False),  # sorted event kinds
    # For alert events: only alerts of these kinds (sorted); NULL: every kind.
    Column("alert_kinds", Json, nullable=True),
    Column("description", String(255), nullable=True),
    Column("secret", String(128), nullable=False),
    Column("active", Boolean, nullable=False),  # false once deleted: the log stays readable
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(CODE), nullable=False),
    Column("deactivated_at", UtcDateTime, nullable=True),
    Index("ix_webhook_subscriptions_dealer", "dealer_code", "active"),
)

# The notification outbox and its delivery log in one: a row per (subscription,
# event), written in the transaction of the change it announces; the sender
# claims due rows, posts them and records the outcome.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subscription_id", Id, ForeignKey("webhook_subscriptions.id"), nullable=False),
    Column("event_kind", String(64), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("payload", Json, nullable=False),  # the whole body sent, the same on every attempt
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    # When a pending row is due; while a sender holds it, the end of its claim.
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    # The same event is never queued twice for one subscription.
    UniqueConstraint("subscription_id", "event_id"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
)

# One row per HTTP attempt, so the delivery log shows every outcome, not only the last.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("delivery_id", Id, ForeignKey("webhook_deliveries.id"), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("duration_ms", Integer, nullable=False),
)


# -- alerting and replenishment -------------------------------------------------

# Thresholds a person changed; a kind without a row runs on its defaults
# (dms_domain.alert_rules).
alert_rules = Table(
    "alert_rules",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("thresholds", Json, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(CODE), nullable=False),
)

# The latest evaluation of each kind: when, how long, how many conditions held.
alert_evaluations = Table(
    "alert_evaluations",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("evaluated_at", UtcDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("firing", Integer, nullable=False),
    Column("opened", Integer, nullable=False),
    Column("resolved", Integer, nullable=False),
)

# What dealers sold to whom (the buyer's region, or a point placed in one).
sell_out_reports = Table(
    "sell_out_reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("sold_on", Date, nullable=False),  # business day
    Column("sku", String(CODE), ForeignKey("products.sku"), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("buyer_region", String(CODE), nullable=True),  # null: a point in no known area
    Column("lat", Money(6), nullable=True),
    Column("lon", Money(6), nullable=True),
    # The dealer's own id of the record: sending it again changes nothing.
    Column("ref", String(CODE), nullable=True),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("reported_by", String(CODE), nullable=False),
    UniqueConstraint("dealer_code", "ref"),
    Index("ix_sell_out_reports_dealer_day", "dealer_code", "sold_on"),
    CheckConstraint("qty > 0", name="qty_positive"),
)

# Boxes on the map that place a sell-out point in a region.
region_areas = Table(
    "region_areas",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("region", String(CODE), nullable=False),
    Column("min_lat", Money(6), nullable=False),
    Column("max_lat", Money(6), nullable=False),
    Column("min_lon", Money(6), nullable=False),
    Column("max_lon", Money(6), nullable=False),
    Index("ix_region_areas_region", "region"),
)

# Dealers that let the hub place VMI replenishment orders for them.
dealer_vmi = Table(
    "dealer_vmi",
    metadata,
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), primary_key=True),
    Column("auto_place", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(CODE), nullable=False),
)

# VMI proposals: one open (proposed) per (dealer warehouse, SKU), kept current
# by each evaluation; placed ones name their order.
replenishments = Table(
    "replenishments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dealer_code", String(CODE), ForeignKey("dealers.code"), nullable=False),
    Column("warehouse_code", String(CODE), ForeignKey("warehouses.code"), nullable=False),
    Column("sku", String(CODE), ForeignKey("products.sku"), nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("open_qty", BigInteger, nullable=False),
    Column("safety_stock", BigInteger, nullable=False),
    Column("max_level", BigInteger, nullable=False),
    Column("pack_size", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # proposed | placed | withdrawn
    Column("order_no", String(32), nullable=True),
    Column("note", String(500), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(
        "uq_replenishments_proposed",
        "warehouse_code",
        "sku",
        unique=True,
        sqlite_where=text("status = 'proposed'"),
        postgresql_where=text("status = 'proposed'"),
    ),
    Index("ix_replenishments_dealer", "dealer_code", "id"),
)


__all__ = [
    "Id",
    "Json",
    "alert_evaluations",
    "alert_rules",
    "alerts",
    "allocations",
    "api_keys",
    "audit_log",
    "credit_notes",
    "dead_letters",
    "dealer_licences",
    "dealer_regions",
    "dealer_vmi",
    "dealers",
    "idempotency_keys",
    "inbound_messages",
    "inbound_versions",
    "invoices",
    "login_failures",
    "metadata",
    "order_lines",
    "order_timeline",
    "orders",
    "outbox",
    "payment_reminders",
    "payments",
    "prices",
    "product_erp_codes",
    "products",
    "promotions",
    "quarantine",
    "reconciliation_runs",
    "region_areas",
    "replenishments",
    "sell_out_reports",
    "shipment_lines",
    "shipments",
    "statement_disputes",
    "statement_lines",
    "statement_register",
    "statements",
    "stock",
    "sync_state",
    "users",
    "warehouses",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_subscriptions",
]
