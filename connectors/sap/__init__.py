"""Connector for SAP: lands with its own issue (see docs/roadmap.md)."""
