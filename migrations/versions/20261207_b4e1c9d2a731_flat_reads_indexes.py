"""index contributions for feeds, organisation pages, amendments and quotes (flat reads)

Four reads of issue 10's hot paths read every contribution of what they were about to
keep a page of it (tests/unit/discussion/test_query_plans.py):

- a feed: a key message's newest contributions were all read and sorted to keep fifty;
  (key_message_id, created_at, id) gives them in order;
- an organisation's profile page: every contribution of the organisation, sorted to keep
  twenty; (organisation_id, created_at, id) replaces the index on organisation_id alone,
  which it also serves (the foreign key's ON DELETE SET NULL);
- a key message's amendments, most endorsed first then oldest first, read all its
  positions and sorted them to show six; a partial index holds only the current
  amendments, in that order (endorsement_count DESC, id);
- the passages quoted on a key message, and a passage's page, read all the key message's
  contributions to find the few that quote it; a partial index holds only those.

Revision ID: b4e1c9d2a731
Revises: d6a3e9f4b053
Create Date: 2026-12-07 09:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b4e1c9d2a731"
down_revision: str | Sequence[str] | None = "d6a3e9f4b053"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUOTING = "quote_start IS NOT NULL"
AMENDING = "amendment_text IS NOT NULL AND superseded_by_id IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_contributions_key_message_id_created_at_id", "contributions", ["key_message_id", "created_at", "id"]
    )
    op.create_index(
        "ix_contributions_organisation_id_created_at_id", "contributions", ["organisation_id", "created_at", "id"]
    )
    op.drop_index("ix_contributions_organisation_id", table_name="contributions")
    op.create_index(
        "ix_contributions_amendments_by_support",
        "contributions",
        ["key_message_id", sa.literal_column("endorsement_count").desc(), "id"],
        sqlite_where=sa.text(AMENDING),
        postgresql_where=sa.text(AMENDING),
    )
    op.create_index(
        "ix_contributions_key_message_id_created_at_id_quoting",
        "contributions",
        ["key_message_id", "created_at", "id"],
        sqlite_where=sa.text(QUOTING),
        postgresql_where=sa.text(QUOTING),
    )


def downgrade() -> None:
    op.drop_index("ix_contributions_key_message_id_created_at_id_quoting", table_name="contributions")
    op.drop_index("ix_contributions_amendments_by_support", table_name="contributions")
    op.create_index("ix_contributions_organisation_id", "contributions", ["organisation_id"])
    op.drop_index("ix_contributions_organisation_id_created_at_id", table_name="contributions")
    op.drop_index("ix_contributions_key_message_id_created_at_id", table_name="contributions")
