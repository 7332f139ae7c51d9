"""membership by approval: a moderator's note on claims, and lapsed verification

join_requests.decision_note keeps the note a moderator writes when approving a request to
join an organisation that has no admin (the person becomes its admin). Organisations get
verification_lapsed_at and verification_lapsed_fields: changing a fact a moderator checked
(name, type, country, website, ...) ends the verification, and the moderators' list of
organisations to verify says when and which facts changed. No data changes.

Revision ID: b8e1f0a2c301
Revises: 7bdb513ed605
Create Date: 2026-12-06 19:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b8e1f0a2c301"
down_revision: str | Sequence[str] | None = "7bdb513ed605"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification_lapsed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verification_lapsed_fields", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("verification_lapsed_fields")
        batch_op.drop_column("verification_lapsed_at")
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.drop_column("decision_note")
