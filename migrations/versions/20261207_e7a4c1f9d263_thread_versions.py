"""thread versions: each thread's rendered HTML is kept until something in it changes

A write made the next reader of a key message render its whole first page (issue 10):
the page's version is the key message's, bumped by every write. Now each thread (a
top-level contribution and the replies under it) has its own version in thread_versions,
and the key message three versions of what its page summarises of the discussion:
tally_version (its top-level contributions: the position table), amendments_version (its
contributions proposing wording) and quotes_version (its contributions quoting the text:
the highlighted passages), all bumped by triggers in the same transaction as the write, whichever path
makes it: posting, editing, withdrawal, moderation, supersession, endorsements (they
update the endorsed row's counter and add or remove a row), topics, attachments, erasure,
the demo generator's bulk inserts (COPY included). A page is then assembled from stored
threads, and the first read after a reply renders that one thread.

What the triggers cannot see, names and badges (a person erased, an organisation renamed or
verified), already clears every versioned fragment (app.fragments.clear_fragments).

A thread's version also moves when the position that superseded one of its contributions
changes (hidden, withdrawn, published otherwise): the superseded one links to it only
while the reader may follow the link.

Concurrency (PostgreSQL): like the position counts' triggers, these lock the key messages'
rows first (FOR NO KEY UPDATE, in id order), the lock every write to a discussion takes
anyway, then the thread rows in root order: writers of one discussion take their locks in
one order. Triggers are per statement (transition tables), so a bulk insert costs one
grouped upsert. SQLite has no statement triggers; its writers are serialised anyway.

No foreign key from thread_versions: a deleted thread's row is harmless and a trigger
after the delete must still be able to write it.

Plain SQL only: a migration never imports the app's models, which change after it.

Revision ID: e7a4c1f9d263
Revises: c5f2d8e3b942
Create Date: 2026-12-07 12:00:00.000000

"""

# ruff: noqa: S608 - every statement is built from this file's constants, never from input

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e7a4c1f9d263"
down_revision: str | Sequence[str] | None = "c5f2d8e3b942"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: The key message's versions of what its page summarises, and the contributions that move
#: each: (column, SQL test) on a contributions row.
SUMMARIES = {
    "tally_version": ("parent_id", "IS NULL"),
    "amendments_version": ("amendment_text", "IS NOT NULL"),
    "quotes_version": ("quote_start", "IS NOT NULL"),
}


def changed_rows(rows: str, row: str = "") -> str:
    """SQL: (key_message_id, root_id, one flag per summary) of contributions rows: the rows
    of the table `rows`, or the trigger's row `row` (NEW or OLD, on SQLite)."""
    prefix = f"{row}." if row else ""
    flags = ", ".join(f"{prefix}{column} {test} AS {name}" for name, (column, test) in SUMMARIES.items())
    source = f" FROM {rows}" if rows else ""
    return (
        f"SELECT {prefix}key_message_id AS key_message_id, COALESCE({prefix}thread_root_id, {prefix}id) AS root_id,"
        f" {flags}{source}"
    )


def contributions_of(ids: str) -> str:
    """SQL: the same of the contributions whose ids `ids` selects."""
    return changed_rows(f"contributions WHERE id IN ({ids})")


def superseded_by(ids: str) -> str:
    """SQL: the same, of the positions that the contributions `ids` superseded."""
    return changed_rows(f"contributions WHERE superseded_by_id IN ({ids})")


BUMP_THREAD = (
    "INSERT INTO thread_versions (root_id, version) {source}"
    " ON CONFLICT (root_id) DO UPDATE SET version = thread_versions.version + 1"
)


def bump_summaries(changed: str) -> str:
    """SQL statements (SQLite): each summary's version moves on the key messages of the rows
    `changed` selects that move it."""
    return ";".join(
        f"UPDATE key_messages SET {name} = {name} + 1"
        f" WHERE id IN (SELECT c.key_message_id FROM ({changed}) AS c WHERE c.{name})"
        for name in SUMMARIES
    )


def postgresql_body(changed: str) -> str:
    """PL/pgSQL: bump the threads and key messages of the rows `changed` selects. The rows
    are read once, into arrays: a COPY of 100,000 topic tags would otherwise join them to
    contributions five times."""
    summaries = ", ".join(f"array_agg(DISTINCT c.key_message_id) FILTER (WHERE c.{name})" for name in SUMMARIES)
    bumps = "\n".join(f"UPDATE key_messages SET {name} = {name} + 1 WHERE id = ANY({name}_ids);" for name in SUMMARIES)
    return f"""
        SELECT array_agg(DISTINCT c.key_message_id), array_agg(DISTINCT c.root_id), {summaries}
            INTO key_message_ids, root_ids, {", ".join(f"{name}_ids" for name in SUMMARIES)}
            FROM ({changed}) AS c;
        IF key_message_ids IS NULL THEN RETURN NULL; END IF;
        PERFORM 1 FROM key_messages WHERE id = ANY(key_message_ids) ORDER BY id FOR NO KEY UPDATE;
        {BUMP_THREAD.format(source="SELECT root_id, 1 FROM unnest(root_ids) AS root_id ORDER BY root_id")};
        {bumps}
    """


