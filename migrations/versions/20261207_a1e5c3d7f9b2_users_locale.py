"""users.locale: the language a person reads, so their mail is written in it

Issue 13 (reach). Empty for accounts made before: their mail stays in English until they
choose a language while signed in.

Revision ID: a1e5c3d7f9b2
Revises: d8e5f3b0c2a7
Create Date: 2026-12-07 18:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a1e5c3d7f9b2"
down_revision: str | Sequence[str] | None = "d8e5f3b0c2a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy the users table every other table
    # refers to.
    op.add_column("users", sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "locale")
