"""the queue's reasons in an index of their own, for its filter by reason

Issue 11. Filtering the waiting items by the reason readers gave read them oldest first and
kept those with such a report: a rare reason (illegal content, 3%) walked hundreds of items
for a page. `moderation_queue_reasons` holds each waiting item's reasons once, with the
item's opened_at, in an index by (reason, opened_at): a page reads a page. Rows go when the
item is decided. The waiting items' reasons are filled in from their reports.

Revision ID: a9c4e2f7b1d6
Revises: f3b7d1a5c829
Create Date: 2026-12-07 12:32:27.676191

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a9c4e2f7b1d6"
down_revision: str | Sequence[str] | None = "f3b7d1a5c829"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderation_queue_reasons",
        sa.Column("queue_item_id", sa.Integer(), nullable=False),
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
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_item_id"],
            ["moderation_queue.id"],
            name=op.f("fk_moderation_queue_reasons_queue_item_id_moderation_queue"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("queue_item_id", "reason", name=op.f("pk_moderation_queue_reasons")),
    )
    with op.batch_alter_table("moderation_queue_reasons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_queue_reasons_reason_opened_at", ["reason", "opened_at", "queue_item_id"], unique=False
        )
    op.execute(
        "INSERT INTO moderation_queue_reasons (queue_item_id, reason, opened_at) "
        "SELECT DISTINCT reports.queue_item_id, reports.reason, moderation_queue.opened_at FROM reports "
        "JOIN moderation_queue ON moderation_queue.id = reports.queue_item_id "
        "WHERE moderation_queue.decided_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("moderation_queue_reasons", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_queue_reasons_reason_opened_at")

    op.drop_table("moderation_queue_reasons")
