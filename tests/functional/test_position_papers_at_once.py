"""Two people publishing a position with a paper at the same moment, each in their own
transaction on its own connection (on SQLite the writes queue for the lock): both papers
are stored whole, every chunk in order, each with its own contribution."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets

from app.consultation.services import consultation_by_slug
from app.db import make_engine, make_sessionmaker, writing
from app.discussion.attachments import Paper, commit_with_paper, paper_bytes
from app.discussion.contribution_write import Draft, publish_position
from app.discussion.models import Attachment
from tests.conftest import SEED_SLUG
from tests.factories import author_in_session, key_message, make_user

#: Three chunks each, the last short.
PAPER_BYTES = 2 * 1024 * 1024 + 12_345


async def _publish(engine, author_id: int, content: bytes) -> int:  # type: ignore[no-untyped-def]
    async with make_sessionmaker(writing(engine))() as db:
        consultation = await consultation_by_slug(db, SEED_SLUG)
        assert consultation is not None
        author = await author_in_session(db, author_id)
        result = await publish_position(
            db,
            author=author,
            consultation=consultation,
            key_message=key_message(consultation, "RT2-KM1"),
            draft=Draft(body="Our paper says why.", submission_key=secrets.token_hex(12), position="support"),
            max_chars=10_000,
        )
        attachment = await commit_with_paper(db, result, Paper(content, "Paper.pdf", 1))
        assert attachment is not None
        return attachment.id


async def test_two_papers_posted_at_once_are_both_stored_whole(own_database):
    engine = make_engine(own_database, null_pool=True)
    try:
        async with make_sessionmaker(engine)() as db:
            authors = [(await make_user(db)).id for _ in range(2)]
            await db.commit()
        contents = [b"%PDF-1.4\n" + os.urandom(PAPER_BYTES) for _ in authors]

        ids = await asyncio.gather(*(_publish(engine, a, c) for a, c in zip(authors, contents, strict=True)))

        async with make_sessionmaker(engine)() as db:
            for attachment_id, content in zip(ids, contents, strict=True):
                attachment = await db.get_one(Attachment, attachment_id)
                stored = b"".join([chunk async for chunk in paper_bytes(db, attachment_id)])
                assert stored == content
                assert attachment.sha256 == hashlib.sha256(content).hexdigest() and attachment.size_bytes == len(
                    content
                )
            contributions = {(await db.get_one(Attachment, i)).contribution_id for i in ids}
        assert len(contributions) == 2
    finally:
        await engine.dispose()
