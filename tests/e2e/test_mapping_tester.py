"""The mapping tester API: the files the hub loads, and one tried on a pasted sample."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.mapping import jsonio
from hub.api.routes.mappings import SAMPLE_LIMIT_BYTES
from hub.auth.principal import Role
from tests.conftest import LiveServer
from tests.unit.mapping.conftest import SHIPPED

INVOICE = "generic/invoice.in.yaml"
SAMPLES = SHIPPED / "generic" / "invoice.in.yaml.samples"


@pytest.fixture(scope="module")
def integrator_token(live_server: LiveServer) -> str:
    return live_server.token_for(Role.INTEGRATOR)


@pytest.fixture
def integrator(live_server: LiveServer, integrator_token: str) -> Iterator[httpx.Client]:
    with live_server.client(integrator_token) as client:
        yield client


def listed(client: httpx.Client) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/mappings")
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    return {item["mapping"]: item for item in page["items"]}


def test_lists_the_files_the_hub_loads_with_their_golden_samples(
    integrator: httpx.Client,
) -> None:
    files = listed(integrator)
    invoice = files[INVOICE]
    assert (invoice["folder"], invoice["file"]) == ("generic", "invoice.in.yaml")
    assert (invoice["system"], invoice["entity"], invoice["direction"]) == (
        "generic",
        "invoice",
        "in",
    )
    assert invoice["problems"] == []
    samples = {s["name"]: s for s in invoice["samples"]}
    assert samples["order"]["sample"] == (SAMPLES / "order.in.json").read_text()
    assert samples["order"]["xref"] == {
        "erp_customer_dealer": {"C-10001": "D001", "C-10002": "D002"}
    }
    assert files["kingdee/customer.in.yaml"]["direction"] == "in"
    assert len(files) == len(list(SHIPPED.rglob("*.yaml")))


def test_a_golden_sample_maps_to_its_expected_record(integrator: httpx.Client) -> None:
    sample = listed(integrator)[INVOICE]["samples"]
    order = next(s for s in sample if s["name"] == "order")
    response = integrator.post(
        "/api/v1/mappings/test",
        json={"mapping": INVOICE, "sample": order["sample"], "xref": order["xref"]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    expected = jsonio.loads((SAMPLES / "order.out.json").read_text())
    assert jsonio.loads(body["text"]) == expected
    assert '"amount": 1356.00' in body["text"]  # exactly as the connector writes it
    assert body["result"]["amount"] == "1356.00"
    assert body["result"]["dealer_code"] == "D001"


def test_text_that_is_not_json_names_its_line_and_column(integrator: httpx.Client) -> None:
    text = '{\n  "invoiceNo": "INV-1",\n  "amount": 12,,\n}'
    response = integrator.post("/api/v1/mappings/test", json={"mapping": INVOICE, "sample": text})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "sample_not_json"
    assert problem["errors"] == [
        {
            "field": "sample",
            "message": "Expecting property name enclosed in double quotes",
            "line": 3,
            "column": 16,
        }
    ]


def test_a_refused_record_names_the_mapping_field_its_line_and_the_value(
    integrator: httpx.Client,
) -> None:
    text = (SAMPLES / "bad_values.in.json").read_text()
    response = integrator.post(
        "/api/v1/mappings/test",
        json={"mapping": INVOICE, "sample": text, "xref": {"erp_customer_dealer": {}}},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "mapping_failed"
    errors = {e["field"]: e for e in problem["errors"]}
    assert set(errors) == {"dealer_code", "invoice_date", "amount"}
    amount = errors["amount"]
    assert amount["value"] == "'1,356.00'"
    assert amount["mapping_line"] == 36
    assert amount["line"] == 7  # the sample line that holds "1,356.00"
    assert "decimal" in amount["message"]
    assert str(SHIPPED) not in response.text  # no server paths in the answer


def test_a_connector_s_cross_reference_or_given_tables_not_both(
    integrator: httpx.Client,
) -> None:
    both = integrator.post(
        "/api/v1/mappings/test",
        json={"mapping": INVOICE, "sample": "{}", "xref": {}, "connector": "erp"},
    )
    assert both.status_code == 422
    assert both.json()["errors"][0]["field"] == "connector"
    unknown = integrator.post(
        "/api/v1/mappings/test", json={"mapping": INVOICE, "sample": "{}", "connector": "nope"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {"field": "connector", "message": "no connector 'nope' is configured"}
    ]


@pytest.mark.parametrize("name", ["generic/nothing.yaml", "../hub/settings.py", "/etc/passwd"])
def test_only_listed_files_can_be_tried(integrator: httpx.Client, name: str) -> None:
    response = integrator.post("/api/v1/mappings/test", json={"mapping": name, "sample": "{}"})
    assert response.status_code == 404
    assert response.json()["detail"] == f"no mapping file {name!r}"


def test_a_sample_over_the_limit_is_refused(integrator: httpx.Client) -> None:
    text = '{"pad": "' + "x" * SAMPLE_LIMIT_BYTES + '"}'
    response = integrator.post("/api/v1/mappings/test", json={"mapping": INVOICE, "sample": text})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
