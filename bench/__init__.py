"""Benchmarks: one command each, the same locally and in CI (docs/benchmarks.md)."""
