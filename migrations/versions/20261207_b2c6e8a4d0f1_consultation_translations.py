"""consultation, section and key message translations: unofficial, per locale, from the seed

Issue 13 (reach): readers see the title, roundtable titles and key messages in their
language, marked as unofficial, beside the authoritative original. New tables only: the
originals' tables are untouched.

Revision ID: b2c6e8a4d0f1
Revises: c7e1a9d3f5b2
Create Date: 2026-12-07 18:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b2c6e8a4d0f1"
down_revision: str | Sequence[str] | None = "c7e1a9d3f5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consultation_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name="fk_consultation_translations_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_translations"),
        sa.UniqueConstraint("consultation_id", "locale", name="uq_consultation_translations_consultation_id_locale"),
    )
    op.create_table(
        "section_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"], ["sections.id"], name="fk_section_translations_section_id_sections", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_section_translations"),
        sa.UniqueConstraint("section_id", "locale", name="uq_section_translations_section_id_locale"),
    )
    op.create_table(
        "key_message_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_message_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_message_id"],
            ["key_messages.id"],
            name="fk_key_message_translations_key_message_id_key_messages",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_key_message_translations"),
        sa.UniqueConstraint("key_message_id", "locale", name="uq_key_message_translations_key_message_id_locale"),
    )


def downgrade() -> None:
    op.drop_table("key_message_translations")
    op.drop_table("section_translations")
    op.drop_table("consultation_translations")
