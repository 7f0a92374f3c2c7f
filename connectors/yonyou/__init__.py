"""Connector for YONYOU: lands with its own issue (see docs/roadmap.md)."""
