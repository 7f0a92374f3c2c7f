"""Connector for KINGDEE: lands with its own issue (see docs/roadmap.md)."""
