"""The Kingdee connector's reading of K3 answers, its signing, and its settings,
without I/O. The signing is compared with Kingdee's own SDK's code."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from k3cloud_webapi_sdk.util import encode_util

from connectors.kingdee.config import parse_config
from connectors.kingdee.protocol import ContextLost, operation_result, query_rows
from connectors.kingdee.signing import hidden_client_secret, login_sign
from dms_domain.errors import BusinessRejection, ConfigurationError, PermanentError, TransientError

WHERE, SYSTEM = "k3: Save SAL_SaleOrder SO-1", "k3 (kingdee)"


def failed(msg_code: int, *errors: tuple[str | None, str]) -> dict[str, Any]:
    return {
        "Result": {
            "ResponseStatus": {
                "IsSuccess": False,
                "ErrorCode": 500,
                "MsgCode": msg_code,
                "Errors": [{"FieldName": f, "Message": m, "DIndex": 0} for f, m in errors],
            }
        }
    }


@given(st.binary(min_size=24, max_size=24), st.text("0123456789", min_size=1, max_size=8))
def test_the_hidden_client_secret_is_read_as_the_sdk_reads_it(hidden: bytes, client: str) -> None:
    part = base64.b64encode(hidden).decode()
    assert hidden_client_secret(f"{client}_{part}") == encode_util.DecodeAppSecret(part)


@pytest.mark.parametrize("app_id", ["123456", "123456_short", "1_2_" + "A" * 32, "1_" + "!" * 32])
def test_an_app_id_without_a_hidden_secret_signs_with_an_empty_one(app_id: str) -> None:
    assert hidden_client_secret(app_id) == ""


def test_the_login_sign_is_sha256_of_the_sorted_parts() -> None:
    parts = ["acct", "user", "app", "secret", "1767225600"]
    expected = hashlib.sha256("".join(sorted(parts)).encode()).hexdigest()
    assert login_sign(*parts) == expected
    assert login_sign(*parts) == login_sign(*parts).lower()


def test_validation_errors_are_a_rejection_keeping_each_field_and_message() -> None:
    answer = failed(
        11, ("FQty", "数量必须大于0"), (None, "单据校验失败"), ("FCustId", "客户不存在")
    )

    with pytest.raises(BusinessRejection) as rejected:
        operation_result(answer, WHERE, SYSTEM)

    assert rejected.value.code == "FQty"
    assert rejected.value.detail == "FQty: 数量必须大于0; 单据校验失败; FCustId: 客户不存在"
    assert [(e["field"], e["message"]) for e in rejected.value.extra["errors"]] == [
        ("FQty", "数量必须大于0"),
        (None, "单据校验失败"),
        ("FCustId", "客户不存在"),
    ]


@pytest.mark.parametrize(
    ("msg_code", "error", "code"),
    [
        (1, ContextLost, "context_lost"),
        (4, TransientError, "transient_error"),
        (6, TransientError, "transient_error"),
        (13, TransientError, "transient_error"),
        (14, TransientError, "transient_error"),
        (2, PermanentError, "permission_denied"),
        (8, PermanentError, "bad_request"),
        (9, PermanentError, "bad_request"),
        (12, BusinessRejection, "K3_MSGCODE_12"),
    ],
)
def test_each_msg_code_means_what_the_caller_must_do(
    msg_code: int, error: type[Exception], code: str
) -> None:
    answer = failed(msg_code, (None, "消息"))

    with pytest.raises(error) as raised:
        operation_result(answer, WHERE, SYSTEM)
    with pytest.raises(error):
        query_rows([[answer]], 2, WHERE, SYSTEM)

    assert getattr(raised.value, "code", None) == code
    if error is TransientError:
        assert not isinstance(raised.value, PermanentError)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"Message": "服务暂不可用"}, "no Result.ResponseStatus"),
        ({"Result": {}}, "no Result.ResponseStatus"),
        ([["a"]], "not 2 values"),
        ("text", "not a list of rows"),
        ([[{"Result": {"ResponseStatus": {"IsSuccess": True}}}]], "says it succeeded"),
    ],
)
def test_broken_answers_are_transient_and_say_why(answer: Any, words: str) -> None:
    def read() -> object:
        if isinstance(answer, dict):
            return operation_result(answer, WHERE, SYSTEM)
        return query_rows(answer, 2, WHERE, SYSTEM)

    with pytest.raises(TransientError) as broken:
        read()
    assert words in broken.value.detail
    assert not isinstance(broken.value, PermanentError)


def test_rows_of_the_right_width_are_the_answer() -> None:
    assert query_rows([[1, "a"], [2, "b"]], 2, WHERE, SYSTEM) == [[1, "a"], [2, "b"]]
    assert query_rows([], 2, WHERE, SYSTEM) == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"base_url": "k3.example.com"}, "DMS_CONNECTORS__ERP_EAST__BASE_URL"),
        ({"auth": "password", "password": None}, "__PASSWORD: Value error, needed when AUTH"),
        ({"auth": "sign", "app_secret": " "}, "__APP_SECRET: Value error, needed when AUTH is"),
        ({"auth": "kerberos"}, "DMS_CONNECTORS__ERP_EAST__AUTH"),
        ({"page_size": 5000}, "DMS_CONNECTORS__ERP_EAST__PAGE_SIZE"),
        ({"cancel_by": "shred"}, "DMS_CONNECTORS__ERP_EAST__CANCEL_BY"),
    ],
)
def test_bad_settings_name_the_variable(changes: dict[str, Any], words: str) -> None:
    raw = {
        "system": "kingdee",
        "base_url": "https://k3.example.com/k3cloud/",
        "acct_id": "6512a9f7c3e1d2",
        "user_name": "dms.api",
        "password": "pw-s3cr3t",
        "app_id": "1_x",
        "app_secret": "app-s3cr3t",
    }
    assert parse_config("erp_east", raw).base_url == "https://k3.example.com/k3cloud"

    with pytest.raises(ConfigurationError) as bad:
        parse_config("erp_east", {**raw, **changes})

    assert words in bad.value.detail
    assert "s3cr3t" not in bad.value.detail
