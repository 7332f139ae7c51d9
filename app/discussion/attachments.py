"""Position papers attached to contributions: recognised as PDFs from their content (never
their name or declared type), stored outside the web root under random names, written only
once the contribution is valid and removed again if it is not saved."""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.accounts.models import User
from app.consultation.models import Consultation, KeyMessage
from app.discussion.contribution_write import PERSONAL, WriteResult
from app.discussion.errors import ContributionError
from app.discussion.models import Attachment, Contribution, ContributionStatus, PublicationConsent
from app.discussion.publication import PUBLIC, Audience, is_listed_for
from app.i18n import _, current_locale

PDF_MAGIC = b"%PDF-"
CONTENT_TYPE = "application/pdf"
STORAGE_NAME = re.compile(r"[0-9a-f]{32}")
FALLBACK_NAME = "position-paper.pdf"
MAX_NAME_CHARS = 255
#: Control, format (bidirectional overrides that disguise an extension), surrogate,
#: private-use and unassigned characters never reach a displayed file name.
_UNSHOWN = {"Cc", "Cf", "Cs", "Co", "Cn"}


@dataclass(frozen=True)
class Paper:
    """An uploaded file that passed every check, not yet written anywhere."""

    content: bytes
    original_name: str  #: sanitised for display
    pages: int


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    size_bytes: int
    sha256: str


# -- checking an upload -----------------------------------------------------------------


def display_name(raw: str) -> str:
    """The name people see and download it under: no folders, no control characters, any
    script kept, ending in .pdf (the content is one), at most 255 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch) not in _UNSHOWN)
    name = " ".join(name.split())
    stem, suffix = (name[:-4], name[-4:]) if name.lower().endswith(".pdf") else (name, ".pdf")
    stem = stem.lstrip(". ").rstrip() or FALLBACK_NAME[:-4]  # no hidden files when saved
    return stem[: MAX_NAME_CHARS - len(suffix)] + suffix


def _choose_again(message: str) -> ContributionError:
    return ContributionError(
        "attachment", message + " " + _("Your other answers are kept; choose the file again to attach it.")
    )


def checked_pdf(content: bytes) -> int:
    """The number of pages, if `content` is a PDF that opens without a password."""
    if not content.startswith(PDF_MAGIC):
        raise _choose_again(_("The file is not a PDF. Attach your position paper as a PDF."))
    # Imported on first use, before the `try` that takes any error for an unreadable file:
    # pypdf and the cryptography it loads are 12 MB in every worker, for a rare upload.
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(BytesIO(content), strict=False)
        if reader.is_encrypted and reader.decrypt("") is PasswordType.NOT_DECRYPTED:
            raise _choose_again(_("The PDF is protected by a password. Attach a copy without the password."))
        pages = len(reader.pages)
    except ContributionError:
        raise
    except Exception:  # whatever the parser trips on, the file cannot be read as a PDF
        pages = 0
    if pages == 0:
        raise _choose_again(_("The file could not be read as a PDF. Check that it opens on your computer."))
    return pages


@dataclass(frozen=True)
class Upload:
    """A file as received, read into memory so the form's temporary files can be closed."""

    filename: str
    content: bytes  #: at most the limit plus one byte: enough to tell it is too large


async def read_upload(value: UploadFile | str | None, max_bytes: int) -> Upload | None:
    """The file sent in a form field, or None when none was chosen (browsers send an empty part)."""
    if not isinstance(value, UploadFile):
        return None
    content = await value.read(max_bytes + 1)
    if not content and not value.filename:
        return None
    return Upload(value.filename or "", content)


async def checked_paper(upload: Upload | None, max_bytes: int) -> Paper | None:
    """The paper, if the upload is a PDF within the limit (nothing is written yet)."""
    if upload is None:
        return None
    if len(upload.content) > max_bytes:
        raise _choose_again(_("The file is larger than %(size)s. Attach a smaller PDF.", size=file_size(max_bytes)))
    pages = await run_in_threadpool(checked_pdf, upload.content)
    return Paper(upload.content, display_name(upload.filename), pages)


