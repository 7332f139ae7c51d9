"""Log lines cannot be forged by what people send: control characters are escaped."""

from __future__ import annotations

import logging
import logging.config
import sys

from app.web.logs import EscapingFormatter, log_config


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("app.test", logging.ERROR, __file__, 1, message, args, None)


def test_a_logged_value_cannot_start_a_new_line_or_drive_the_terminal():
    line = EscapingFormatter("%(levelname)s %(message)s").format(record("not found: %s", "/x\x1b[2J\nINFO forged"))
    assert line == "ERROR not found: /x\\x1b[2J\\nINFO forged"


def test_a_traceback_keeps_its_lines_but_escapes_what_they_quote():
    try:
        raise ValueError("bad \x1b[31mvalue")
    except ValueError:
        entry = record("failed")
        entry.exc_info = sys.exc_info()
    text = EscapingFormatter("%(message)s").format(entry)
    assert "\x1b" not in text and "bad \\x1b[31mvalue" in text
    assert text.count("\n") >= 3  # "failed", the traceback header, a frame, the exception


def test_the_server_logs_through_escaping_formatters(capsys):
    config = log_config()
    assert config["loggers"]["app"]["handlers"] == ["default"]
    for name in ("default", "access"):
        factory = config["formatters"][name]["()"]
        module, _dot, cls = factory.rpartition(".")
        formatter = getattr(sys.modules[module], cls)(config["formatters"][name]["fmt"])
        entry = record('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", "/a\x1b[2Jb", "1.1", 404)
        assert "\x1b[2J" not in formatter.format(entry)
        assert "/a\\x1b[2Jb" in formatter.format(entry)
