"""One current position per speaker on a key message.

A speaker is an organisation, whichever of its members posts, or a person speaking for
themselves. Posting a position supersedes the speaker's earlier ones: they stay readable in
their threads, marked superseded with a link to the current one, and count nowhere (tallies,
amendments, exports' counts). The rules, decided where the issue was silent:

- the newest posted position is current whatever became of the earlier one, so a withdrawn
  or hidden position is superseded like any other;
- a withdrawn or hidden current position leaves the speaker with no counted position until
  they post again; superseded positions never come back;
- replies are not positions and are never limited.

The database holds the rule too: partial unique indexes allow one current top-level
contribution per (key message, organisation) and per (key message, author) for personal
ones (app.discussion.models), so two members posting at the same moment cannot both count."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Table, and_, bindparam, func, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as _postgresql_insert
from sqlalchemy.dialects.sqlite import insert as _sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.discussion.models import Contribution, ContributionStatus, PublicationConsent
from app.discussion.publication import PUBLIC, Audience, byline, is_listed_for


def same_speaker(organisation_id: int | None, author_id: int) -> ColumnElement[bool]:
    """SQL condition on Contribution: written by this speaker (an organisation, or the author
    speaking for themselves)."""
    if organisation_id is not None:
        return Contribution.organisation_id == organisation_id
    return and_(Contribution.organisation_id.is_(None), Contribution.author_id == author_id)


def _positions_of(key_message_id: int, organisation_id: int | None, author_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Contribution.key_message_id == key_message_id,
        Contribution.parent_id.is_(None),
        same_speaker(organisation_id, author_id),
    )


async def hold_speaker(db: AsyncSession, key_message_id: int, organisation_id: int | None, author_id: int) -> None:
    """Make any other post by the same speaker on the same key message wait for this
    transaction (PostgreSQL: a lock held until it ends). The statements that follow see what
    that other post wrote, so two members posting at the same moment never both insert a
    current position: no unique violation to retry, no savepoint. SQLite writes one
    transaction at a time already (app.db.writing).

    The key is the key message and the speaker: the organisation, or minus the person
    speaking for themselves (ids are positive, so the two never meet)."""
    if db.get_bind().dialect.name != "postgresql":
        return
    speaker = organisation_id if organisation_id is not None else -author_id
    await db.execute(_HOLD_SPEAKER, {"key_message_id": key_message_id, "speaker": speaker})


async def insert_position(db: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a position (`values`: every column but superseded_by_id) as its speaker's
    current one, every earlier position pointing at it; None when the same form was
    published before (same author and submission key): nothing is written then.

    Call hold_speaker first. The position goes in as superseded by the current one, if any,
    which keeps it out of the unique index of current positions; the earlier ones then point
    at it, which takes the current one out; then it becomes current. One statement when the
    speaker had no position, three when it replaces one. Each earlier row is updated once:
    a row updated twice in one transaction has all its foreign keys checked again, which
    locks its author's row, and the posting limits hold authors' rows for update (two
    members posting at once would deadlock)."""
    speaker = (values["key_message_id"], values["organisation_id"], values["author_id"])
    kind = "personal" if values["organisation_id"] is None else "organisation"
    row = (await db.execute(_insert_if_new(_dialect(db), kind, tuple(values)), values)).first()
    if row is None:
        return None
    new_id: int = row[0]
    if row[1] is not None:  # it replaces a current position
        await db.execute(
            update(Contribution)
            .where(*_positions_of(*speaker), Contribution.id != new_id)
            .values(superseded_by_id=new_id)
            .execution_options(synchronize_session="evaluate")
        )
        await db.execute(
            update(Contribution)
            .where(Contribution.id == new_id)
            .values(superseded_by_id=None)
            .execution_options(synchronize_session=False)
        )
    return new_id


