"""highlights and thread summaries: moderators curate, not only police

Issue 11. Moderators pin contributions as highlights of their key message, with a reason
readers see (`highlights`, one per contribution), and write the moderation team's summary
of a long thread (`thread_summaries`, one per top-level contribution, with every version
kept in `thread_summary_versions`; the current version's number is what an edit must name,
so two moderators editing at once never overwrite each other silently).

Revision ID: f3c7a9d2b5e8
Revises: f9c4e2a6b731
Create Date: 2026-12-07 12:06:05.210370

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f3c7a9d2b5e8"
down_revision: str | Sequence[str] | None = "f9c4e2a6b731"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "highlights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("pinned_by_id", sa.Integer(), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_highlights_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name=op.f("fk_highlights_key_message_id_key_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pinned_by_id"], ["users.id"], name=op.f("fk_highlights_pinned_by_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_highlights")),
        sa.UniqueConstraint("contribution_id", name=op.f("uq_highlights_contribution_id")),
    )
    with op.batch_alter_table("highlights", schema=None) as batch_op:
        batch_op.create_index("ix_highlights_key_message_id_pinned_at", ["key_message_id", "pinned_at"], unique=False)

    op.create_table(
        "thread_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root_id", sa.Integer(), nullable=False),
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name=op.f("fk_thread_summaries_key_message_id_key_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["root_id"],
            ["contributions.id"],
            name=op.f("fk_thread_summaries_root_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_summaries")),
        sa.UniqueConstraint("root_id", name=op.f("uq_thread_summaries_root_id")),
    )
    with op.batch_alter_table("thread_summaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_summaries_key_message_id"), ["key_message_id"], unique=False)

    op.create_table(
        "thread_summary_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("summary_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["summary_id"],
            ["thread_summaries.id"],
            name=op.f("fk_thread_summary_versions_summary_id_thread_summaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["users.id"],
            name=op.f("fk_thread_summary_versions_written_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_summary_versions")),
        sa.UniqueConstraint("summary_id", "version", name="uq_thread_summary_versions_summary_id_version"),
    )
    with op.batch_alter_table("thread_summary_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thread_summary_versions_written_by_id"), ["written_by_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("thread_summary_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_summary_versions_written_by_id"))

    op.drop_table("thread_summary_versions")
    with op.batch_alter_table("thread_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_summaries_key_message_id"))

    op.drop_table("thread_summaries")
    with op.batch_alter_table("highlights", schema=None) as batch_op:
        batch_op.drop_index("ix_highlights_key_message_id_pinned_at")

    op.drop_table("highlights")
