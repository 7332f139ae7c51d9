"""pre-moderation: contributions held for a moderator's approval

Issue 11. A consultation says whose contributions wait for a moderator (`premoderation`:
none, a person's first, or those not speaking for a verified organisation). A held
contribution is a row of `held_contributions`, not of `contributions`, until approved, so
nothing that reads contributions can count or show it. The queue and the moderation log
name it by `held_id`; a rejected one never becomes a contribution, so both rows may have
no `contribution_id`. Downgrading deletes those rows (they cannot exist without it).

Revision ID: f3b7d1a5c829
Revises: d2f6b8c1e4a7
Create Date: 2026-12-07 12:05:14.365606

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f3b7d1a5c829"
down_revision: str | Sequence[str] | None = "d2f6b8c1e4a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("topic_slugs", sa.JSON(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome", sa.Enum("approved", "rejected", name="held_outcome", native_enum=False, length=20), nullable=True
        ),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_held_contributions_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_held_contributions_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_held_contributions_contribution_id_contributions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name=op.f("fk_held_contributions_key_message_id_key_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["contributions.id"],
            name=op.f("fk_held_contributions_parent_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_contributions")),
        sa.UniqueConstraint("author_id", "submission_key", name="uq_held_contributions_author_id_submission_key"),
    )
    with op.batch_alter_table("held_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_held_contributions_consultation_id"), ["consultation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_held_contributions_key_message_id"), ["key_message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_held_contributions_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            "ix_held_contributions_waiting_author",
            ["author_id", "key_message_id"],
            unique=False,
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )

    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "premoderation",
                sa.Enum("none", "first_contribution", "unverified", name="premoderation", native_enum=False, length=30),
                server_default="none",
                nullable=False,
            )
        )

    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_id", sa.Integer(), nullable=True))
        batch_op.alter_column("contribution_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_moderation_log_held_id"), ["held_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_log_held_id_held_contributions"),
            "held_contributions",
            ["held_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_id", sa.Integer(), nullable=True))
        batch_op.alter_column("contribution_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_moderation_queue_held_id"), ["held_id"], unique=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_queue_held_id_held_contributions"),
            "held_contributions",
            ["held_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    op.execute("DELETE FROM moderation_queue WHERE contribution_id IS NULL")
    op.execute("DELETE FROM moderation_log WHERE contribution_id IS NULL")
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_moderation_queue_held_id_held_contributions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_moderation_queue_held_id"))
        batch_op.alter_column("contribution_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("held_id")

    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_moderation_log_held_id_held_contributions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_moderation_log_held_id"))
        batch_op.alter_column("contribution_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("held_id")

    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("premoderation")

    with op.batch_alter_table("held_contributions", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_held_contributions_waiting_author",
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_held_contributions_parent_id"))
        batch_op.drop_index(batch_op.f("ix_held_contributions_key_message_id"))
        batch_op.drop_index(batch_op.f("ix_held_contributions_consultation_id"))

    op.drop_table("held_contributions")
