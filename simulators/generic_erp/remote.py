"""The simulator's control object, driven over HTTP from another process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from simulators.generic_erp.state import ErpRefusal


class RemoteControl:
    """Same methods as ``SimulatorControl``; refusals come back as ``ErpRefusal``."""

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self._client = httpx.Client(base_url=f"{base_url}/_control", timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteControl:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._client.request(method, path, **kwargs)
        data = response.json()
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise ErpRefusal(
                str(error.get("code", "CONTROL_FAILED")),
                str(error.get("message", response.text[:200])),
                status=response.status_code,
            )
        return data

    def inject_fault(self, fault: str, times: int = 1) -> None:
        self._call("POST", "/faults", json={"fault": str(fault), "times": times})

    def armed_faults(self) -> list[tuple[str, int]]:
        return [(kind, left) for kind, left in self._call("GET", "/faults")["armed"]]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def reject_next_order(self, code: str, message: str) -> None:
        self._call("POST", "/reject-next", json={"code": code, "message": message})

    def reset(self) -> None:
        self._call("POST", "/reset")

    def set_auto_confirm(self, on: bool) -> None:
        self._call("POST", "/auto-confirm", json={"on": on})

    def settle(self) -> None:
        self._call("POST", "/settle")

    def documents(self, order_no: str) -> list[str]:
        answer = self._call("GET", "/documents", params={"externalRef": order_no})
        return [str(doc) for doc in answer["documents"]]

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        body = {
            "externalRef": order_no,
            "lines": None if lines is None else {str(k): v for k, v in lines.items()},
        }
        return str(self._call("POST", "/shipments", json=body)["shipmentNo"])

    def invoice(self, order_no: str) -> str:
        return str(self._call("POST", "/invoices", json={"externalRef": order_no})["invoiceNo"])

    def set_stock(self, warehouse: str, material: str, qty: int) -> str:
        body = {"warehouse": warehouse, "material": material, "quantity": qty}
        return str(self._call("PUT", "/stock", json=body)["key"])

    def add_customer(self, code: str, name: str) -> None:
        self._call("POST", "/customers", json={"code": code, "name": name})

    def add_material(self, code: str, name: str) -> None:
        self._call("POST", "/materials", json={"code": code, "name": name})

    def add_unmappable(self, feed: str) -> str:
        return str(self._call("POST", "/unmappable", json={"feed": str(feed)})["key"])