#: The PL/pgSQL variables postgresql_body fills.
POSTGRESQL_DECLARATIONS = "key_message_ids integer[]; root_ids integer[]; " + " ".join(
    f"{name}_ids integer[];" for name in SUMMARIES
)


OLD_ROWS, NEW_ROWS = "OLD TABLE AS old_rows", "NEW TABLE AS new_rows"
#: (trigger, table, event, transition tables, what changed): one function per trigger.
POSTGRESQL_TRIGGERS = (
    ("thread_versions_contribution_inserted", "contributions", "INSERT", NEW_ROWS, changed_rows("new_rows")),
    (
        "thread_versions_contribution_updated",
        "contributions",
        "UPDATE",
        f"{OLD_ROWS} {NEW_ROWS}",
        f"{changed_rows('new_rows')} UNION ALL {changed_rows('old_rows')}"
        f" UNION ALL {superseded_by('SELECT id FROM new_rows')}",
    ),
    ("thread_versions_contribution_deleted", "contributions", "DELETE", OLD_ROWS, changed_rows("old_rows")),
    *(
        (
            f"thread_versions_{table}_{event.lower()}",
            table,
            event,
            OLD_ROWS if event == "DELETE" else NEW_ROWS,
            contributions_of(f"SELECT contribution_id FROM {'old' if event == 'DELETE' else 'new'}_rows"),
        )
        for table, events in (
            ("endorsements", ("INSERT", "DELETE")),
            ("contribution_topics", ("INSERT", "DELETE")),
            ("attachments", ("INSERT", "UPDATE", "DELETE")),
        )
        for event in events
    ),
)


def sqlite_body(changed: str) -> str:
    """The statements of a SQLite row trigger for the rows `changed` selects. `WHERE true`
    keeps SQLite's parser from reading the upsert's ON as a join's."""
    return f"""
        {BUMP_THREAD.format(source=f"SELECT root_id, 1 FROM ({changed}) WHERE true")};
        {bump_summaries(changed)};
    """


def sqlite_row(row: str) -> str:
    return changed_rows("", row)


SQLITE_TRIGGERS = (
    ("thread_versions_contribution_inserted", "contributions", "INSERT", sqlite_row("NEW")),
    (
        "thread_versions_contribution_updated",
        "contributions",
        "UPDATE",
        f"{sqlite_row('NEW')} UNION ALL {sqlite_row('OLD')} UNION ALL {superseded_by('NEW.id')}",
    ),
    ("thread_versions_contribution_deleted", "contributions", "DELETE", sqlite_row("OLD")),
    *(
        (
            f"thread_versions_{table}_{event.lower()}",
            table,
            event,
            contributions_of(f"{'OLD' if event == 'DELETE' else 'NEW'}.contribution_id"),
        )
        for table, events in (
            ("endorsements", ("INSERT", "DELETE")),
            ("contribution_topics", ("INSERT", "DELETE")),
            ("attachments", ("INSERT", "UPDATE", "DELETE")),
        )
        for event in events
    ),
)


def upgrade() -> None:
    op.create_table(
        "thread_versions",
        sa.Column("root_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("root_id", name=op.f("pk_thread_versions")),
    )
    with op.batch_alter_table("key_messages") as batch:
        for name in SUMMARIES:
            batch.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    if _postgresql():
        for name, table, event, transitions, changed in POSTGRESQL_TRIGGERS:
            op.execute(
                sa.text(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                    f" DECLARE {POSTGRESQL_DECLARATIONS}"
                    f" BEGIN {postgresql_body(changed)} RETURN NULL; END $$"
                )
            )
            op.execute(
                sa.text(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                    f" REFERENCING {transitions}"
                    f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
            )
    else:
        for name, table, event, changed in SQLITE_TRIGGERS:
            op.execute(sa.text(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {sqlite_body(changed)} END"))


def downgrade() -> None:
    names = [(name, table) for name, table, *_ in POSTGRESQL_TRIGGERS]
    for name, table in names:
        op.execute(sa.text(f"DROP TRIGGER {name} ON {table}" if _postgresql() else f"DROP TRIGGER {name}"))
        if _postgresql():
            op.execute(sa.text(f"DROP FUNCTION {name}()"))
    with op.batch_alter_table("key_messages") as batch:
        for name in SUMMARIES:
            batch.drop_column(name)
    op.drop_table("thread_versions")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"
