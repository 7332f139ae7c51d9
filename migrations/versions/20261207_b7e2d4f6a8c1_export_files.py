"""export files: what background exports made, kept in the database with their manifests

Issue 12 (background exports). `export_files` holds one file per export job: whose it is,
its name, size, SHA-256, manifest and expiry (seven days); `export_file_chunks` its bytes in
pieces of a megabyte, so a file is written and served a piece at a time and no single value
nears a database's limit. In the database rather than on disk: any machine serves any file.

Revision ID: b7e2d4f6a8c1
Revises: d4a7c2e9f1b3
Create Date: 2026-12-07 15:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b7e2d4f6a8c1"
down_revision: str | Sequence[str] | None = "d4a7c2e9f1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_export_files_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_export_files_job_id_jobs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_export_files_requested_by_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_files")),
        sa.UniqueConstraint("job_id", name=op.f("uq_export_files_job_id")),
    )
    op.create_index(op.f("ix_export_files_expires_at"), "export_files", ["expires_at"], unique=False)
    op.create_index(op.f("ix_export_files_requested_by_id"), "export_files", ["requested_by_id"], unique=False)
    op.create_table(
        "export_file_chunks",
        sa.Column("export_file_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_file_id"],
            ["export_files.id"],
            name=op.f("fk_export_file_chunks_export_file_id_export_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("export_file_id", "seq", name=op.f("pk_export_file_chunks")),
    )


def downgrade() -> None:
    op.drop_table("export_file_chunks")
    op.drop_index(op.f("ix_export_files_requested_by_id"), table_name="export_files")
    op.drop_index(op.f("ix_export_files_expires_at"), table_name="export_files")
    op.drop_table("export_files")
