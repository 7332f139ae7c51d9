"""index contributions by author and time, for posting limits per person

The posting limits (app.discussion.posting_limits) count a person's contributions of the
last minute and look for the same text in the last minutes on every post. An index on
(author_id, created_at) answers both from the newest end; it starts with author_id, so it
replaces the index on author_id alone (the foreign key's lookups use it too).

Revision ID: f7a5d0b2c406
Revises: e6f4c9a1b305
Create Date: 2026-12-06 19:45:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f7a5d0b2c406"
down_revision: str | Sequence[str] | None = "e6f4c9a1b305"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contributions_author_id_created_at", "contributions", ["author_id", "created_at"])
    op.drop_index("ix_contributions_author_id", table_name="contributions")


def downgrade() -> None:
    op.create_index("ix_contributions_author_id", "contributions", ["author_id"])
    op.drop_index("ix_contributions_author_id_created_at", table_name="contributions")
