"""The warehouse pushing shipment confirmations (``confirmSOData``) to its
client, as a real FLUX does: signed system parameters, ``data`` in a form
body, and retries with a growing pause until the client answers
``returnFlag`` 1 or 2 (or the attempts run out; the confirmation stays
available to polling either way)."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from simulators.flux_wms.faults import Call, FaultKind, FaultPlan
from simulators.flux_wms.signing import flux_sign
from simulators.flux_wms.state import Confirmation, beijing


@dataclass(frozen=True)
class PushLog:
    message_id: str
    attempt: int
    status: int | None  # HTTP status, None when nothing came back
    flag: str | None  # the client's returnFlag


@dataclass
class PushIdentity:
    """Who the warehouse says it is when it pushes."""

    customer_id: str
    client_db: str
    app_key: str
    app_token: str
    app_secret: str


@dataclass
class Pusher:
    identity: PushIdentity
    faults: FaultPlan
    clock: Any  # () -> datetime
    stopping: threading.Event
    attempts: int = 8
    first_pause: float = 0.2
    max_pause: float = 5.0
    url: str | None = None
    log: list[PushLog] = field(default_factory=list)
    _queue: queue.Queue[Confirmation] = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="flux-wms-pusher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def enqueue(self, confirmation: Confirmation) -> None:
        if self.url is not None:
            self._queue.put(confirmation)

    def idle(self) -> bool:
        return self._queue.unfinished_tasks == 0

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while not self.stopping.is_set():
                try:
                    confirmation = self._queue.get(timeout=0.05)
                except queue.Empty:
                    continue
                try:
                    self._deliver(client, confirmation)
                finally:
                    self._queue.task_done()

    def _deliver(self, client: httpx.Client, confirmation: Confirmation) -> None:
        pause = self.first_pause
        for attempt in range(1, self.attempts + 1):
            fault = self.faults.take(Call(push=True))
            flag = self._send(client, confirmation, attempt, fault)
            if fault is FaultKind.DUPLICATE_CONFIRMATION:
                self._send(client, confirmation, attempt, None)
            if flag in ("1", "2"):
                return
            if self.stopping.wait(pause):
                return
            pause = min(pause * 2, self.max_pause)

    def _send(
        self,
        client: httpx.Client,
        confirmation: Confirmation,
        attempt: int,
        fault: FaultKind | None,
    ) -> str | None:
        data = json.dumps({"xmldata": {"header": [confirmation.header]}}, ensure_ascii=False)
        secret = self.identity.app_secret + ("x" if fault is FaultKind.BAD_SIGNATURE else "")
        now: datetime = self.clock()
        if fault is FaultKind.STALE_TIMESTAMP:
            now -= timedelta(hours=1)
        params = {
            "method": "confirmSOData",
            "client_customerid": self.identity.customer_id,
            "client_db": self.identity.client_db,
            "messageid": confirmation.message_id,
            "apptoken": self.identity.app_token,
            "appkey": self.identity.app_key,
            "timestamp": beijing(now),
            "format": "json",
            "sign": flux_sign(secret, data),
        }
        status: int | None = None
        flag: str | None = None
        url = self.url
        if url is None:
            return None
        try:
            response = client.post(url, params=params, data={"data": data})
            status = response.status_code
            flag = str(response.json()["Response"]["return"]["returnFlag"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            pass
        with self._lock:
            self.log.append(PushLog(confirmation.message_id, attempt, status, flag))
        return flag
