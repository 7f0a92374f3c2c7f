from __future__ import annotations

import time

from hub.auth.cache import PrincipalCache
from hub.auth.principal import Principal, Role

ALICE = Principal(name="alice", role=Role.ADMIN)


def test_an_entry_lives_for_the_ttl_only() -> None:
    cache = PrincipalCache(ttl_seconds=0.05)
    cache.put("u:alice", ALICE)
    assert cache.get("u:alice") == ALICE
    time.sleep(0.06)
    assert cache.get("u:alice") is None


def test_ttl_zero_never_caches() -> None:
    cache = PrincipalCache(ttl_seconds=0)
    cache.put("u:alice", ALICE)
    assert cache.get("u:alice") is None


def test_the_oldest_entries_go_first_past_the_size_limit() -> None:
    cache = PrincipalCache(ttl_seconds=60, max_entries=2)
    for name in ("a", "b", "c"):
        cache.put(name, Principal(name=name, role=Role.ADMIN))
    assert cache.get("a") is None
    assert cache.get("b") is not None
    assert cache.get("c") is not None
