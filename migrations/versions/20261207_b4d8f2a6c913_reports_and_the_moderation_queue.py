"""reports and the moderation queue: readers report contributions, moderators decide

Issue 11. A signed-in reader reports a contribution once (uq_reports_contribution_id_reporter_id),
with a reason; a report of illegal content is a notice under the EU's Digital Services Act
(what is illegal, under which law, in good faith). Reports of one contribution join one
waiting item of the moderation queue (uq_moderation_queue_waiting: one waiting item per
contribution and kind, so readers reporting together cannot open two). The queue is read
oldest first, filtered by consultation or key message, on partial indexes of the waiting
items only. A decision closes the item and points at its moderation_log entry.

Revision ID: b4d8f2a6c913
Revises: e7a4c1f9d263
Create Date: 2026-12-07 07:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b4d8f2a6c913"
down_revision: str | Sequence[str] | None = "e7a4c1f9d263"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderation_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("reported", name="queue_kind", native_enum=False, length=20), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_moderation_queue_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_moderation_queue_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["moderation_log.id"],
            name=op.f("fk_moderation_queue_decision_id_moderation_log"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name=op.f("fk_moderation_queue_key_message_id_key_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_queue")),
    )
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_queue_contribution_id"), ["contribution_id"], unique=False)
        batch_op.create_index(
            "ix_moderation_queue_waiting",
            ["opened_at", "id"],
            unique=False,
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )
        batch_op.create_index(
            "ix_moderation_queue_waiting_consultation",
            ["consultation_id", "opened_at", "id"],
            unique=False,
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )
        batch_op.create_index(
            "ix_moderation_queue_waiting_key_message",
            ["key_message_id", "opened_at", "id"],
            unique=False,
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )
        batch_op.create_index(
            "uq_moderation_queue_waiting",
            ["kind", "contribution_id"],
            unique=True,
            sqlite_where=sa.text("decided_at IS NULL"),
            postgresql_where=sa.text("decided_at IS NULL"),
        )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "spam",
                "abusive",
                "off_topic",
                "personal_data",
                "misleading",
                "illegal",
                name="report_reason",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("illegal_what", sa.Text(), nullable=True),
        sa.Column("illegal_where", sa.Text(), nullable=True),
        sa.Column("good_faith", sa.Boolean(), nullable=False),
        sa.Column("queue_item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_reports_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_item_id"],
            ["moderation_queue.id"],
            name=op.f("fk_reports_queue_item_id_moderation_queue"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_reports_reporter_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("contribution_id", "reporter_id", name="uq_reports_contribution_id_reporter_id"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_queue_item_id"), ["queue_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_reporter_id"), ["reporter_id"], unique=False)


def downgrade() -> None:
    op.drop_table("reports")
    op.drop_table("moderation_queue")
