"""position counts: tallies kept up to date by triggers in the write's transaction

Tallies were recounted on every read: a grouped count over all of a key message's
positions, whose cost grows with the discussion (issue 10). position_counts holds the
result, one row per key message, position, "counts under its organisation" and
organisation (0: none, or not disclosed), and triggers on contributions change it in the
same transaction as every write, whichever path makes it: posting, supersession, edits,
withdrawal, moderation, erasure, the demo generator's bulk inserts (COPY included),
deleted key messages. The organisation's type, country and origins are joined when the
tally is read, so editing an organisation changes no count.

What counts is app.discussion.supersession.counted() and app.discussion.publication:
a top-level contribution, current (not superseded), visible, not "not for publication";
"anonymous" counts as undisclosed, under no organisation. The property test
(tests/unit/discussion/test_position_counts_property.py) holds these triggers to the
recount in app.discussion.position_counts after every step of random operations.

Concurrency (PostgreSQL): before changing counts a trigger locks the key message's row
(FOR NO KEY UPDATE, key messages in id order), the lock every write to a discussion takes
anyway to bump discussion_version. So writers of one key message's counts take their
locks in one order, and two people swapping support and oppose at the same moment wait
for each other instead of deadlocking over two count rows.

PostgreSQL counts inserts and deletes once per statement (transition tables), so a bulk
insert or COPY of thousands of positions costs one grouped upsert; updates are counted
per row, and only when a row's count key really changes (the trigger's WHEN), so edits,
endorsement counters and replies cost nothing. SQLite counts per row (it has no
statement triggers); its writers are serialised by the database lock.

Plain SQL only: a migration never imports the app's models, which change after it.

Revision ID: c5f2d8e3b942
Revises: b4e1c9d2a731
Create Date: 2026-12-07 10:00:00.000000

"""

# ruff: noqa: S608 - every statement is built from this file's constants, never from input

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c5f2d8e3b942"
down_revision: str | Sequence[str] | None = "b4e1c9d2a731"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_COLUMNS = "key_message_id, position, under_organisation, organisation_id"
STORED_KEY = "(position_counts.key_message_id, position_counts.position, position_counts.under_organisation, position_counts.organisation_id)"
#: An update of any other column (body, endorsement_count, ...) never changes a count.
COUNTED_COLUMNS = "key_message_id, parent_id, position, status, publication, organisation_id, superseded_by_id"


def counted(row: str) -> str:
    """SQL: `row` (a contribution) counts in public tallies."""
    return (
        f"({row}.parent_id IS NULL AND {row}.superseded_by_id IS NULL"
        f" AND {row}.status = 'visible' AND {row}.publication <> 'not_for_publication')"
    )


def key(row: str) -> str:
    """SQL: the position_counts key `row` counts under."""
    under = f"{row}.publication IN ('named', 'organisation_only')"
    return f"{row}.key_message_id, {row}.position, {under}, CASE WHEN {under} THEN COALESCE({row}.organisation_id, 0) ELSE 0 END"


def key_changed() -> str:
    """SQL: an update moves a row from one count to another (or in or out of the counts)."""
    return f"({counted('OLD')} <> {counted('NEW')} OR ({counted('NEW')} AND ({key('OLD')}) IS DISTINCT FROM ({key('NEW')})))"


#: The grouped counts of a set of rows (a transition table on PostgreSQL, the table itself
#: for the back-fill).
def grouped(rows: str) -> str:
    return f"SELECT {key('r')}, count(*) FROM {rows} AS r WHERE {counted('r')} GROUP BY 1, 2, 3, 4"


UPSERT = f"INSERT INTO position_counts ({KEY_COLUMNS}, count) {{source}} ON CONFLICT ({KEY_COLUMNS}) DO UPDATE SET count = position_counts.count + EXCLUDED.count"


def lock_key_messages(ids: str) -> str:
    """PL/pgSQL: lock the rows of these key messages, in id order (see the docstring)."""
    return f"PERFORM 1 FROM key_messages WHERE id IN ({ids}) ORDER BY id FOR NO KEY UPDATE;"


def none_counted(rows: str) -> str:
    """PL/pgSQL: return at once from a statement that wrote no counted row (a reply, a
    position inserted superseded before it is made current): a quarter of the cost."""
    return f"IF NOT EXISTS (SELECT FROM {rows} AS r WHERE {counted('r')}) THEN RETURN NULL; END IF;"


