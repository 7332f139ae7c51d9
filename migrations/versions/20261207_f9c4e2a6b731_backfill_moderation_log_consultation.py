"""backfill: the consultation of every decision logged before moderation_log.consultation_id

A decision's consultation is that of its contribution's key message (a contribution never
moves), or for a decision on a held contribution never published (pre-moderation, no
contribution), the held contribution's. The downgrade has nothing to undo: the previous
revision's downgrade drops the column.

Plain SQL only: a backfill never imports the app's models, which change after it.

Revision ID: f9c4e2a6b731
Revises: e8b3d1f5a620
Create Date: 2026-12-07 12:20:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f9c4e2a6b731"
down_revision: str | Sequence[str] | None = "e8b3d1f5a620"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILL = """
UPDATE moderation_log SET consultation_id = COALESCE(
    (
        SELECT key_messages.consultation_id
        FROM contributions JOIN key_messages ON key_messages.id = contributions.key_message_id
        WHERE contributions.id = moderation_log.contribution_id
    ),
    (
        SELECT held_contributions.consultation_id
        FROM held_contributions
        WHERE held_contributions.id = moderation_log.held_id
    )
)
WHERE consultation_id IS NULL
"""


def upgrade() -> None:
    op.execute(_FILL)


def downgrade() -> None:
    pass
