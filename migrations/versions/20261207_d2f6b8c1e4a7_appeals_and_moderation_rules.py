"""appeals and moderation rules: authors contest decisions, moderators cite the house rules

Issue 11. The author of a hidden contribution may appeal the decision once (an internal
complaint under the EU's Digital Services Act, article 20): the appeal waits in the
moderation queue as its own kind of item and is decided by another moderator. A
consultation's house rules come from its seed file (`moderation_rules`, JSON like the
positions); a decision may cite one (`moderation_log.rule`, its ref), which the author's
statement of reasons and the public marker name.

Revision ID: d2f6b8c1e4a7
Revises: b4d8f2a6c913
Create Date: 2026-12-07 07:08:04.303449

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d2f6b8c1e4a7"
down_revision: str | Sequence[str] | None = "b4d8f2a6c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("appellant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("queue_item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appellant_id"], ["users.id"], name=op.f("fk_appeals_appellant_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_appeals_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["moderation_log.id"],
            name=op.f("fk_appeals_decision_id_moderation_log"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_item_id"],
            ["moderation_queue.id"],
            name=op.f("fk_appeals_queue_item_id_moderation_queue"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_appeals_decision_id")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_appellant_id"), ["appellant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_contribution_id"), ["contribution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_queue_item_id"), ["queue_item_id"], unique=False)

    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moderation_rules", sa.JSON(), server_default="[]", nullable=False))

    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("moderation_log") as batch_op:
        batch_op.drop_column("rule")
    with op.batch_alter_table("consultations") as batch_op:
        batch_op.drop_column("moderation_rules")
    op.drop_table("appeals")
