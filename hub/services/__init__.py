"""Use cases: each function takes a connection (inside the caller's transaction)."""
