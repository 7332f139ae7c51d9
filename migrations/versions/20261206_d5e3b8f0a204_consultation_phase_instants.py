"""consultations open and close at instants, not by a stored word

`opens_at`/`closes_at` become timezone-aware instants (UTC) instead of dates, and `status`
keeps only whether the consultation is published ("draft" or "published"): whether it is
open now follows from the instants and the clock (app.consultation.phases), so it can no
longer say "open" years after the deadline.

Data: a date becomes an instant in Brussels time, an opening date its first moment (00:00),
a closing date its end (24:00). The phase each consultation had is kept:
- "open" stays open: an opening in the future or a closing in the past is dropped (they
  were only shown, never enforced);
- "closed" stays closed: a closing in the future, or none, becomes the migration's instant;
- "draft" keeps its instants.
Downgrade turns instants back into Brussels dates and the phase of the moment into the word
("open" when open now, "closed" otherwise).

Revision ID: d5e3b8f0a204
Revises: c4d2a7e9f103
Create Date: 2026-12-06 19:45:00.000000

"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d5e3b8f0a204"
down_revision: str | Sequence[str] | None = "c4d2a7e9f103"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BRUSSELS = ZoneInfo("Europe/Brussels")
OLD_STATUS = sa.Enum("draft", "open", "closed", name="consultation_status", native_enum=False, length=6)
NEW_STATUS = sa.Enum("draft", "published", name="consultation_status", native_enum=False, length=9)
#: (id, status, opens_at, closes_at)
Row = tuple[int, str, object, object]


def _consultations(day_type: sa.types.TypeEngine[object]) -> sa.TableClause:
    return sa.table(
        "consultations",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("opens_at", day_type),
        sa.column("closes_at", day_type),
    )


def _read(day_type: sa.types.TypeEngine[object]) -> list[Row]:
    table = _consultations(day_type)
    query = sa.select(table.c.id, table.c.status, table.c.opens_at, table.c.closes_at)
    return [(row[0], row[1], row[2], row[3]) for row in op.get_bind().execute(query)]


def _write(day_type: sa.types.TypeEngine[object], rows: list[Row]) -> None:
    table = _consultations(day_type)
    for id_, status, opens, closes in rows:
        op.execute(table.update().where(table.c.id == id_).values(status=status, opens_at=opens, closes_at=closes))


def _clear_days(day_type: sa.types.TypeEngine[object]) -> None:
    """Empty the columns before their type changes, so no database casts the old values."""
    op.execute(_consultations(day_type).update().values(opens_at=None, closes_at=None))


def _alter(status_from: sa.Enum, status_to: sa.Enum, day_from: object, day_to: object) -> None:
    with op.batch_alter_table("consultations") as batch:
        batch.alter_column("status", existing_type=status_from, type_=status_to, existing_nullable=False)
        for name in ("opens_at", "closes_at"):
            batch.alter_column(name, existing_type=day_from, type_=day_to, existing_nullable=True)


def _start_of(day: object) -> datetime | None:
    return None if not isinstance(day, date) else datetime.combine(day, time(), BRUSSELS).astimezone(UTC)


def _end_of(day: object) -> datetime | None:
    return (
        None
        if not isinstance(day, date)
        else datetime.combine(day + timedelta(days=1), time(), BRUSSELS).astimezone(UTC)
    )


def _instants(id_: int, status: str, opens: datetime | None, closes: datetime | None, now: datetime) -> Row:
    if status == "open":
        opens = opens if opens is not None and opens <= now else None
        closes = closes if closes is not None and closes > now else None
    elif status == "closed":
        closes = closes if closes is not None and closes <= now else now
    if opens is not None and closes is not None and opens >= closes:
        opens = None
    return (id_, "draft" if status == "draft" else "published", opens, closes)


def upgrade() -> None:
    now = datetime.now(UTC)
    rows = _read(sa.Date())
    converted = [_instants(id_, status, _start_of(opens), _end_of(closes), now) for id_, status, opens, closes in rows]
    _clear_days(sa.Date())
    _alter(OLD_STATUS, NEW_STATUS, sa.Date(), sa.DateTime(timezone=True))
    _write(sa.DateTime(timezone=True), converted)


def _utc(moment: object) -> datetime | None:
    if not isinstance(moment, datetime):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _days(id_: int, status: str, opens: datetime | None, closes: datetime | None, now: datetime) -> Row:
    is_open = (opens is None or opens <= now) and (closes is None or now < closes)
    word = "draft" if status == "draft" else ("open" if is_open else "closed")
    first = opens.astimezone(BRUSSELS).date() if opens else None
    last = (closes - timedelta(microseconds=1)).astimezone(BRUSSELS).date() if closes else None
    return (id_, word, first, last)


def downgrade() -> None:
    now = datetime.now(UTC)
    rows = _read(sa.DateTime(timezone=True))
    converted = [_days(id_, status, _utc(opens), _utc(closes), now) for id_, status, opens, closes in rows]
    # The old words are short enough for the narrower column; set them before it narrows.
    _write_status(converted)
    _clear_days(sa.DateTime(timezone=True))
    _alter(NEW_STATUS, OLD_STATUS, sa.DateTime(timezone=True), sa.Date())
    _write(sa.Date(), converted)


def _write_status(rows: list[Row]) -> None:
    table = _consultations(sa.String())
    for id_, status, _opens, _closes in rows:
        op.execute(table.update().where(table.c.id == id_).values(status=status))
