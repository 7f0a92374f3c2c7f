"""Logging of the hub's processes: one JSON object a line in production (what
log shippers read), plain text in development; each line carries the
correlation id of the work in hand, when there is one."""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from connectors import correlation
from hub.settings import Environment, Settings

# Attributes every LogRecord has; anything else was passed in ``extra=``.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        correlation_id = correlation.current()
        if correlation_id is not None:
            doc["correlation_id"] = correlation_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(cid)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        correlation_id = correlation.current()
        record.cid = f" [{correlation_id}]" if correlation_id else ""
        return super().format(record)


def log_format(settings: Settings) -> str:
    if settings.log_format is not None:
        return settings.log_format
    return "json" if settings.env is Environment.PRODUCTION else "text"


def logging_config(settings: Settings) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for this process; uvicorn takes the same
    one (``log_config``) so its own lines are formatted alike."""
    formatter = JsonFormatter if log_format(settings) == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"hub": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "hub",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": settings.log_level},
        "loggers": {
            # uvicorn's own loggers propagate to the root handler, once.
            "uvicorn": {"handlers": [], "level": settings.log_level, "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "level": settings.log_level, "propagate": True},
            # One line per ERP call is noise: the connector metrics count and time them.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
