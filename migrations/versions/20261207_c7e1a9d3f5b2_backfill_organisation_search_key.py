"""Fill organisations.search_key for the organisations registered before it existed

Issue 13 (reach). The key is computed as app.organisations.directory.organisation_search_key
computes it (a frozen copy: migrations never import the app).

Revision ID: c7e1a9d3f5b2
Revises: b4d2f6a8c1e3
Create Date: 2026-12-07 18:50:00.000000

"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c7e1a9d3f5b2"
down_revision: str | Sequence[str] | None = "b4d2f6a8c1e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

organisations = sa.table(
    "organisations", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("search_key", sa.String)
)


def search_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(organisations.c.id, organisations.c.name)).all()
    for id_, name in rows:
        connection.execute(organisations.update().where(organisations.c.id == id_).values(search_key=search_key(name)))


def downgrade() -> None:
    pass  # the previous revision's downgrade drops the column
