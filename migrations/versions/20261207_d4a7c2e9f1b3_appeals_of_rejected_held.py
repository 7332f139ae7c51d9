"""authors may appeal the rejection of a held contribution

Issue 11. An appeal names either a contribution (a decision that hid it) or a held
contribution (a decision not to publish it): `appeals.contribution_id` becomes nullable and
`appeals.held_id` is added. The appeal's queue item names neither (a held contribution's
own item already holds its unique `held_id`); the queue reads it through the appeal.

On SQLite the nullability changes by rebuilding `appeals`, which no other table references
and which carries no trigger.

Revision ID: d4a7c2e9f1b3
Revises: c6e1a4b9d2f8
Create Date: 2026-12-07 15:20:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d4a7c2e9f1b3"
down_revision: str | Sequence[str] | None = "c6e1a4b9d2f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_id", sa.Integer(), nullable=True))
        batch_op.alter_column("contribution_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_appeals_held_id"), ["held_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_appeals_held_id_held_contributions"),
            "held_contributions",
            ["held_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    op.execute("DELETE FROM appeals WHERE contribution_id IS NULL")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_appeals_held_id_held_contributions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_appeals_held_id"))
        batch_op.alter_column("contribution_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("held_id")
