"""cache rendered discussion fragments, valid per key message discussion version

The first page of a key message's discussion is rendered once per version and shared by
every worker through the database (app/fragments.py); the table is derived data.

Revision ID: 330868137bb9
Revises: 6393b0267492
Create Date: 2026-11-27 12:56:42.487227

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "330868137bb9"
down_revision: str | Sequence[str] | None = "6393b0267492"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rendered_fragments",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rendered_fragments")),
    )
    with op.batch_alter_table("key_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("discussion_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("key_messages", schema=None) as batch_op:
        batch_op.drop_column("discussion_version")

    op.drop_table("rendered_fragments")
