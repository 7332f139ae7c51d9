"""organisations.search_key with a trigram index: searching organisations by part of a name,
whatever its accents, stays fast with many of them

Issue 13 (reach): sign-up searches organisations as one types instead of listing them all.
The key is the name case-folded without accents ("senegalais" finds "Sénégalais"); revision
c7e1a9d3f5b2 fills it for organisations registered before. On PostgreSQL a GIN index with
pg_trgm's operator class serves LIKE '%word%'; the extension is trusted (PostgreSQL 13+), so
the database's owner may create it. On SQLite the same index is a plain one.

Revision ID: b4d2f6a8c1e3
Revises: a1e5c3d7f9b2
Create Date: 2026-12-07 18:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b4d2f6a8c1e3"
down_revision: str | Sequence[str] | None = "a1e5c3d7f9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("search_key", sa.String(length=200), server_default="", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_organisations_search_key_trgm",
        "organisations",
        ["search_key"],
        postgresql_using="gin",
        postgresql_ops={"search_key": "gin_trgm_ops"},
    )


def downgrade() -> None:
    # The extension stays: other objects may use it, and it costs nothing idle.
    op.drop_index("ix_organisations_search_key_trgm", table_name="organisations")
    op.drop_column("organisations", "search_key")
