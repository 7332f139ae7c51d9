"""locked threads and duplicates: two more decisions of the moderation queue

Issue 11. A moderator locks a thread (it takes no new replies) or marks a contribution a
duplicate of another. `locked_at` is set on every contribution of a locked thread, so a
reply is refused and a page shows the lock from the row itself, with no join to the
thread's root; `duplicate_of_id` points readers to where the discussion is.

Revision ID: b5e8d3c1a7f4
Revises: a9c4e2f7b1d6
Create Date: 2026-12-07 12:41:22.615580

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b5e8d3c1a7f4"
down_revision: str | Sequence[str] | None = "a9c4e2f7b1d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, no batch: on SQLite a batch would rebuild the table and lose its
    # triggers (position counts, thread versions). No foreign key for the same reason (SQLite
    # adds none to an existing table without rebuilding it); a duplicate's target goes only
    # with its whole key message.
    op.add_column("contributions", sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("contributions", sa.Column("duplicate_of_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("contributions", "duplicate_of_id")
    op.drop_column("contributions", "locked_at")
