"""Log lines that people's input cannot forge: control characters in a logged value (a path, a
name) are written as escapes, so a value cannot start a fake line or drive the terminal that
shows the log. `roundtable serve` hands uvicorn this configuration.

LOG_FORMAT=json (production, deploy/env.example) writes one JSON object a line instead, for
a log collector: time, level, logger, message and the request's id (app.web.request_id), which
JSON's own escaping keeps on its line."""

from __future__ import annotations

import copy
import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatterBase
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter, DefaultFormatter

from app.text.safe import escape_controls
from app.web.request_id import current_request_id

LOG_FORMATS = ("text", "json")


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being answered ("-" outside one) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


class JsonFormatter(_JsonFormatterBase):
    """python-json-logger's formatter with the fields a collector indexes, in UTC."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
            json_ensure_ascii=False,
        )


def _escaped_record(record: logging.LogRecord) -> logging.LogRecord:
    """A copy of the record whose message and text arguments carry no control characters
    (the formatter's own colours are added after, and stay)."""
    escaped = logging.makeLogRecord(record.__dict__)
    escaped.message = escape_controls(record.getMessage())
    if isinstance(record.args, tuple):
        escaped.args = tuple(escape_controls(arg) if isinstance(arg, str) else arg for arg in record.args)
    return escaped


class _Escaping(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(_escaped_record(record))

    def formatException(self, ei: Any) -> str:
        """A traceback keeps its lines; each line is escaped like a message."""
        return "\n".join(escape_controls(line) for line in super().formatException(ei).split("\n"))


class EscapingFormatter(_Escaping, logging.Formatter):
    """A plain formatter that escapes control characters."""


class EscapingDefaultFormatter(_Escaping, DefaultFormatter):
    """uvicorn's formatter for its own and the application's messages, escaped."""


class EscapingAccessFormatter(_Escaping, AccessFormatter):
    """uvicorn's access log (the request line holds the path as sent), escaped."""


def log_config(log_format: str = "text") -> dict[str, Any]:
    """uvicorn's logging configuration with escaping formatters (or JSON), the request's id on
    every record, and the application's loggers (`app.*`: errors with their tracebacks)
    written by the same handler."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    config = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        config["formatters"]["default"] = {"()": f"{__name__}.JsonFormatter"}
        config["formatters"]["access"] = {"()": f"{__name__}.JsonFormatter"}
    else:
        config["formatters"]["default"]["()"] = f"{__name__}.EscapingDefaultFormatter"
        config["formatters"]["access"]["()"] = f"{__name__}.EscapingAccessFormatter"
    config["filters"] = {"request_id": {"()": f"{__name__}.RequestIdFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["request_id"]
    config["loggers"]["app"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
