"""thread merges: a duplicate thread points to where its discussion continues

Issue 11. A moderator merges a duplicate thread into another of the same key message: the
merged thread stays readable, links to the other and takes no new replies
(`thread_merges`, one per merged thread).

Revision ID: a9e4c7f1d3b6
Revises: f3c7a9d2b5e8
Create Date: 2026-12-07 12:18:57.850299

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a9e4c7f1d3b6"
down_revision: str | Sequence[str] | None = "f3c7a9d2b5e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "thread_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root_id", sa.Integer(), nullable=False),
        sa.Column("into_id", sa.Integer(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["into_id"], ["contributions.id"], name=op.f("fk_thread_merges_into_id_contributions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"], ["users.id"], name=op.f("fk_thread_merges_merged_by_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["root_id"], ["contributions.id"], name=op.f("fk_thread_merges_root_id_contributions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_merges")),
        sa.UniqueConstraint("root_id", name=op.f("uq_thread_merges_root_id")),
    )
    with op.batch_alter_table("thread_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_merges_into_id"), ["into_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("thread_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_merges_into_id"))

    op.drop_table("thread_merges")
