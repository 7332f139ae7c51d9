"""Request ids and JSON logs (issue 14): every response carries an id, nginx's when it sends a
sane one; every log line of the request carries the same id; LOG_FORMAT=json writes one JSON
object a line that no logged value can break."""

from __future__ import annotations

import importlib
import io
import json
import logging

import pytest

from app.web.logs import RequestIdFilter, log_config
from app.web.request_id import current_request_id, request_id_from


async def test_each_response_carries_an_id_and_nginxs_is_kept(client):
    first, second = await client.get("/healthz"), await client.get("/healthz")
    assert len(first.headers["x-request-id"]) == 32 and first.headers["x-request-id"] != second.headers["x-request-id"]
    nginx_id = "0f8e7d6c5b4a39281706f5e4d3c2b1a0"
    assert (await client.get("/healthz", headers={"X-Request-ID": nginx_id})).headers["x-request-id"] == nginx_id


@pytest.mark.parametrize("sent", ["", "short", "a\nb" * 10, "x" * 65, "ünïcode-ünïcode", "<script>alert(1)</script>"])
def test_an_id_no_proxy_would_send_is_replaced(sent):
    kept = request_id_from(sent)
    assert kept != sent and len(kept) == 32 and kept.isalnum()


def _logged_through(log_format: str, message: str, *args: object) -> str:
    """A record written by the handler log_config() sets up, on a logger of the test's own
    (configuring logging globally would change what other tests' caplog sees)."""
    config = log_config(log_format)
    formatter_path = config["formatters"]["default"]["()"]
    module, _, name = formatter_path.rpartition(".")
    formatter_class = getattr(importlib.import_module(module), name)
    kwargs = {k: v for k, v in config["formatters"]["default"].items() if k != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_class(**kwargs))
    assert config["handlers"]["default"]["filters"] == ["request_id"]
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(f"tests.request_ids.{log_format}")
    logger.propagate, logger.handlers = False, [handler]
    token = current_request_id.set("req-1234567890")
    try:
        logger.warning(message, *args)
    finally:
        current_request_id.reset(token)
    return stream.getvalue()


def test_json_lines_carry_the_request_id_and_survive_hostile_values():
    written = _logged_through("json", "reported by %s", 'Eve"\n{"level": "INFO"}\x1b[2J')
    [line] = written.splitlines()
    record = json.loads(line)
    assert record["level"] == "WARNING" and record["logger"] == "tests.request_ids.json"
    assert record["request_id"] == "req-1234567890"
    assert record["message"] == 'reported by Eve"\n{"level": "INFO"}\x1b[2J'  # kept whole, on one line
    assert record["time"].endswith("+0000") or record["time"][-5] in "+-"


def test_text_lines_carry_no_control_characters():
    written = _logged_through("text", "reported by %s", "Eve\nFAKE LINE")
    assert written.count("\n") == 1 and "Eve\\nFAKE LINE" in written


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        log_config("xml")