POSTGRESQL_FUNCTIONS = {
    "position_counts_add_inserted": f"""
        {none_counted("new_rows")}
        {lock_key_messages(f"SELECT r.key_message_id FROM new_rows AS r WHERE {counted('r')}")}
        {UPSERT.format(source=grouped("new_rows"))};
    """,
    "position_counts_remove_deleted": f"""
        {none_counted("old_rows")}
        {lock_key_messages(f"SELECT r.key_message_id FROM old_rows AS r WHERE {counted('r')}")}
        UPDATE position_counts SET count = position_counts.count - gone.n
        FROM ({grouped("old_rows")}) AS gone (key_message_id, position, under_organisation, organisation_id, n)
        WHERE {STORED_KEY}
            = (gone.key_message_id, gone.position, gone.under_organisation, gone.organisation_id);
    """,
    "position_counts_move_updated": f"""
        {lock_key_messages("OLD.key_message_id, NEW.key_message_id")}
        IF {counted("OLD")} THEN
            UPDATE position_counts SET count = position_counts.count - 1
            WHERE {STORED_KEY} = ({key("OLD")});
        END IF;
        IF {counted("NEW")} THEN
            {UPSERT.format(source=f"VALUES ({key('NEW')}, 1)")};
        END IF;
    """,
}

POSTGRESQL_TRIGGERS = (
    "CREATE TRIGGER position_counts_after_insert AFTER INSERT ON contributions"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION position_counts_add_inserted()",
    "CREATE TRIGGER position_counts_after_delete AFTER DELETE ON contributions"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION position_counts_remove_deleted()",
    f"CREATE TRIGGER position_counts_after_update AFTER UPDATE OF {COUNTED_COLUMNS} ON contributions"
    f" FOR EACH ROW WHEN {key_changed()} EXECUTE FUNCTION position_counts_move_updated()",
)

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER position_counts_after_insert AFTER INSERT ON contributions WHEN {counted("NEW")}
    BEGIN {UPSERT.format(source=f"VALUES ({key('NEW')}, 1)")}; END""",
    f"""CREATE TRIGGER position_counts_after_delete AFTER DELETE ON contributions WHEN {counted("OLD")}
    BEGIN
        UPDATE position_counts SET count = position_counts.count - 1
        WHERE {STORED_KEY} = ({key("OLD")});
    END""",
    f"""CREATE TRIGGER position_counts_after_update AFTER UPDATE OF {COUNTED_COLUMNS} ON contributions
    WHEN {key_changed()}
    BEGIN
        UPDATE position_counts SET count = position_counts.count - 1
        WHERE {counted("OLD")}
        AND {STORED_KEY} = ({key("OLD")});
        {UPSERT.format(source=f"SELECT {key('NEW')}, 1 WHERE {counted('NEW')}")};
    END""",
)

TRIGGER_NAMES = ("position_counts_after_insert", "position_counts_after_delete", "position_counts_after_update")


def upgrade() -> None:
    op.create_table(
        "position_counts",
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=40), nullable=False),
        sa.Column("under_organisation", sa.Boolean(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name=op.f("fk_position_counts_key_message_id_key_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "key_message_id", "position", "under_organisation", "organisation_id", name=op.f("pk_position_counts")
        ),
    )
    if _postgresql():
        for name, body in POSTGRESQL_FUNCTIONS.items():
            op.execute(
                sa.text(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
                )
            )
        for statement in POSTGRESQL_TRIGGERS:
            op.execute(sa.text(statement))
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(sa.text(statement))
    # The back-fill, once the triggers exist: creating them locked contributions against
    # writes until this transaction ends (SQLite: the write lock), so none is missed or
    # counted twice even if the site is running.
    op.execute(sa.text(f"INSERT INTO position_counts ({KEY_COLUMNS}, count) {grouped('contributions')}"))


def downgrade() -> None:
    for name in TRIGGER_NAMES:
        op.execute(sa.text(f"DROP TRIGGER {name} ON contributions" if _postgresql() else f"DROP TRIGGER {name}"))
    if _postgresql():
        for name in POSTGRESQL_FUNCTIONS:
            op.execute(sa.text(f"DROP FUNCTION {name}()"))
    op.drop_table("position_counts")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"
