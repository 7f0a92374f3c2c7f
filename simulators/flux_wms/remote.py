"""The warehouse's control, driven over HTTP (``/_control/<call>``) from
another process: the methods of ``SimulatorControl`` that tests use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


class RemoteControl:
    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self._client = httpx.Client(base_url=f"{base_url}/_control", timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteControl:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, name: str, **kwargs: Any) -> Any:
        response = self._client.post(f"/{name}", json=kwargs)
        answer = response.json()
        if response.status_code >= 400:
            raise RuntimeError(f"{name}: {answer.get('error')}")
        return answer["result"]

    def inject_fault(self, fault: str, times: int = 1) -> None:
        self._call("inject_fault", fault=str(fault), times=times)

    def clear_faults(self) -> None:
        self._call("clear_faults")

    def reject_next_order(self, code: str, message: str) -> None:
        self._call("reject_next_order", code=code, message=message)

    def settle(self) -> None:
        self._call("settle")

    def documents(self, order_no: str) -> list[str]:
        return [str(n) for n in self._call("documents", order_no=order_no)]

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        body = None if lines is None else {str(k): v for k, v in lines.items()}
        return str(self._call("ship", order_no=order_no, lines=body))

    def invoice(self, order_no: str) -> str:
        raise NotImplementedError("a warehouse does not invoice")

    def set_stock(self, warehouse: str, material: str, qty: int) -> str:
        return str(self._call("set_stock", warehouse=warehouse, material=material, qty=qty))

    def add_unmappable(self, feed: str) -> str:
        return str(self._call("add_unmappable", feed=str(feed)))

    def set_shipping(self, after_seconds: float | None, *, split: bool = False) -> None:
        self._call("set_shipping", after_seconds=after_seconds, split=split)

    def set_push_url(self, url: str | None) -> None:
        self._call("set_push_url", url=url)
