"""The outbox: mail is stored in the caller's transaction, then sent after the commit.

A message is never lost when the mail server is down: it stays queued with the error, and
the next send (after another request, or `roundtable mail send-pending`) tries again."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import utcnow
from app.mail.models import OutgoingMail
from app.settings import Settings

logger = logging.getLogger(__name__)

SMTP_TLS_MODES = ("none", "starttls", "tls")
SMTP_TIMEOUT_SECONDS = 15
#: A request sends at most this many queued messages; the command line sends them all.
BATCH_SIZE = 20


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    last_error: str | None = None


async def queue_mail(db: AsyncSession, recipient: str, subject: str, body_text: str) -> OutgoingMail:
    """Store a message; it goes out only if the caller's transaction commits."""
    mail = OutgoingMail(recipient=recipient, subject=subject, body_text=body_text, attempts=0)
    db.add(mail)
    await db.flush()
    return mail


async def send_pending(db: AsyncSession, settings: Settings, *, limit: int | None = BATCH_SIZE) -> SendReport:
    """Send queued messages, oldest first, and commit what happened to each.

    Rows are locked while they are sent (PostgreSQL skips rows another worker holds), so two
    workers never send the same message. Failures are logged and kept on the row, never raised."""
    query = select(OutgoingMail).where(OutgoingMail.sent_at.is_(None)).order_by(OutgoingMail.id)
    if limit is not None:
        query = query.limit(limit)
    mails = list((await db.scalars(query.with_for_update(skip_locked=True))).all())
    if not mails:
        return SendReport()
    errors = await (_send_smtp(mails, settings) if settings.smtp_host else _send_to_outbox(mails, settings))
    now = utcnow()
    for mail in mails:
        mail.attempts += 1
        if mail.id in errors:
            mail.last_error = errors[mail.id]
        else:
            mail.sent_at, mail.last_error = now, None
    await db.commit()
    for mail_id, error in errors.items():
        logger.warning("mail %s not sent, it stays queued: %s", mail_id, error)
    return SendReport(
        sent=len(mails) - len(errors), failed=len(errors), last_error=next(reversed(errors.values()), None)
    )


def build_message(mail: OutgoingMail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=str(mail.id), domain=_sender_domain(settings))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body_text)
    return message


def _sender_domain(settings: Settings) -> str:
    address = settings.mail_from.rpartition("<")[2].rstrip(">")
    return address.rpartition("@")[2] or "localhost"


async def _send_smtp(mails: list[OutgoingMail], settings: Settings) -> dict[int, str]:
    """One connection for the batch; if it cannot be made, every message keeps that error."""
    # Only a worker that sends by SMTP needs the client (and most send nothing): loaded then.
    import aiosmtplib

    if settings.smtp_tls not in SMTP_TLS_MODES:
        problem = f"SMTP_TLS must be one of {', '.join(SMTP_TLS_MODES)}, not {settings.smtp_tls!r}"
        return dict.fromkeys((mail.id for mail in mails), problem)
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        timeout=SMTP_TIMEOUT_SECONDS,
    )
    try:
        await client.connect()
        if settings.smtp_username:
            await client.login(settings.smtp_username, str(settings.smtp_password))
    except (aiosmtplib.SMTPException, OSError) as error:
        return dict.fromkeys((mail.id for mail in mails), _describe(error))
    errors: dict[int, str] = {}
    try:
        for mail in mails:
            try:
                await client.send_message(build_message(mail, settings))
            except (aiosmtplib.SMTPException, OSError) as error:
                errors[mail.id] = _describe(error)
    finally:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()
    return errors


async def _send_to_outbox(mails: list[OutgoingMail], settings: Settings) -> dict[int, str]:
    """Development: the message goes to the console (the log) and to <var_dir>/outbox/<id>.eml."""
    outbox = settings.var_dir / "outbox"
    errors: dict[int, str] = {}
    for mail in mails:
        try:
            _write_eml(outbox, mail, settings)
        except OSError as error:
            errors[mail.id] = _describe(error)
            continue
        _log_whole(mail)
    return errors


def _log_whole(mail: OutgoingMail) -> None:
    """The message in the console, a log line per line of it: `make run` shows a newcomer
    the link to open. One record with the whole text would come out on one line, since the
    log escapes line breaks (app.web.logs) so that no value can forge a line."""
    logger.info("mail to %s: %s", mail.recipient, mail.subject)
    for line in mail.body_text.splitlines():
        logger.info("  | %s", line)


def _write_eml(outbox: Path, mail: OutgoingMail, settings: Settings) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    (outbox / f"{stamp}-{mail.id}.eml").write_bytes(build_message(mail, settings).as_bytes())


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
