"""The most-quoted passages of each key message, with the contributions quoting them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.passages import quoted_passages
from app.consolidation.selection import Selection
from app.consultation.models import Consultation
from app.discussion.models import ContributionStatus
from app.text.footnotes import sentences, strip_footnote_markers
from tests.factories import key_message, make_position, make_reply, make_user

REF = "RT1-KM2"


async def test_passages_most_quoted_first_with_their_contributions(
    db: AsyncSession, consultation: Consultation
) -> None:
    message = key_message(consultation, REF)
    first, second = sentences(message.text)[:2]

    async def quoting(text: str, **draft: object):  # type: ignore[no-untyped-def]
        return await make_position(db, consultation, author=await make_user(db), ref=REF, quote_text=text, **draft)

    a = await quoting(second)
    b = await quoting(second[: len(second) // 2])  # inside the same passage
    c = await make_reply(db, author=await make_user(db), parent=a, quote_text=second)
    d = await quoting(first)
    (await quoting(first)).status = ContributionStatus.HIDDEN
    await quoting(first, publication="not_for_publication")
    await db.flush()

    found = (await quoted_passages(db, consultation, Selection(key_message=REF)))[message.id]
    plain = strip_footnote_markers(message.text)
    assert [(p.text, p.count, p.contribution_ids) for p in found] == [
        (second, 3, (a.id, b.id, c.id)),
        (first, 1, (d.id,)),
    ]
    assert all(plain[p.start : p.start + len(p.text)] == p.text for p in found if p.start is not None)

    assert len((await quoted_passages(db, consultation, Selection(key_message=REF), limit=1))[message.id]) == 1
    # Replies take no position: a filter on positions leaves them out.
    supporting = await quoted_passages(db, consultation, Selection(key_message=REF, positions=("support",)))
    assert [p.contribution_ids for p in supporting[message.id]] == [(a.id, b.id), (d.id,)]


async def test_key_messages_nobody_quotes_have_no_passages(db: AsyncSession, consultation: Consultation) -> None:
    found = await quoted_passages(db, consultation, Selection(roundtable="RT2"))
    assert set(found) == {m.id for m in Selection(roundtable="RT2").key_messages(consultation)}
    assert not any(found.values())


async def test_without_trace_passages_are_counted_without_their_ids(
    db: AsyncSession, consultation: Consultation
) -> None:
    message = key_message(consultation, REF)
    quoted = await make_position(
        db, consultation, author=await make_user(db), ref=REF, quote_text=sentences(message.text)[0]
    )
    traced = (await quoted_passages(db, consultation, Selection(key_message=REF)))[message.id]
    untraced = (await quoted_passages(db, consultation, Selection(key_message=REF), trace=False))[message.id]
    assert [(p.text, p.count, p.contribution_ids) for p in traced] == [(sentences(message.text)[0], 1, (quoted.id,))]
    assert [(p.text, p.count, p.contribution_ids) for p in untraced] == [(sentences(message.text)[0], 1, ())]