async def insert_reply(db: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a reply; None when the same form was published before (nothing is written)."""
    new_id: int | None = (await db.execute(_insert_if_new(_dialect(db), "reply", tuple(values)), values)).scalar()
    return new_id


def _dialect(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


@functools.cache
def _insert_if_new(dialect: str, kind: str, columns: tuple[str, ...]) -> Any:
    """INSERT … ON CONFLICT (author, submission key) DO NOTHING RETURNING id, of `columns`
    bound by name: a form sent twice publishes once without a query first. A position
    (`kind` "organisation" or "personal": its speaker) goes in as superseded by its speaker's
    current one, whose id it returns too. Built once per shape: building a statement and its
    cache key costs as much CPU as running it."""
    dialect_insert = _postgresql_insert if dialect == "postgresql" else _sqlite_insert
    values: dict[str, Any] = {name: bindparam(name, type_=_TABLE.c[name].type) for name in columns}
    statement = dialect_insert(_TABLE).on_conflict_do_nothing(index_elements=["author_id", "submission_key"])
    if kind == "reply":
        return statement.values(values).returning(_TABLE.c.id)
    speaker = (values["key_message_id"], None if kind == "personal" else values["organisation_id"], values["author_id"])
    current = select(Contribution.id).where(*_positions_of(*speaker), Contribution.superseded_by_id.is_(None))
    values["superseded_by_id"] = current.scalar_subquery()
    return statement.values(values).returning(_TABLE.c.id, _TABLE.c.superseded_by_id)


_HOLD_SPEAKER = select(
    func.pg_advisory_xact_lock(bindparam("key_message_id", type_=Integer), bindparam("speaker", type_=Integer))
)


def counted() -> ColumnElement[bool]:
    """SQL condition on Contribution: a position that counts (its speaker's current one and
    not removed); every tally and list of amendments uses it."""
    return and_(Contribution.superseded_by_id.is_(None), Contribution.status == ContributionStatus.VISIBLE)


def may_link_current(
    audience: Audience,
    *,
    personal: bool,
    earlier: PublicationConsent,
    current: PublicationConsent | None,
) -> bool:
    """Whether a superseded position may link to the current one for this audience. The link
    says both have one speaker, so it is shown only when the audience may read the current
    one and may see that speaker on both (never between an anonymous position and another)."""
    if current is None or not is_listed_for(current, audience):
        return False
    shown = [byline(consent, audience) for consent in (earlier, current)]
    return all(b.person if personal else b.organisation for b in shown)


@dataclass(frozen=True, slots=True)
class CurrentPosition:
    """A speaker's current position on a key message, shown on the form before they post
    one that would replace it."""

    id: int
    position: str
    created_at: datetime
    status: ContributionStatus
    publication: PublicationConsent
    #: The organisation that holds it; None: the reader's own personal position.
    organisation_id: int | None
    organisation_name: str | None
    #: False for one not for publication that a colleague wrote: the form says that posting
    #: replaces it, but neither links to it nor shows its position (negotiators' eyes only).
    readable: bool = True


async def current_positions(db: AsyncSession, key_message_id: int, author: User) -> list[CurrentPosition]:
    """The current positions of every speaker `author` may post as on a key message: each of
    their organisations and themselves. Withdrawn ones are left out, as posting no longer
    replaces anything the speaker says."""
    names = {m.organisation_id: m.organisation.name for m in author.memberships}
    current = (
        Contribution.key_message_id == key_message_id,
        Contribution.parent_id.is_(None),
        Contribution.superseded_by_id.is_(None),
        Contribution.status != ContributionStatus.WITHDRAWN,
    )
    # Two selects, each spelling out the condition of one partial unique index, so both
    # databases read a handful of index entries; one OR of the two made SQLite walk every
    # current contribution of the whole table (2.3 ms at 5,000 and growing).
    personal = select(*_CURRENT_COLUMNS).where(*current, same_speaker(None, author.id))
    organisations = select(*_CURRENT_COLUMNS).where(
        *current, Contribution.organisation_id.is_not(None), Contribution.organisation_id.in_(names)
    )
    both = union_all(personal, organisations) if names else personal
    rows = await db.execute(both.order_by(both.selected_columns.id))
    return [_current(row, names, author.id) for row in rows]


_CURRENT_COLUMNS = (
    Contribution.id,
    Contribution.position,
    Contribution.created_at,
    Contribution.status,
    Contribution.publication,
    Contribution.organisation_id,
    Contribution.author_id,
)


def _current(row: Any, names: dict[int, str], reader_id: int) -> CurrentPosition:
    identifier, position, created_at, status, publication, organisation_id, author_id = row
    name = None if organisation_id is None else names[organisation_id]
    readable = is_listed_for(publication, PUBLIC) or author_id == reader_id
    return CurrentPosition(identifier, str(position), created_at, status, publication, organisation_id, name, readable)


_TABLE = cast(Table, Contribution.__table__)
