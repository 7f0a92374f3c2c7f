"""What each answer of the generic ERP means to the hub (no network: answers are
built in memory and decoded)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.generic.transport import DocumentExists, GenericHttp
from dms_domain.errors import BusinessRejection, PermanentError, TransientError


@pytest.fixture
def http() -> Iterator[GenericHttp]:
    client = GenericHttp("erp (generic)", "http://erp.invalid", timeout=1)
    yield client
    client.close()


def error(code: str, message: str, **more: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, **more}


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, json=error("INTERNAL_ERROR", "boom")),
        httpx.Response(503, text="maintenance"),
        httpx.Response(429, json=error("THROTTLED", "slow down")),
        httpx.Response(200, text='{"items": [', headers={"Content-Type": "application/json"}),
        httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}),
    ],
    ids=["500", "503", "429", "cut-off-json", "html"],
)
def test_transient_answers(http: GenericHttp, response: httpx.Response) -> None:
    with pytest.raises(TransientError):
        http.decode(response, "GET /events")


def test_a_business_error_keeps_the_erps_code_and_message(http: GenericHttp) -> None:
    response = httpx.Response(422, json=error("UNKNOWN_CUSTOMER", "customer C-9 does not exist"))

    with pytest.raises(BusinessRejection) as rejected:
        http.decode(response, "POST /orders")

    assert (rejected.value.code, rejected.value.detail) == (
        "UNKNOWN_CUSTOMER",
        "customer C-9 does not exist",
    )


def test_a_duplicate_external_ref_carries_the_existing_document(http: GenericHttp) -> None:
    document = {"orderNo": "SO-000001", "status": "CONFIRMED"}
    response = httpx.Response(409, json=error("DUPLICATE_EXTERNAL_REF", "exists", order=document))

    with pytest.raises(DocumentExists) as exists:
        http.decode(response, "POST /orders")

    assert exists.value.existing == document


@pytest.mark.parametrize(
    ("response", "code"),
    [
        (httpx.Response(401, json=error("UNAUTHORIZED", "wrong key")), "credentials_refused"),
        (httpx.Response(403, text="forbidden"), "credentials_refused"),
        (httpx.Response(404, json=error("NOT_FOUND", "no order")), "permanent_error"),
        (httpx.Response(409, json=error("NOT_SHIPPABLE", "closed")), "permanent_error"),
        (httpx.Response(422, text="not the ERP's shape"), "permanent_error"),
        (httpx.Response(400, json=error("BAD_REQUEST", "lines")), "permanent_error"),
    ],
)
def test_permanent_answers(http: GenericHttp, response: httpx.Response, code: str) -> None:
    with pytest.raises(PermanentError) as refused:
        http.decode(response, "POST /orders")

    assert not isinstance(refused.value, BusinessRejection | DocumentExists)
    assert refused.value.code == code


def test_a_good_answer_is_its_json(http: GenericHttp) -> None:
    assert http.decode(httpx.Response(200, json={"items": []}), "GET /events") == {"items": []}
