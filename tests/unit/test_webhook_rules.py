"""Webhook signing, retry policy and URL rules, without I/O."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.notifications.policy import (
    BACKOFF_CAP,
    MAX_ATTEMPTS,
    Outcome,
    backoff,
    classify_status,
    retry_after_seconds,
)
from hub.notifications.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
    signed_headers,
    verify,
)
from hub.notifications.subscriptions import new_secret, url_problem

SECRET = "whsec_test"
BODY = b'{"id":"e-1","kind":"ping","data":{"amount":"1.00"}}'
SENT = 1_790_000_000


def headers() -> dict[str, str]:
    return signed_headers(SECRET, BODY, timestamp=SENT, event_kind="ping", delivery_id=7, attempt=1)


class TestSigning:
    def test_the_signature_is_the_hmac_of_timestamp_dot_body(self) -> None:
        expected = hmac.new(SECRET.encode(), b"1790000000." + BODY, hashlib.sha256).hexdigest()
        assert headers()[SIGNATURE_HEADER] == f"v1={expected}"
        assert headers()["X-DMS-Event"] == "ping"
        assert headers()["X-DMS-Delivery"] == "7"

    def test_a_fresh_untouched_request_verifies(self) -> None:
        h = headers()
        assert verify(SECRET, BODY, h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now=SENT + 299)

    @pytest.mark.parametrize(
        "body",
        [BODY.replace(b"1.00", b"9.00"), BODY + b" ", b""],
        ids=["amount", "trailing space", "empty"],
    )
    def test_a_tampered_body_is_rejected(self, body: bytes) -> None:
        h = headers()
        assert not verify(SECRET, body, h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now=SENT)

    def test_an_old_or_future_timestamp_is_rejected(self) -> None:
        h = headers()
        assert not verify(SECRET, BODY, h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now=SENT + 301)
        assert not verify(SECRET, BODY, h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now=SENT - 301)
        assert verify(
            SECRET,
            BODY,
            h[TIMESTAMP_HEADER],
            h[SIGNATURE_HEADER],
            now=SENT + 3000,
            tolerance_seconds=3600,
        )

    def test_a_replayed_signature_with_a_new_timestamp_is_rejected(self) -> None:
        h = headers()
        assert not verify(SECRET, BODY, str(SENT + 60), h[SIGNATURE_HEADER], now=SENT + 60)

    def test_another_secret_or_a_malformed_header_is_rejected(self) -> None:
        h = headers()
        ts, sig = h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER]
        assert not verify("whsec_other", BODY, ts, sig, now=SENT)
        assert not verify(SECRET, BODY, "yesterday", sig, now=SENT)
        assert not verify(SECRET, BODY, ts, sig.replace("v1=", "v0="), now=SENT)
        assert not verify(SECRET, BODY, ts, "v1=é", now=SENT)
        assert not verify(SECRET, BODY, ts, "", now=SENT)

    def test_any_of_several_signatures_may_match(self) -> None:
        good = signature(SECRET, SENT, BODY)
        assert verify(SECRET, BODY, str(SENT), f"v1=deadbeef, v1={good}", now=SENT)

    def test_secrets_are_random_and_recognisable(self) -> None:
        first, second = new_secret(), new_secret()
        assert first != second
        assert first.startswith("whsec_")
        assert len(first) > 40


class TestPolicy:
    @pytest.mark.parametrize(
        ("status", "outcome"),
        [
            (200, Outcome.DELIVERED),
            (204, Outcome.DELIVERED),
            (301, Outcome.FAILED),
            (400, Outcome.FAILED),
            (401, Outcome.FAILED),
            (404, Outcome.FAILED),
            (410, Outcome.FAILED),
            (408, Outcome.RETRY),
            (429, Outcome.RETRY),
            (500, Outcome.RETRY),
            (503, Outcome.RETRY),
        ],
    )
    def test_statuses(self, status: int, outcome: Outcome) -> None:
        assert classify_status(status) is outcome

    def test_backoff_doubles_with_jitter_and_stops_at_an_hour(self) -> None:
        def low(a: float, b: float) -> float:
            return a

        def high(a: float, b: float) -> float:
            return b

        assert backoff(1, uniform=low) == timedelta(seconds=30)
        assert backoff(1, uniform=high) == timedelta(minutes=1)
        assert backoff(3, uniform=high) == timedelta(minutes=4)
        assert backoff(MAX_ATTEMPTS, uniform=high) == BACKOFF_CAP
        assert backoff(50, uniform=high) == BACKOFF_CAP
        waits = {backoff(4) for _ in range(20)}
        assert all(timedelta(minutes=4) <= w <= timedelta(minutes=8) for w in waits)
        assert len(waits) > 1  # jittered

    def test_retry_after_is_honoured_up_to_the_cap(self) -> None:
        assert backoff(1, retry_after=600) >= timedelta(minutes=10)
        assert backoff(1, retry_after=86_400) == BACKOFF_CAP
        assert retry_after_seconds("120") == 120
        assert retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT") is None
        assert retry_after_seconds(None) is None


class TestUrls:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/hooks",
            "https://dealer.example/hooks?x=1",
            "http://10.1.2.3/hooks",
        ],
    )
    def test_development_takes_any_http_url(self, url: str) -> None:
        assert url_problem(url, production=False, hub_wide=False) is None

    @pytest.mark.parametrize(
        "url",
        [
            "ftp://dealer.example/x",
            "https:///no-host",
            "https://user:pw@dealer.example/x",
            "https://dealer.example/x#part",
            "https://dealer.example:99999/x",
            "https://dealer example/x",
            "dealer.example/hooks",
        ],
    )
    def test_malformed_urls_are_refused_everywhere(self, url: str) -> None:
        assert url_problem(url, production=False, hub_wide=True) is not None

    @pytest.mark.parametrize(
        ("url", "hub_wide", "allowed"),
        [
            ("https://dealer.example/hooks", False, True),
            ("http://dealer.example/hooks", False, False),
            ("http://dealer.example/hooks", True, False),
            ("http://localhost:9000/relay", True, True),
            ("http://127.0.0.1:9000/relay", True, True),
            ("http://localhost:9000/relay", False, False),
            ("https://localhost/relay", False, False),
            ("https://10.0.0.5/hooks", False, False),
            ("https://192.168.1.1/hooks", False, False),
            ("https://169.254.169.254/latest", False, False),
            ("https://[::1]/hooks", False, False),
            ("https://10.0.0.5/hooks", True, True),
        ],
    )
    def test_production_wants_https_and_keeps_dealers_outside(
        self, url: str, hub_wide: bool, allowed: bool
    ) -> None:
        assert (url_problem(url, production=True, hub_wide=hub_wide) is None) is allowed


def test_the_snippet_in_the_docs_verifies_like_the_hub() -> None:
    """Receivers copy docs/notifications.md: it must agree with ``verify``."""
    text = (Path(__file__).parents[2] / "docs" / "notifications.md").read_text("utf-8")
    snippet = next(
        block.removeprefix("python\n")
        for block in text.split("```")
        if block.startswith("python\n") and "def verify(" in block
    )
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "notifications.md", "exec"), namespace)  # noqa: S102 - our own docs
    copied = namespace["verify"]
    h = headers()
    for body, now in ((BODY, SENT), (BODY + b"x", SENT), (BODY, SENT + 301)):
        expected = verify(SECRET, body, h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now=now)
        assert copied(SECRET, body, h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now=now) is expected
    assert copied(SECRET, BODY, h[TIMESTAMP_HEADER], h[SIGNATURE_HEADER], now=SENT) is True
