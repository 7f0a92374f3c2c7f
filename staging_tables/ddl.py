"""The staging tables' DDL, compiled by SQLAlchemy for one dialect, and creating
them through a ``StagingDb`` (so an ODBC PostgreSQL, which has no SQLAlchemy
dialect of its own, gets the same DDL as a native one)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

from staging_tables.db import StagingDb, sqlalchemy_dialect
from staging_tables.errors import translate
from staging_tables.schema import metadata


def ddl_statements(dialect: str | Dialect) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements, in dependency order."""
    compiled_for = sqlalchemy_dialect(dialect) if isinstance(dialect, str) else dialect
    statements: list[str] = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=compiled_for)).strip())
        for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
            statements.append(str(CreateIndex(index).compile(dialect=compiled_for)).strip())
    return statements


def ddl_script(dialect: str) -> str:
    """The DDL as one script an ERP team can review and run."""
    terminator = "\nGO\n" if dialect == "mssql" else ";\n"
    return "\n".join(statement + terminator for statement in ddl_statements(dialect))


def existing_tables(db: StagingDb) -> set[str]:
    def work(cur: Any) -> set[str]:
        found = set()
        for table in metadata.sorted_tables:
            try:
                cur.execute(f"SELECT 1 FROM {table.name} WHERE 1 = 0")
                cur.fetchall()
                found.add(table.name)
            except Exception:  # absent: each driver raises its own class
                cur.connection.rollback()
        return found

    return db.run(work)  # type: ignore[no-any-return]


def create_all(db: StagingDb) -> list[str]:
    """Create the tables that are not there yet; the names created."""
    try:
        present = existing_tables(db)
        dialect = db.ddl_dialect()
        created: list[str] = []

        def work(cur: Any) -> None:
            for table in metadata.sorted_tables:
                if table.name in present:
                    continue
                cur.execute(str(CreateTable(table).compile(dialect=dialect)))
                for index in table.indexes:
                    cur.execute(str(CreateIndex(index).compile(dialect=dialect)))
                created.append(table.name)

        db.run(work)
        return created
    except Exception as exc:
        raise translate(exc, "creating the staging tables") from exc


def drop_all(db: StagingDb) -> None:
    dialect = db.ddl_dialect()
    present = existing_tables(db)

    def work(cur: Any) -> None:
        for table in reversed(metadata.sorted_tables):
            if table.name in present:
                cur.execute(str(DropTable(table).compile(dialect=dialect)))

    db.run(work)
