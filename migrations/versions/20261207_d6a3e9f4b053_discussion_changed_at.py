"""record when each key message's discussion last changed, for its pages' Last-Modified

Readers who are not signed in get `Last-Modified` and answers of 304 to `If-Modified-Since`
(issue 10). `discussion_version` says that a discussion changed, not when. The column is
set by every update of the row (the version's bump included); existing rows keep NULL,
which the pages read as "not since before the running code started" (app.web.conditional).

Revision ID: d6a3e9f4b053
Revises: a8c7e2d4f608
Create Date: 2026-12-07 00:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d6a3e9f4b053"
down_revision: str | Sequence[str] | None = "a8c7e2d4f608"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("key_messages") as batch:
        batch.add_column(sa.Column("discussion_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("key_messages") as batch:
        batch.drop_column("discussion_changed_at")
