"""Claiming the next page while the hub applies this one.

A pull is mostly waiting: on the database while it claims (and finishes the
page before), then on Python while the rows are mapped and applied. When a
feed has a backlog (the page just claimed was full), the connector claims the
next page on a second connection at once, so the two overlap. The claim is the
protocol's own (staging_tables/claims.py): the rows are ours under a lease like
any claimed row. The read-ahead also finishes the page the hub has just
acknowledged, in the same transaction, as a plain pull would.

A read-ahead the hub does not ask for is given back unread: its rows are new
again and the attempt is not counted. That is when the next pull hands back
another cursor (the page was not applied, or the hub restarted), when nobody
asks within ``idle_seconds`` (the next page went to another worker process),
and when the connector closes.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from staging_tables.claims import Batch, StagingQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class _Pending:
    after: str  # the batch it follows: the next pull must hand that one back
    claim: Future[Batch]
    queue: StagingQueue
    expiry: threading.Timer


class ReadAhead:
    """At most one claim ahead per feed, on one background thread."""

    def __init__(self, name: str, idle_seconds: float = 2.0) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"read-ahead-{name}")
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._idle_seconds = idle_seconds

    def start(
        self, feed: str, after: str, queue: StagingQueue, size: int, finishing: str | None
    ) -> None:
        """Claim ``size`` rows of ``feed`` now, for the pull that follows batch
        ``after``; ``finishing`` is a batch to finish in that transaction."""
        claim = self._executor.submit(queue.claim, size, finishing=finishing)
        expiry = threading.Timer(self._idle_seconds, lambda: self._expire(feed, pending))
        expiry.daemon = True
        pending = _Pending(after, claim, queue, expiry)
        with self._lock:
            stale = self._pending.pop(feed, None)
            self._pending[feed] = pending
        expiry.start()
        if stale is not None:
            self._give_back(stale)

    def take(self, feed: str, after: str | None) -> Future[Batch] | None:
        """The claim started for the pull after batch ``after``, if there is
        one; any other claim ahead of this feed is given back."""
        with self._lock:
            pending = self._pending.pop(feed, None)
        if pending is None:
            return None
        pending.expiry.cancel()
        if after is not None and pending.after == after:
            return pending.claim
        self._give_back(pending)
        return None

    def close(self) -> None:
        with self._lock:
            pending = list(self._pending.values())
            self._pending.clear()
        for one in pending:
            self._give_back(one)
        self._executor.shutdown(wait=True)

    def _expire(self, feed: str, pending: _Pending) -> None:
        with self._lock:
            if self._pending.get(feed) is not pending:
                return  # taken meanwhile
            del self._pending[feed]
        self._give_back(pending)

    @staticmethod
    def _give_back(pending: _Pending) -> None:
        pending.expiry.cancel()
        try:
            batch = pending.claim.result()
            if batch.rows:
                pending.queue.unclaim(batch.batch_id)
        except Exception:
            # A failed claim holds nothing; rows that cannot be given back now
            # come back when their lease runs out.
            log.warning("could not give back a read-ahead claim", exc_info=True)