def check_speaks_for_organisation(author: User, organisation_id: int | Literal["personal"] | None) -> None:
    """Position papers are organisations' documents: only a contribution made on behalf of one
    may carry one (`organisation_id` as in Draft; membership is checked when publishing)."""
    if organisation_id == PERSONAL or (organisation_id is None and not author.memberships):
        raise _choose_again(
            _(
                "Only a contribution made on behalf of an organisation can carry a position paper. "
                "Choose your organisation under “Speaking for”, or leave the file out."
            )
        )


# -- storing it ----------------------------------------------------------------------------


def store(directory: Path, content: bytes) -> StoredFile:
    """Write the file under a new random name, atomically: readers never see half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    storage_name = secrets.token_hex(16)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, directory / storage_name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StoredFile(storage_name, len(content), hashlib.sha256(content).hexdigest())


def stored_path(directory: Path, storage_name: str) -> Path:
    """Where a stored file is; a name the app did not make never leads outside `directory`."""
    if not STORAGE_NAME.fullmatch(storage_name):
        raise ValueError(f"not a storage name: {storage_name!r}")
    return directory / storage_name


def discard(directory: Path, storage_name: str) -> None:
    stored_path(directory, storage_name).unlink(missing_ok=True)


async def commit_with_paper(
    db: AsyncSession, directory: Path, result: WriteResult, paper: Paper | None
) -> Attachment | None:
    """Commit a newly published contribution with its paper, which is returned. The file is
    written only now, after every check passed, and removed if the commit fails, so no stray
    file is left. A repeated submission (result.created False) attaches nothing twice."""
    stored = attachment = None
    if paper is not None and result.created:
        stored = await run_in_threadpool(store, directory, paper.content)
    try:
        if stored is not None and paper is not None:
            attachment = Attachment(
                contribution_id=result.contribution.id,
                storage_name=stored.storage_name,
                original_name=paper.original_name,
                content_type=CONTENT_TYPE,
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
            )
            db.add(attachment)
        await db.commit()
    except BaseException:
        if stored is not None:
            discard(directory, stored.storage_name)
        raise
    return attachment


# -- serving it ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentInContext:
    attachment: Attachment
    status: ContributionStatus
    publication: PublicationConsent
    consultation: Consultation


async def attachment_in_context(db: AsyncSession, attachment_id: int) -> AttachmentInContext | None:
    row = (
        await db.execute(
            select(Attachment, Contribution.status, Contribution.publication, Consultation)
            .join(Contribution, Contribution.id == Attachment.contribution_id)
            .join(KeyMessage, KeyMessage.id == Contribution.key_message_id)
            .join(Consultation, Consultation.id == KeyMessage.consultation_id)
            .where(Attachment.id == attachment_id)
        )
    ).first()
    return None if row is None else AttachmentInContext(*row)


def may_download(found: AttachmentInContext, audience: Audience, *, may_see_hidden: bool) -> bool:
    """A paper is read under its contribution's rules: not for publication, only by those who
    may read such contributions; hidden or withdrawn, only by moderators."""
    if not is_listed_for(found.publication, audience):
        return False
    return found.status is ContributionStatus.VISIBLE or may_see_hidden


def is_public(found: AttachmentInContext) -> bool:
    """Anyone may read it; any other answer must not be kept by shared caches."""
    return found.status is ContributionStatus.VISIBLE and is_listed_for(found.publication, PUBLIC)


def content_disposition(name: str) -> str:
    """A download under its original name (RFC 6266), with an ASCII name for old clients."""
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._() -]", "_", ascii_stem).strip(" ._")
    if not ascii_stem.strip("_"):
        ascii_stem = FALLBACK_NAME[:-4]
    return f"attachment; filename=\"{ascii_stem}.pdf\"; filename*=UTF-8''{quote(name, safe='')}"


def file_size(size: int) -> str:
    """A size as people read it: 12 KB, 1.4 MB."""
    locale = current_locale.get()
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(1, math.ceil(size / 1024)), locale=locale))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1), format="#,##0.#", locale=locale))
