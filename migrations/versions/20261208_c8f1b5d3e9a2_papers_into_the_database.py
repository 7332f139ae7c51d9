"""papers into the database: each position paper's file, where this machine has it, moved in

Issue 14. For every paper whose bytes are not in attachment_chunks yet, its file
`<ROUNDTABLE_VAR_DIR>/attachments/<storage_name>` is read in chunks, checked against the
SHA-256 recorded at upload and stored. A file that is missing (another machine had it) or
has other bytes is named in the log; `roundtable papers import DIR` takes such files later.
The files stay on disk: deleting them cannot be undone with the transaction. The operator
removes the folder once every paper is in (README, "Position papers").

The downgrade writes every stored paper back to that folder (giving the papers uploaded
since a file name) and empties attachment_chunks.

Plain SQL only: a migration never imports the app's models, which change after it. Files
are read and written only online: `alembic upgrade --sql` moves nothing (say so and import).

Revision ID: c8f1b5d3e9a2
Revises: a4d9e2c7f1b6
Create Date: 2026-12-08 09:10:00.000000

"""

import hashlib
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import context, op

from app.settings import load_settings

# revision identifiers, used by Alembic.
revision: str = "c8f1b5d3e9a2"
down_revision: str | Sequence[str] | None = "a4d9e2c7f1b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")

#: As app.chunks had it when this was written.
CHUNK_BYTES = 1024 * 1024
#: The only file names the site ever gave papers: no other name can lead outside the folder.
STORAGE_NAME = re.compile(r"[0-9a-f]{32}")

attachments = sa.table(
    "attachments", sa.column("id", sa.Integer), sa.column("storage_name", sa.String), sa.column("sha256", sa.String)
)
chunks = sa.table(
    "attachment_chunks",
    sa.column("attachment_id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("data", sa.LargeBinary),
)
stored = sa.select(chunks.c.attachment_id)


def upgrade() -> None:
    if context.is_offline_mode():
        logger.warning("position papers: none moved (offline); run `roundtable papers import DIR` afterwards")
        return
    bind = op.get_bind()
    papers = bind.execute(
        sa.select(attachments.c.id, attachments.c.storage_name, attachments.c.sha256)
        .where(attachments.c.storage_name.is_not(None), attachments.c.id.not_in(stored))
        .order_by(attachments.c.id)
    ).all()
    if not papers:
        return
    folder = load_settings().attachments_dir
    moved, missing, changed = 0, [], []
    for attachment_id, name, sha256 in papers:
        path = folder / name if STORAGE_NAME.fullmatch(name) else None
        if path is None or not path.is_file():
            missing.append(f"{attachment_id} ({name})")
        elif _sha256(path) != sha256:
            changed.append(f"{attachment_id} ({name})")
        else:
            _store(bind, attachment_id, path)
            moved += 1
    logger.info(
        "position papers: %d moved into the database from %s, %d missing", moved, folder, len(missing) + len(changed)
    )
    if missing or changed:
        logger.warning(
            "position papers whose file is not here: %s; whose file has other bytes: %s. "
            "Take them from the machine that has them with `roundtable papers import DIR`",
            ", ".join(missing) or "none",
            ", ".join(changed) or "none",
        )


def downgrade() -> None:
    if context.is_offline_mode():
        raise RuntimeError("position papers are written back to disk only online: run the downgrade without --sql")
    bind = op.get_bind()
    papers = bind.execute(sa.select(attachments.c.id, attachments.c.storage_name).order_by(attachments.c.id)).all()
    if not papers:
        return
    folder = load_settings().attachments_dir
    folder.mkdir(parents=True, exist_ok=True)
    written, missing = 0, []
    for attachment_id, name in papers:
        if name is None or not STORAGE_NAME.fullmatch(name):
            name = secrets.token_hex(16)
            bind.execute(attachments.update().where(attachments.c.id == attachment_id).values(storage_name=name))
        if _write_back(bind, attachment_id, folder / name):
            written += 1
        else:
            missing.append(str(attachment_id))
    bind.execute(chunks.delete())
    logger.info("position papers: %d written back to %s", written, folder)
    if missing:
        logger.warning(
            "position papers with no bytes in the database, so none written (an old file stays as it was): %s",
            ", ".join(missing),
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _store(bind: sa.Connection, attachment_id: int, path: Path) -> None:
    with path.open("rb") as file:
        seq = 0
        while block := file.read(CHUNK_BYTES):
            bind.execute(chunks.insert().values(attachment_id=attachment_id, seq=seq, data=block))
            seq += 1


def _write_back(bind: sa.Connection, attachment_id: int, path: Path) -> bool:
    """The paper's bytes into `path`, whole or not at all (a temporary file renamed); False
    if it has none."""
    blocks = bind.execute(
        sa.select(chunks.c.data).where(chunks.c.attachment_id == attachment_id).order_by(chunks.c.seq)
    ).scalars()
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        size = 0
        with os.fdopen(descriptor, "wb") as file:
            for block in blocks:
                size += file.write(block)
            file.flush()
            os.fsync(file.fileno())
        if size:
            os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return size > 0
