"""one current position per speaker: contributions.superseded_by_id

A speaker (an organisation, whichever member posts, or a person speaking for themselves) has
at most one current position on a key message; posting another supersedes the earlier one,
which keeps its text and points at the speaker's current position. This revision adds that
pointer, without an ON DELETE action: superseded positions never come back, so the current
one cannot be deleted alone (a key message's contributions are deleted together). The partial unique indexes that let the database refuse a second current position
come with the next revision (c4d2a7e9f103), once it has marked the duplicates that exist.

On SQLite the column gets its foreign key inline (ALTER TABLE ADD COLUMN), never by
rebuilding the table: a rebuild drops the old table while foreign keys are enforced, which
deletes the endorsements, revisions, topics and papers that reference it. An inline key
also lets the downgrade use ALTER TABLE DROP COLUMN.

Revision ID: c4d2a7e9f102
Revises: b8e1f0a2c301
Create Date: 2026-12-06 19:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c4d2a7e9f102"
down_revision: str | Sequence[str] | None = "b8e1f0a2c301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_contributions_superseded_by_id_contributions"
INDEX = "ix_contributions_superseded_by_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE contributions ADD COLUMN superseded_by_id INTEGER "
            f"CONSTRAINT {FOREIGN_KEY} REFERENCES contributions (id)"
        )
    else:
        op.add_column("contributions", sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "contributions", "contributions", ["superseded_by_id"], ["id"])
    # Deleting a contribution looks up the rows it superseded; without an index, a key
    # message's cascade would scan the table once per contribution.
    op.create_index(INDEX, "contributions", ["superseded_by_id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="contributions")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE contributions DROP COLUMN superseded_by_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "contributions", type_="foreignkey")
        op.drop_column("contributions", "superseded_by_id")
