"""Position papers attached to contributions: recognised as PDFs from their content (never
their name or declared type), stored in the database (app.chunks) in the transaction that
publishes the contribution, so a paper exists exactly when its contribution does and every
machine serves it."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from io import BytesIO
from typing import Literal
from urllib.parse import quote

from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from app.accounts.models import User
from app.chunks import digest_of, has_chunks, read_chunks, write_chunks
from app.consultation.models import Consultation, KeyMessage
from app.discussion.contribution_write import PERSONAL, WriteResult
from app.discussion.errors import ContributionError
from app.discussion.models import Attachment, AttachmentChunk, Contribution, ContributionStatus, PublicationConsent
from app.discussion.publication import PUBLIC, Audience, is_listed_for
from app.i18n import _, current_locale

PDF_MAGIC = b"%PDF-"
CONTENT_TYPE = "application/pdf"
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


async def add_paper(db: AsyncSession, contribution_id: int, paper: Paper) -> Attachment:
    """The paper's row and its bytes, in the session's transaction: the caller commits them
    with the contribution, or neither is kept."""
    stream = BytesIO(paper.content)
    digest = await run_in_threadpool(digest_of, stream)
    attachment = Attachment(
        contribution_id=contribution_id,
        original_name=paper.original_name,
        content_type=CONTENT_TYPE,
        size_bytes=digest.size,
        sha256=digest.sha256,
    )
    db.add(attachment)
    await db.flush()
    await write_chunks(db, AttachmentChunk.attachment_id, attachment.id, stream)
    return attachment


async def commit_with_paper(db: AsyncSession, result: WriteResult, paper: Paper | None) -> Attachment | None:
    """Commit a newly published contribution with its paper, which is returned: one
    transaction, so no paper outlives a contribution that was not saved. A repeated
    submission (result.created False) attaches nothing twice."""
    attachment = None
    if paper is not None and result.created:
        attachment = await add_paper(db, result.contribution.id, paper)
    await db.commit()
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


async def paper_is_stored(db: AsyncSession, attachment_id: int) -> bool:
    """False for a paper uploaded before papers moved into the database whose file was never
    moved in (`roundtable papers import` takes it)."""
    return await has_chunks(db, AttachmentChunk.attachment_id, attachment_id)


def paper_bytes(db: AsyncSession, attachment_id: int, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
    """Bytes `start` to `end` of the paper, the whole of it by default (a download, whole or resumed)."""
    return read_chunks(db, AttachmentChunk.attachment_id, attachment_id, start, end)


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
