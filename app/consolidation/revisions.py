"""Revised wordings of a key message: what negotiators make of its contributions.

Every version is kept and never edited; the highest is current. Each names the contributions
it reflects, chosen among the key message's own. Two negotiators saving at once both get a
version (the later is current): the unique (key message, version) settles who is next."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.consolidation.models import RevisedWording, WordingSource
from app.consolidation.reviews import CurationError, has_words
from app.consultation.models import KeyMessage
from app.db import utcnow
from app.discussion.models import Contribution
from app.discussion.redline import comparable
from app.i18n import _
from app.text.safe import clean_text

#: Longer than any key message of the seed (about 1,500 characters), with room to grow.
MAX_WORDING_CHARS = 5000
#: More contributions than one wording can honestly be said to reflect one by one.
MAX_SOURCES = 200
#: Tries to take the next version number when other negotiators keep taking it first.
_ATTEMPTS = 5
_NUMBER = re.compile(r"\d{1,12}")


async def current_wording(db: AsyncSession, key_message_id: int) -> RevisedWording | None:
    """The latest revised wording of the key message, with the contributions it reflects."""
    found: RevisedWording | None = await db.scalar(
        select(RevisedWording)
        .options(selectinload(RevisedWording.reflects))
        .where(RevisedWording.key_message_id == key_message_id)
        .order_by(RevisedWording.version.desc())
        .limit(1)
    )
    return found


async def wording_history(db: AsyncSession, key_message_id: int) -> list[RevisedWording]:
    """Every version, newest first, with who wrote it and what it reflects."""
    rows = await db.scalars(
        select(RevisedWording)
        .options(joinedload(RevisedWording.written_by), selectinload(RevisedWording.reflects))
        .where(RevisedWording.key_message_id == key_message_id)
        .order_by(RevisedWording.version.desc())
    )
    return list(rows.all())


def parse_ids(values: list[str]) -> list[int]:
    """Contribution ids as typed or ticked: numbers separated by commas or spaces, "#12"
    allowed; anything else is refused rather than guessed."""
    found: list[int] = []
    for value in values:
        for word in re.split(r"[\s,;]+", clean_text(value)):
            word = word.strip().removeprefix("#")
            if not word:
                continue
            if not _NUMBER.fullmatch(word):
                raise CurationError("contributions", _("Give contributions by their numbers, such as 12, 40."))
            found.append(int(word))
    return sorted(set(found))


async def _of_key_message(db: AsyncSession, key_message_id: int, ids: list[int]) -> list[int]:
    if len(ids) > MAX_SOURCES:
        message = _("Choose at most %(limit)s contributions.")
        raise CurationError("contributions", message % {"limit": MAX_SOURCES})
    if not ids:
        return []
    known = set(
        (
            await db.scalars(
                select(Contribution.id).where(Contribution.id.in_(ids), Contribution.key_message_id == key_message_id)
            )
        ).all()
    )
    strangers = [number for number in ids if number not in known]
    if strangers:
        message = _("These are not contributions on this key message: %(numbers)s.")
        raise CurationError("contributions", message % {"numbers": ", ".join(str(n) for n in strangers)})
    return ids


def clean_wording(text: str) -> str:
    text = comparable(clean_text(text))
    if not has_words(text):
        raise CurationError("text", _("Write the revised wording before saving it."))
    if len(text) > MAX_WORDING_CHARS:
        message = _("The wording is %(length)s characters long; keep it under %(limit)s.")
        raise CurationError("text", message % {"length": len(text), "limit": MAX_WORDING_CHARS})
    return text


async def save_wording(
    db: AsyncSession, *, negotiator: User, key_message: KeyMessage, text: str, contribution_ids: list[str]
) -> RevisedWording | None:
    """Add a version of the key message's revised wording; None when the current version
    already has this text and these contributions (nothing is added)."""
    wording = clean_wording(text)
    sources = await _of_key_message(db, key_message.id, parse_ids(contribution_ids))
    current = await current_wording(db, key_message.id)
    if current is not None and current.text == wording and current.contribution_ids == sources:
        return None
    for _attempt in range(_ATTEMPTS):
        try:
            async with db.begin_nested():
                version = await _next_version(db, key_message.id)
                revised = RevisedWording(
                    key_message_id=key_message.id,
                    version=version,
                    text=wording,
                    written_by_id=negotiator.id,
                    written_at=utcnow(),
                    reflects=[WordingSource(contribution_id=number) for number in sources],
                )
                db.add(revised)
                await db.flush()
            return revised
        except IntegrityError:  # another negotiator took this version number: take the next
            continue
    raise CurationError("text", _("Other negotiators are saving wordings of this key message; save again."))


async def _next_version(db: AsyncSession, key_message_id: int) -> int:
    latest = await db.scalar(
        select(func.max(RevisedWording.version)).where(RevisedWording.key_message_id == key_message_id)
    )
    return (latest or 0) + 1
