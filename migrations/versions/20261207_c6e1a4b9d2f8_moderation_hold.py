"""a waiting queue item remembers the hold that hid its contribution while moderators check

Issue 11 ("hold"). `moderation_queue.hold_id` is the moderation log's HOLD decision that hid
the item's contribution and left the item waiting for the final decision (hide for good,
with a statement of reasons, or restore). A plain integer, without a foreign key, like
`contributions.duplicate_of_id`: SQLite could add the key only by rebuilding the table, and
the log's entries are never deleted while their queue item exists.

Revision ID: c6e1a4b9d2f8
Revises: f3a9c2e7b5d1
Create Date: 2026-12-07 15:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c6e1a4b9d2f8"
down_revision: str | Sequence[str] | None = "f3a9c2e7b5d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("moderation_queue", sa.Column("hold_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("moderation_queue", "hold_id")
