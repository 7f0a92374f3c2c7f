"""Connector for WMS: lands with its own issue (see docs/roadmap.md)."""
