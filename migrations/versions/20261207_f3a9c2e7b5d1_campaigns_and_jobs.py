"""campaigns and background jobs: near-identical contributions grouped by a queued job

Issue 11 (campaigns). `jobs` is the database-backed queue that `roundtable jobs work` takes
work from (one unfinished job per unique key, claimed with FOR UPDATE SKIP LOCKED on
PostgreSQL); exports will use it too. `campaigns` are a consultation's groups of
near-identical contributions, derived data a job replaces; `contributions.campaign_id`
points at a contribution's campaign. No ON DELETE action (SQLite's reflection cannot see one
on a column added by ALTER TABLE, so `alembic check` would always differ): a recomputation
releases a campaign's members before deleting it, and a consultation's campaigns go with
its contributions.

On SQLite the column gets its foreign key inline (ALTER TABLE ADD COLUMN), never by
rebuilding the table, which would drop its triggers and, with foreign keys enforced,
delete the rows that reference it (see c4d2a7e9f102).

Revision ID: f3a9c2e7b5d1
Revises: a9e4c7f1d3b6
Create Date: 2026-12-07 12:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f3a9c2e7b5d1"
down_revision: str | Sequence[str] | None = "a9e4c7f1d3b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEY = "fk_contributions_campaign_id_campaigns"
INDEX = "ix_contributions_campaign_id_id"
UNFINISHED = "finished_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("unique_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_jobs_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_status_kind_id", "jobs", ["status", "kind", "id"], unique=False)
    op.create_index("ix_jobs_unique_key_id", "jobs", ["unique_key", "id"], unique=False)
    op.create_index(op.f("ix_jobs_requested_by_id"), "jobs", ["requested_by_id"], unique=False)
    op.create_index(
        "uq_jobs_unfinished_key",
        "jobs",
        ["unique_key"],
        unique=True,
        sqlite_where=sa.text(UNFINISHED),
        postgresql_where=sa.text(UNFINISHED),
    )

    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_campaigns_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_consultation_id"), "campaigns", ["consultation_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE contributions ADD COLUMN campaign_id INTEGER "
            f"CONSTRAINT {FOREIGN_KEY} REFERENCES campaigns (id)"
        )
    else:
        op.add_column("contributions", sa.Column("campaign_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "contributions", "campaigns", ["campaign_id"], ["id"])
    op.create_index(INDEX, "contributions", ["campaign_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="contributions")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE contributions DROP COLUMN campaign_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "contributions", type_="foreignkey")
        op.drop_column("contributions", "campaign_id")
    op.drop_index(op.f("ix_campaigns_consultation_id"), table_name="campaigns")
    op.drop_table("campaigns")
    op.drop_index("uq_jobs_unfinished_key", table_name="jobs")
    op.drop_index(op.f("ix_jobs_requested_by_id"), table_name="jobs")
    op.drop_index("ix_jobs_unique_key_id", table_name="jobs")
    op.drop_index("ix_jobs_status_kind_id", table_name="jobs")
    op.drop_table("jobs")
