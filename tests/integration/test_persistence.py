"""Migrations and column types on the real PostgreSQL and on SQLite."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, Table, func, insert, select, update

from hub.bootstrap import Container
from hub.cli import main as cli
from hub.db.engine import Database, make_engine
from hub.db.migrate import current_revision, head_revision
from hub.db.schema import metadata, stock
from hub.db.types import Money, UtcDateTime
from tests.conftest import unique
from tests.integration.helpers import seed_stock_row


def test_migrations_reach_head(container: Container) -> None:
    assert current_revision(container.db) == head_revision()


def test_db_upgrade_cli_on_a_fresh_sqlite_file(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    monkeypatch.setenv("DMS_DATABASE_URL", url)
    assert cli(["db", "upgrade"]) == 0
    assert "revision" in capsys.readouterr().out
    db = Database(make_engine(url))
    try:
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


def test_money_is_exact_and_sums_stay_exact(container: Container) -> None:
    meta = MetaData()
    table = Table(
        unique("t_money").replace("-", "_").lower(),
        meta,
        Column("k", String(40), primary_key=True),
        Column("amount", Money(2)),
        Column("price", Money(4)),
        Column("at", UtcDateTime),
    )
    meta.create_all(container.db.engine)
    try:
        shanghai = timezone(timedelta(hours=8))
        at = datetime(2026, 11, 25, 8, 0, tzinfo=shanghai)
        with container.db.transaction() as conn:
            conn.execute(
                insert(table),
                [
                    {"k": f"r{i}", "amount": Decimal("0.10"), "price": Decimal("0.0001"), "at": at}
                    for i in range(10)
                ],
            )
        with container.db.transaction() as conn:
            total, price_total = conn.execute(
                select(func.sum(table.c.amount), func.sum(table.c.price))
            ).one()
            row = conn.execute(select(table).where(table.c.k == "r0")).one()
        assert total == Decimal("1.00")
        assert price_total == Decimal("0.0010")
        assert row.amount == Decimal("0.10")
        assert row.at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
        assert row.at.tzinfo is not None
        with pytest.raises(Exception, match="naive"), container.db.transaction() as conn:
            conn.execute(insert(table).values(k="naive", at=datetime(2026, 1, 1)))
    finally:
        meta.drop_all(container.db.engine)


def test_concurrent_read_modify_write_loses_nothing(container: Container) -> None:
    """Row locks on PostgreSQL and BEGIN IMMEDIATE on SQLite serialise writers."""
    warehouse, sku = seed_stock_row(container)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(20):
                with container.db.transaction() as conn:
                    current = conn.execute(
                        select(stock.c.on_hand)
                        .where(stock.c.warehouse_code == warehouse, stock.c.sku == sku)
                        .with_for_update()
                    ).scalar_one()
                    conn.execute(
                        update(stock)
                        .where(stock.c.warehouse_code == warehouse, stock.c.sku == sku)
                        .values(on_hand=current + 1)
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with container.db.transaction() as conn:
        final = conn.execute(
            select(stock.c.on_hand).where(stock.c.warehouse_code == warehouse, stock.c.sku == sku)
        ).scalar_one()
    assert final == 80


def test_migrations_match_the_tables_the_code_uses(container: Container) -> None:
    """Alembic's autogenerate finds nothing to add: schema.py and the migrations agree."""
    with container.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []
