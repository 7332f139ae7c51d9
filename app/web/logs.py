"""Log lines that people's input cannot forge: control characters in a logged value (a path, a
name) are written as escapes, so a value cannot start a fake line or drive the terminal that
shows the log. `roundtable serve` hands uvicorn this configuration."""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter, DefaultFormatter

from app.text.safe import escape_controls


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


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with escaping formatters, and the application's
    loggers (`app.*`: errors with their tracebacks) written by the same handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["()"] = f"{__name__}.EscapingDefaultFormatter"
    config["formatters"]["access"]["()"] = f"{__name__}.EscapingAccessFormatter"
    config["loggers"]["app"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
