"""The outbox: queued in the caller's transaction, sent over real SMTP (aiosmtpd on
loopback), written to the outbox folder in development, and kept when the server is down."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from dataclasses import replace
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from sqlalchemy import select

from app.db import make_engine, make_sessionmaker
from app.mail.models import OutgoingMail
from app.mail.services import queue_mail, send_pending
from app.settings import PROJECT_ROOT
from tests.databases import fresh_database_url
from tests.live import free_port
from tests.mail_server import smtp_server

__all__ = ["smtp_server"]  # a fixture, imported for pytest

ROUNDTABLE = str(Path(sys.executable).parent / "roundtable")


def smtp_settings(settings, port: int):  # type: ignore[no-untyped-def]
    return replace(
        settings, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", mail_from="Roundtable <rt@example.org>"
    )


async def test_a_queued_message_arrives_over_smtp(db, settings, smtp_server):
    mail = await queue_mail(db, "awa@example.org", "Hello Awa", "Open https://example.org/x?token=abc&y=1 now.")
    await db.commit()
    report = await send_pending(db, smtp_settings(settings, smtp_server.port))
    assert (report.sent, report.failed) == (1, 0)
    [received] = smtp_server.to("awa@example.org")
    assert received.message["Subject"] == "Hello Awa"
    assert received.message["From"] == "Roundtable <rt@example.org>"
    assert received.links() == ["https://example.org/x?token=abc&y=1"]  # no HTML escaping in text mail
    await db.refresh(mail)
    assert mail.sent_at is not None and mail.attempts == 1 and mail.last_error is None
    assert (await send_pending(db, smtp_settings(settings, smtp_server.port))).sent == 0  # sent once only


async def test_a_rolled_back_transaction_sends_nothing(db, settings, smtp_server):
    await queue_mail(db, "never@example.org", "Never", "Not sent.")
    await db.rollback()
    await send_pending(db, smtp_settings(settings, smtp_server.port))
    assert smtp_server.to("never@example.org") == []


async def test_development_writes_the_outbox_folder_and_the_log(db, settings, tmp_path, caplog):
    await queue_mail(db, "dev@example.org", "In development", "Body text, ünïcode.")
    await db.commit()
    with caplog.at_level(logging.INFO, logger="app.mail.services"):
        report = await send_pending(db, replace(settings, smtp_host="", var_dir=tmp_path))
    assert report.sent == 1
    [eml] = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert message["To"] == "dev@example.org" and message["Subject"] == "In development"
    assert message.get_content().strip() == "Body text, ünïcode."
    assert "dev@example.org" in caplog.text and "Body text, ünïcode." in caplog.text


async def test_a_server_that_is_down_leaves_the_mail_queued_until_a_later_send(db, settings, smtp_server, caplog):
    mail = await queue_mail(db, "later@example.org", "Later", "Eventually.")
    await db.commit()
    with caplog.at_level(logging.WARNING, logger="app.mail.services"):
        report = await send_pending(db, smtp_settings(settings, free_port()))  # nothing listens there
    assert (report.sent, report.failed) == (0, 1)
    await db.refresh(mail)
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    assert "stays queued" in caplog.text
    assert (await send_pending(db, smtp_settings(settings, smtp_server.port))).sent == 1
    await db.refresh(mail)
    assert mail.sent_at is not None and mail.attempts == 2 and mail.last_error is None
    assert len(smtp_server.to("later@example.org")) == 1


async def test_an_unknown_tls_mode_is_an_error_on_the_message_not_a_crash(db, settings, smtp_server):
    mail = await queue_mail(db, "tls@example.org", "TLS", "Body.")
    await db.commit()
    await send_pending(db, replace(smtp_settings(settings, smtp_server.port), smtp_tls="ssl"))
    await db.refresh(mail)
    assert mail.sent_at is None and "SMTP_TLS must be one of" in (mail.last_error or "")


async def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        ROUNDTABLE, *args, cwd=PROJECT_ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_the_send_pending_command_retries_queued_mail(database_url, tmp_path, smtp_server):
    url = await fresh_database_url(database_url, "mail_cli", tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "ROUNDTABLE_VAR_DIR": str(tmp_path), "SECRET_KEY": "mail-cli-test"}
    assert (await run(env, "db", "upgrade"))[0] == 0
    engine = make_engine(url, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as session:
            await queue_mail(session, "queued@example.org", "Queued while SMTP was down", "Body.")
            await session.commit()
        down = {**env, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()), "SMTP_TLS": "none"}
        code, output = await run(down, "mail", "send-pending")
        assert code == 1 and "1 messages are still queued" in output, output
        up = {**down, "SMTP_PORT": str(smtp_server.port)}
        code, output = await run(up, "mail", "send-pending")
        assert code == 0 and "sent 1, failed 0" in output, output
        async with make_sessionmaker(engine)() as session:
            mail = await session.scalar(select(OutgoingMail))
            assert mail is not None and mail.sent_at is not None and mail.attempts == 2
    finally:
        await engine.dispose()
    [received] = smtp_server.to("queued@example.org")
    assert received.message["Subject"] == "Queued while SMTP was down"
