"""index contributions by key message and id, for a key message's newest contribution

`max(id) WHERE key_message_id = ?` (live updates' marker, read by every rendered key
message page) had no index starting (key_message_id, id): PostgreSQL walked the primary key
backwards past every newer contribution of other key messages, so its cost grew with the
whole table (issue 10: 461 ms at a million contributions). With this index it reads one
entry.

Revision ID: a8c7e2d4f608
Revises: f7a5d0b2c406
Create Date: 2026-12-06 23:30:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a8c7e2d4f608"
down_revision: str | Sequence[str] | None = "f7a5d0b2c406"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_contributions_key_message_id_id", "contributions", ["key_message_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_contributions_key_message_id_id", table_name="contributions")
