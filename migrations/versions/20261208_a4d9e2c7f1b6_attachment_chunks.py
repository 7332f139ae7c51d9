"""attachment chunks: position papers' bytes in the database; storage_name only for old files

Issue 14: with several app machines a paper uploaded to one was on that machine's disk only.
Its bytes now live in attachment_chunks (as export files' do in export_file_chunks), written
in the transaction that publishes it. attachments.storage_name names the file a paper was
kept in before; papers uploaded from now on have none. The next revision moves the files in.

SQLite rebuilds `attachments` to change the column (batch mode), and dropping the old table
drops its triggers (thread versions): they are read before and created again after.

Revision ID: a4d9e2c7f1b6
Revises: b2c6e8a4d0f1
Create Date: 2026-12-08 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a4d9e2c7f1b6"
down_revision: str | Sequence[str] | None = "b2c6e8a4d0f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _storage_name_nullable(True)
    op.create_table(
        "attachment_chunks",
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_attachment_chunks_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attachment_id", "seq", name=op.f("pk_attachment_chunks")),
    )


def downgrade() -> None:
    op.drop_table("attachment_chunks")
    _storage_name_nullable(False)


def _storage_name_nullable(nullable: bool) -> None:
    triggers = _sqlite_triggers_on_attachments()
    with op.batch_alter_table("attachments") as batch:
        batch.alter_column("storage_name", existing_type=sa.String(length=64), nullable=nullable)
    for create_trigger in triggers:
        op.execute(create_trigger)


def _sqlite_triggers_on_attachments() -> list[str]:
    """The statements that made them, as SQLite keeps them; none on PostgreSQL, whose ALTER
    changes the column in place."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'attachments' ORDER BY name"
    return [row[0] for row in bind.exec_driver_sql(query)]
