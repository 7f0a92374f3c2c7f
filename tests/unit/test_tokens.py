"""Bearer tokens: signed, expiring, and remembered only while they are good."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from hub.auth.tokens import InvalidToken, issue_token, read_token

KEY = "k" * 48


def test_a_good_token_reads_again_and_again() -> None:
    token = issue_token("alice", key=KEY, ttl_seconds=60, now=datetime.now(UTC))
    assert read_token(token, key=KEY) == "alice"
    assert read_token(token, key=KEY) == "alice"


def test_a_remembered_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    token = issue_token("bob", key=KEY, ttl_seconds=5, now=datetime.now(UTC))
    assert read_token(token, key=KEY) == "bob"  # checked and remembered
    later = time.time() + 6
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidToken, match="expired"):
        read_token(token, key=KEY)


def test_a_token_remembered_under_one_key_is_not_good_under_another() -> None:
    token = issue_token("carol", key=KEY, ttl_seconds=60, now=datetime.now(UTC))
    assert read_token(token, key=KEY) == "carol"
    with pytest.raises(InvalidToken):
        read_token(token, key="another-key-" + "x" * 40)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        issue_token("dave", key="wrong-" + "y" * 42, ttl_seconds=60, now=datetime.now(UTC)),
        issue_token("erin", key=KEY, ttl_seconds=60, now=datetime.now(UTC) - timedelta(hours=1)),
    ],
    ids=["garbage", "forged", "expired"],
)
def test_bad_tokens_are_refused_every_time(token: str) -> None:
    for _ in range(2):
        with pytest.raises(InvalidToken):
            read_token(token, key=KEY)
