"""A short-lived, per-process cache of who a credential belongs to.

Each request would otherwise cost a database round trip (and a worker-thread
hop) just to learn that the caller is still enabled. With a TTL of a couple of
seconds, disabling a user or revoking a key takes effect within that TTL; the
token's signature and expiry are still checked on every request. TTL 0 turns
the cache off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from hub.auth.principal import Principal


class PrincipalCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, credential: str) -> Principal | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            entry = self._entries.get(credential)
            if entry is None:
                return None
            expires, principal = entry
            if expires < time.monotonic():
                del self._entries[credential]
                return None
            return principal

    def put(self, credential: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[credential] = (time.monotonic() + self.ttl, principal)
            self._entries.move_to_end(credential)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
