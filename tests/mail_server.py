"""A real SMTP server (aiosmtpd) on a free loopback port, for tests that check what mail
the site sends. Import the fixture into a test module: `from tests.mail_server import smtp_server`."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.live import free_port


@dataclass
class Received:
    """What arrived: the SMTP envelope's recipients and the parsed message."""

    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "no text/plain part"
        return str(part.get_content())

    def links(self) -> list[str]:
        return re.findall(r"https?://\S+", self.body)


@dataclass
class MailServer:
    port: int
    _received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        """Messages whose envelope names `address`, oldest first."""
        with self._lock:
            return [mail for mail in self._received if address.lower() in (r.lower() for r in mail.recipients)]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[MailServer]:
    server = MailServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def sending_to(app, server: MailServer):  # type: ignore[no-untyped-def]
    """The app, sending its mail to the test SMTP server (override a module's `app` fixture with it)."""
    app.state.settings = replace(app.state.settings, smtp_host="127.0.0.1", smtp_port=server.port, smtp_tls="none")
    return app
