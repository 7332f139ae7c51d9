"""consultations.publishes_outcome: whether a closed consultation shows what was taken up

Issue 12 (curation). Off by default: a consultation publishes its "what we heard" pages only
when its seed file or an administrator says so, and only once it is closed.

Revision ID: d8e5f3b0c2a7
Revises: c7d4e2a9b1f6
Create Date: 2026-12-07 14:55:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d8e5f3b0c2a7"
down_revision: str | Sequence[str] | None = "c7d4e2a9b1f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publishes_outcome", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("publishes_outcome")
