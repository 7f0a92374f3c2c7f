"""The processes' log format: JSON lines in production, text in development,
each with the correlation id bound at the time."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest

from connectors import correlation
from hub.logs import log_format, logging_config
from tests.conftest import make_settings


@pytest.fixture
def captured() -> io.StringIO:
    return io.StringIO()


def emit(config: dict[str, object], stream: io.StringIO) -> str:
    handlers = config["handlers"]
    assert isinstance(handlers, dict)
    handlers["stderr"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        log = logging.getLogger("hub.test")
        with correlation.bound("req-42"):
            log.info("order %s confirmed", "SO-1", extra={"connector": "sap"})
        log.warning("no id bound")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
        logging.getLogger("uvicorn.access").info("GET /healthz 200")
    finally:
        logging.config.dictConfig(
            {
                "version": 1,
                "disable_existing_loggers": False,
                "root": {"handlers": [], "level": "WARNING"},
            }
        )
    return stream.getvalue()


def test_production_writes_one_json_object_a_line(captured: io.StringIO) -> None:
    settings = make_settings("sqlite://", env="production", secret_key="x" * 40)
    assert log_format(settings) == "json"
    lines = [json.loads(line) for line in emit(logging_config(settings), captured).splitlines()]
    first, second, third, access = lines
    assert first["msg"] == "order SO-1 confirmed"
    assert (first["level"], first["logger"], first["correlation_id"], first["connector"]) == (
        "INFO",
        "hub.test",
        "req-42",
        "sap",
    )
    assert "correlation_id" not in second
    assert "ValueError: boom" in third["exc"]
    assert access["logger"] == "uvicorn.access"  # uvicorn's lines come out alike, once


def test_development_writes_text_with_the_id(captured: io.StringIO) -> None:
    settings = make_settings("sqlite://")
    assert log_format(settings) == "text"
    text = emit(logging_config(settings), captured)
    assert "INFO hub.test [req-42]: order SO-1 confirmed" in text
    assert "WARNING hub.test: no id bound" in text


def test_the_format_can_be_chosen() -> None:
    assert log_format(make_settings("sqlite://", log_format="json")) == "json"
    with pytest.raises(ValueError, match="log_format"):
        make_settings("sqlite://", log_format="xml")
