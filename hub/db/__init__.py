"""Persistence: SQLAlchemy Core tables, engines and migrations."""
