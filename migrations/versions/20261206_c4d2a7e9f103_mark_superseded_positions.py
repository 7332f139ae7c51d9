"""backfill: mark earlier duplicate positions superseded, then allow one current per speaker

Before positions could be superseded, an organisation that posted "support" and then
"oppose" on a key message counted twice. On each key message the latest top-level
contribution of each speaker (an organisation, whichever member posted it; otherwise the
person speaking for themselves) stays current; every earlier one points at it through
superseded_by_id and so counts nowhere. The affected key messages get a new
discussion_version, so cached fragments are rendered again.

The partial unique indexes that keep one current position per speaker from now on are
created here rather than with the column (c4d2a7e9f102): they can exist only once the
duplicates are marked. The downgrade drops them and clears every mark.

Plain SQL only: a backfill never imports the app's models, which change after it.

Revision ID: c4d2a7e9f103
Revises: c4d2a7e9f102
Create Date: 2026-12-06 19:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c4d2a7e9f103"
down_revision: str | Sequence[str] | None = "c4d2a7e9f102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Kept in step with app.discussion.models (CURRENT_*_POSITION) by `alembic check`.
CURRENT_ORGANISATION_POSITION = "parent_id IS NULL AND superseded_by_id IS NULL AND organisation_id IS NOT NULL"
CURRENT_PERSONAL_POSITION = "parent_id IS NULL AND superseded_by_id IS NULL AND organisation_id IS NULL"

#: `later` is a position of the same speaker on the same key message as `contributions`.
_SAME_SPEAKER = """
    later.parent_id IS NULL
    AND later.key_message_id = contributions.key_message_id
    AND (
        (contributions.organisation_id IS NOT NULL AND later.organisation_id = contributions.organisation_id)
        OR (contributions.organisation_id IS NULL AND later.organisation_id IS NULL
            AND later.author_id = contributions.author_id)
    )
"""

#: The speaker's latest position: newest first, the larger id breaking a tie.
_MARK_SUPERSEDED = f"""
UPDATE contributions SET superseded_by_id = (
    SELECT later.id FROM contributions AS later
    WHERE {_SAME_SPEAKER}
    ORDER BY later.created_at DESC, later.id DESC
    LIMIT 1
)
WHERE contributions.parent_id IS NULL
AND EXISTS (
    SELECT 1 FROM contributions AS later
    WHERE {_SAME_SPEAKER}
    AND (later.created_at > contributions.created_at
         OR (later.created_at = contributions.created_at AND later.id > contributions.id))
)
"""  # noqa: S608 - built from constants, no input

_BUMP_VERSIONS = """
UPDATE key_messages SET discussion_version = discussion_version + 1
WHERE id IN (SELECT key_message_id FROM contributions WHERE superseded_by_id IS NOT NULL)
"""


def upgrade() -> None:
    op.execute(sa.text(_MARK_SUPERSEDED))
    op.execute(sa.text(_BUMP_VERSIONS))
    op.create_index(
        "uq_contributions_current_position_organisation",
        "contributions",
        ["key_message_id", "organisation_id"],
        unique=True,
        sqlite_where=sa.text(CURRENT_ORGANISATION_POSITION),
        postgresql_where=sa.text(CURRENT_ORGANISATION_POSITION),
    )
    op.create_index(
        "uq_contributions_current_position_personal",
        "contributions",
        ["key_message_id", "author_id"],
        unique=True,
        sqlite_where=sa.text(CURRENT_PERSONAL_POSITION),
        postgresql_where=sa.text(CURRENT_PERSONAL_POSITION),
    )


def downgrade() -> None:
    op.drop_index("uq_contributions_current_position_personal", table_name="contributions")
    op.drop_index("uq_contributions_current_position_organisation", table_name="contributions")
    op.execute(sa.text(_BUMP_VERSIONS))
    op.execute(sa.text("UPDATE contributions SET superseded_by_id = NULL WHERE superseded_by_id IS NOT NULL"))
