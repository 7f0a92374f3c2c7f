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
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
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

__all__ = [
    "Id",
    "Json",
    "api_keys",
    "audit_log",
    "dealer_regions",
    "dealers",
    "login_failures",
    "metadata",
    "prices",
    "product_erp_codes",
    "products",
    "promotions",
    "stock",
    "users",
    "warehouses",
]
