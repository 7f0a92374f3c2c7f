"""Kingdee's own Python SDK (PyPI ``kingdee-cdp-webapi-sdk``), used unchanged,
against the simulator: Save, View, Submit, Audit and ExecuteBillQuery with its
signed headers, which the simulator checks (a wrong secret, a wrong hidden
client secret or an old timestamp are refused)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from k3cloud_webapi_sdk.core import webapi_client
from k3cloud_webapi_sdk.main import K3CloudApiSdk

from connectors.kingdee import create
from dms_domain.exchange import PushStatus
from simulators.kingdee import RunningSimulator, new_account, running_simulator
from tests.conftest import unique
from tests.integration.test_kingdee_connector import context, settings


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with running_simulator() as sim:
        yield sim


def sdk_from_ini(sim: RunningSimulator, folder: Path, **changes: str) -> Any:
    """The SDK configured as its documentation shows: a conf.ini, here in a temp folder."""
    account = sim.account
    values = {
        "x-kdapi-acctid": account.acct_id,
        "x-kdapi-username": account.user_name,
        "x-kdapi-appid": account.app_id,
        "x-kdapi-appsec": account.app_secret,
        "x-kdapi-serverurl": sim.url,
        "x-kdapi-lcid": "2052",
        **changes,
    }
    ini = folder / "conf.ini"
    ini.write_text("[config]\n" + "".join(f"{k}={v}\n" for k, v in values.items()), "utf-8")
    sdk = K3CloudApiSdk(sim.url, timeout=10)
    sdk.Init(config_path=str(ini), config_node="config")
    return sdk


def sale_order(bill_no: str, qty: int = 3) -> dict[str, Any]:
    return {
        "FBillTypeID": {"FNUMBER": "XSDD01_SYS"},
        "FBillNo": bill_no,
        "FDate": "2026-01-05",
        "FSaleOrgId": {"FNumber": "100"},
        "FCustId": {"FNumber": "CUST0001"},
        "FSaleOrderEntry": [
            {
                "FMaterialId": {"FNumber": "MAT0001"},
                "FQty": qty,
                "FTaxPrice": 113,
                "FEntryTaxRate": 13,
                "FIsFree": False,
            }
        ],
    }


def status_of(answer: str) -> dict[str, Any]:
    status: dict[str, Any] = json.loads(answer)["Result"]["ResponseStatus"]
    return status


def test_the_sdk_saves_submits_audits_views_and_queries(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    sdk = sdk_from_ini(simulator, tmp_path)
    bill_no = unique("SDK")

    saved = status_of(sdk.Save("SAL_SaleOrder", {"Model": sale_order(bill_no)}))
    assert saved["IsSuccess"] is True
    assert saved["SuccessEntitys"][0]["Number"] == bill_no
    assert simulator.control.status(bill_no) == "A"

    viewed = json.loads(sdk.View("SAL_SaleOrder", {"Number": bill_no}))["Result"]
    assert viewed["ResponseStatus"]["IsSuccess"] is True
    assert (viewed["Result"]["BillNo"], viewed["Result"]["DocumentStatus"]) == (bill_no, "A")
    assert viewed["Result"]["SaleOrderEntry"][0]["Qty"] == 3

    assert status_of(sdk.Submit("SAL_SaleOrder", {"Numbers": [bill_no]}))["IsSuccess"] is True
    assert simulator.control.status(bill_no) == "B"
    assert status_of(sdk.Audit("SAL_SaleOrder", {"Numbers": [bill_no]}))["IsSuccess"] is True
    assert simulator.control.status(bill_no) == "C"

    rows = json.loads(
        sdk.ExecuteBillQuery(
            {
                "FormId": "SAL_SaleOrder",
                "FieldKeys": "FBillNo,FDocumentStatus,FMaterialId.FNumber,FQty",
                "FilterString": f"FBillNo = '{bill_no}'",
                "StartRow": 0,
                "Limit": 10,
            }
        )
    )
    assert rows == [[bill_no, "C", "MAT0001", 3]]

    # The hub's connector sees the bill the SDK made: audited, so accepted.
    connector = create("k3-sdk", settings(simulator, "signed_headers"), context())
    try:
        found = connector.find_order(bill_no)
    finally:
        connector.close()
    assert found is not None
    assert (found.status, found.erp_ref) == (PushStatus.ACCEPTED, bill_no)


def test_the_sdk_sending_data_as_json_text_works_too(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    sdk = sdk_from_ini(simulator, tmp_path)
    bill_no = unique("SDKTXT")

    answer = sdk.Save("SAL_SaleOrder", json.dumps({"Model": sale_order(bill_no, qty=5)}))

    assert status_of(answer)["IsSuccess"] is True
    assert simulator.control.status(bill_no) == "A"


def test_a_validation_error_comes_back_with_its_field(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    sdk = sdk_from_ini(simulator, tmp_path)

    status = status_of(sdk.Save("SAL_SaleOrder", {"Model": sale_order(unique("SDK"), qty=0)}))

    assert (status["IsSuccess"], status["MsgCode"]) == (False, 11)
    assert [e["FieldName"] for e in status["Errors"]] == ["FQty"]


@pytest.mark.parametrize(
    ("what", "changes"),
    [
        ("a wrong app secret", {"x-kdapi-appsec": "0" * 32}),
        ("a wrong client secret in the AppId", {"x-kdapi-appid": new_account().app_id}),
        ("a wrong user", {"x-kdapi-username": "someone.else"}),
    ],
    ids=["app-secret", "client-secret", "user"],
)
def test_the_simulator_refuses_a_bad_signature(
    simulator: RunningSimulator, tmp_path: Path, what: str, changes: dict[str, str]
) -> None:
    sdk = sdk_from_ini(simulator, tmp_path, **changes)
    bill_no = unique("SDKBAD")

    status = status_of(sdk.Save("SAL_SaleOrder", {"Model": sale_order(bill_no)}))

    assert (status["IsSuccess"], status["MsgCode"]) == (False, 2), what
    assert simulator.control.status(bill_no) is None


def test_the_simulator_refuses_an_old_timestamp(
    simulator: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sdk = sdk_from_ini(simulator, tmp_path)
    an_hour_ago = time.time() - 3600
    # The SDK's own code, its clock an hour late (a replayed or delayed request).
    monkeypatch.setattr(webapi_client, "time", SimpleNamespace(time=lambda: an_hour_ago))

    rows = json.loads(sdk.ExecuteBillQuery({"FormId": "BD_Customer", "FieldKeys": "FNumber"}))

    status = rows[0][0]["Result"]["ResponseStatus"]
    assert (status["IsSuccess"], status["MsgCode"]) == (False, 2)
    assert "时间戳" in status["Errors"][0]["Message"]
