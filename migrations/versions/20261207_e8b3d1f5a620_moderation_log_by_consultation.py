"""moderation log by consultation: moderation_log.consultation_id and its (consultation_id, id) index

Issue 11. Each consultation has a public moderation log, read newest first in keyset pages,
and a monthly transparency report. Both read one consultation's decisions; with the
consultation on the row, a page is one range of the index (consultation_id, id) rather than
a join through contributions and key messages over every decision of the site. The next
revision (f9c4e2a6b731) fills the column for the decisions logged before it; from then on
the application writes it with every decision.

The column stays nullable: on SQLite, making it NOT NULL would rebuild moderation_log, and
dropping the old table while foreign keys are enforced deletes the appeals that reference
it (ON DELETE CASCADE). On SQLite the foreign key is written inline (ALTER TABLE ADD
COLUMN), for the same reason, as in c4d2a7e9f102; like that one it has no ON DELETE action
(SQLite's reflection cannot read one written inline, so `alembic check` could not compare
it): a consultation's decisions go with its contributions (contribution_id cascades), in
the same statement that deletes it.

Revision ID: e8b3d1f5a620
Revises: b5e8d3c1a7f4
Create Date: 2026-12-07 12:20:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e8b3d1f5a620"
down_revision: str | Sequence[str] | None = "b5e8d3c1a7f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_moderation_log_consultation_id_consultations"
INDEX = "ix_moderation_log_consultation_id_id"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE moderation_log ADD COLUMN consultation_id INTEGER "
            f"CONSTRAINT {FOREIGN_KEY} REFERENCES consultations (id)"
        )
    else:
        op.add_column("moderation_log", sa.Column("consultation_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "moderation_log", "consultations", ["consultation_id"], ["id"])
    op.create_index(INDEX, "moderation_log", ["consultation_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="moderation_log")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE moderation_log DROP COLUMN consultation_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "moderation_log", type_="foreignkey")
        op.drop_column("moderation_log", "consultation_id")
