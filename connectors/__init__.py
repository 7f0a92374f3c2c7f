"""Adapters to outside systems (ERPs, WMS), each behind the connector port."""
