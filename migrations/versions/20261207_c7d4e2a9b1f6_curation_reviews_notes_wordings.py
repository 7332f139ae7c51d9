"""curation: review states of contributions, negotiators' notes, revised wordings

Issue 12 (curation). `contribution_reviews` holds each contribution's current review state
(none: new), `contribution_review_changes` every change (who, when, from, to, reason), so
negotiators can trace a decision a colleague later replaced. `curation_notes` are internal
notes, on a contribution or on the key message (`contribution_id` NULL). `revised_wordings`
are versions of a key message's revised wording, the highest current; `revised_wording_sources`
names the contributions each reflects. New tables only: `contributions` is not altered.

Revision ID: c7d4e2a9b1f6
Revises: b7e2d4f6a8c1
Create Date: 2026-12-07 14:50:21.220828

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c7d4e2a9b1f6"
down_revision: str | Sequence[str] | None = "b7e2d4f6a8c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revised_wordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name=op.f("fk_revised_wordings_key_message_id_key_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"], ["users.id"], name=op.f("fk_revised_wordings_written_by_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revised_wordings")),
        sa.UniqueConstraint("key_message_id", "version", name="uq_revised_wordings_key_message_id_version"),
    )
    with op.batch_alter_table("revised_wordings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revised_wordings_written_by_id"), ["written_by_id"], unique=False)

    op.create_table(
        "contribution_review_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(
                "new",
                "reviewed",
                "reflected",
                "partly_reflected",
                "not_reflected",
                name="review_state",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "new",
                "reviewed",
                "reflected",
                "partly_reflected",
                "not_reflected",
                name="review_state",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_contribution_review_changes_changed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_contribution_review_changes_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution_review_changes")),
    )
    with op.batch_alter_table("contribution_review_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contribution_review_changes_changed_by_id"), ["changed_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_contribution_review_changes_contribution_id_id", ["contribution_id", "id"], unique=False
        )

    op.create_table(
        "contribution_reviews",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "new",
                "reviewed",
                "reflected",
                "partly_reflected",
                "not_reflected",
                name="review_state",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_contribution_reviews_changed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_contribution_reviews_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_contribution_reviews")),
    )
    with op.batch_alter_table("contribution_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contribution_reviews_changed_by_id"), ["changed_by_id"], unique=False)

    op.create_table(
        "curation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_curation_notes_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name=op.f("fk_curation_notes_key_message_id_key_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"], ["users.id"], name=op.f("fk_curation_notes_written_by_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curation_notes")),
    )
    with op.batch_alter_table("curation_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_curation_notes_contribution_id"), ["contribution_id"], unique=False)
        batch_op.create_index(
            "ix_curation_notes_key_message_id_contribution_id", ["key_message_id", "contribution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_curation_notes_written_by_id"), ["written_by_id"], unique=False)

    op.create_table(
        "revised_wording_sources",
        sa.Column("wording_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_revised_wording_sources_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wording_id"],
            ["revised_wordings.id"],
            name=op.f("fk_revised_wording_sources_wording_id_revised_wordings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("wording_id", "contribution_id", name=op.f("pk_revised_wording_sources")),
    )
    with op.batch_alter_table("revised_wording_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_revised_wording_sources_contribution_id"), ["contribution_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("revised_wording_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revised_wording_sources_contribution_id"))

    op.drop_table("revised_wording_sources")
    with op.batch_alter_table("curation_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_curation_notes_written_by_id"))
        batch_op.drop_index("ix_curation_notes_key_message_id_contribution_id")
        batch_op.drop_index(batch_op.f("ix_curation_notes_contribution_id"))

    op.drop_table("curation_notes")
    with op.batch_alter_table("contribution_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_reviews_changed_by_id"))

    op.drop_table("contribution_reviews")
    with op.batch_alter_table("contribution_review_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_contribution_review_changes_contribution_id_id")
        batch_op.drop_index(batch_op.f("ix_contribution_review_changes_changed_by_id"))

    op.drop_table("contribution_review_changes")
    with op.batch_alter_table("revised_wordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revised_wordings_written_by_id"))

    op.drop_table("revised_wordings")
