"""Intermediate tables (中间表) shared with ERPs that integrate through a database."""
