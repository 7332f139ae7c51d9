"""Position papers: recognised from their content, named safely, stored in the database with
their contribution, and never left behind by a contribution that was not saved."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from sqlalchemy import func, select
from starlette.datastructures import Headers, UploadFile

from app import chunks
from app.discussion.attachments import (
    AttachmentInContext,
    Paper,
    check_speaks_for_organisation,
    checked_paper,
    checked_pdf,
    commit_with_paper,
    content_disposition,
    display_name,
    file_size,
    is_public,
    may_download,
    paper_bytes,
    paper_is_stored,
    read_upload,
)
from app.discussion.contribution_write import PERSONAL, WriteResult
from app.discussion.errors import ContributionError
from app.discussion.models import Attachment, AttachmentChunk, Contribution, ContributionStatus, PublicationConsent
from app.discussion.publication import NEGOTIATORS, PUBLIC
from tests.factories import make_position, make_user
from tests.pdf_samples import tiny_pdf


def upload(content: bytes, filename: str = "paper.pdf", content_type: str = "application/pdf") -> UploadFile:
    return UploadFile(BytesIO(content), filename=filename, headers=Headers({"content-type": content_type}))


async def paper_from_upload(value, max_bytes: int):
    return await checked_paper(await read_upload(value, max_bytes), max_bytes)


async def test_a_real_pdf_is_accepted_with_its_page_count():
    paper = await paper_from_upload(upload(tiny_pdf(pages=2), "Our position.pdf"), max_bytes=100_000)
    assert paper is not None and paper.pages == 2 and paper.original_name == "Our position.pdf"


async def test_the_content_decides_not_the_declared_type_or_name():
    paper = await paper_from_upload(upload(tiny_pdf(), "paper.txt", "text/plain"), max_bytes=100_000)
    assert paper is not None and paper.original_name == "paper.txt.pdf"
    with pytest.raises(ContributionError, match="not a PDF") as error:
        await paper_from_upload(upload(b"Just some notes.\n", "notes.pdf", "application/pdf"), max_bytes=100_000)
    assert error.value.field == "attachment" and "choose the file again" in error.value.message


@pytest.mark.parametrize("content", [b"%PDF-1.7\nnot really a pdf", b"%PDF-", b"%PDF-1.4\n" + b"\x00" * 500])
def test_a_file_that_only_starts_like_a_pdf_is_refused(content):
    with pytest.raises(ContributionError, match="could not be read as a PDF"):
        checked_pdf(content)


def test_a_pdf_that_needs_a_password_is_refused():
    with pytest.raises(ContributionError, match="protected by a password"):
        checked_pdf(tiny_pdf(password="secret"))


async def test_a_file_over_the_limit_is_refused_with_the_limit():
    content = tiny_pdf()
    assert await paper_from_upload(upload(content), max_bytes=len(content)) is not None
    with pytest.raises(ContributionError, match="larger than 1 KB"):
        await paper_from_upload(upload(content + b" " * 1024), max_bytes=1024)


async def test_no_file_chosen_is_no_paper():
    assert await paper_from_upload(upload(b"", filename=""), max_bytes=1024) is None
    assert await paper_from_upload("", max_bytes=1024) is None
    assert await paper_from_upload(None, max_bytes=1024) is None


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\Users\\awa\\Documents\\Position.pdf", "Position.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("Note\x00\x1b[31m\u202eFDP.exe", "Note[31mFDP.exe.pdf"),
        ("Прогноз 2025 — 移民.PDF", "Прогноз 2025 — 移民.PDF"),
        ("  .hidden.pdf ", "hidden.pdf"),
        ("", "position-paper.pdf"),
        (".pdf", "position-paper.pdf"),
    ],
)
def test_display_names_are_safe_and_keep_their_script(raw, shown):
    assert display_name(raw) == shown


def test_long_names_are_cut_to_255_characters_keeping_the_extension():
    name = display_name("é" * 400 + ".pdf")
    assert len(name) == 255 and name.endswith(".pdf")


def test_the_download_name_has_an_ascii_fallback_and_the_original_in_utf8():
    header = content_disposition("Rapport «migration» été.pdf")
    assert header.startswith('attachment; filename="Rapport migration ete.pdf"; ')
    assert header.endswith("filename*=UTF-8''Rapport%20%C2%ABmigration%C2%BB%20%C3%A9t%C3%A9.pdf")
    assert 'filename="position-paper.pdf"' in content_disposition("移民.pdf")
    assert '"' not in content_disposition('a"b.pdf').split("filename=", 1)[1].split(";")[0].strip('"')


async def test_papers_are_for_organisations_only(db):
    member, loner = await make_user(db), await make_user(db, with_organisation=False)
    check_speaks_for_organisation(member, None)
    check_speaks_for_organisation(member, member.memberships[0].organisation_id)
    for person, speaking_for in [(member, PERSONAL), (loner, None)]:
        with pytest.raises(ContributionError, match="on behalf of an organisation") as error:
            check_speaks_for_organisation(person, speaking_for)
        assert error.value.field == "attachment"


async def stored_bytes(db, attachment_id: int) -> bytes:
    return b"".join([chunk async for chunk in paper_bytes(db, attachment_id)])


async def test_a_paper_is_saved_with_its_contribution_in_the_database(db, consultation, monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 100)
    contribution = await make_position(db, consultation, author=await make_user(db))
    content = tiny_pdf(pages=3)
    assert len(content) > 300  # several chunks, the last short

    await commit_with_paper(db, WriteResult(contribution, created=True), Paper(content, "Paper.pdf", 3))

    attachment = await db.scalar(select(Attachment).where(Attachment.contribution_id == contribution.id))
    assert attachment.original_name == "Paper.pdf" and attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest() and attachment.size_bytes == len(content)
    assert attachment.storage_name is None  # no file anywhere
    count = await db.scalar(select(func.count()).where(AttachmentChunk.attachment_id == attachment.id))
    assert count == -(-len(content) // 100)
    assert await paper_is_stored(db, attachment.id) and await stored_bytes(db, attachment.id) == content


async def test_a_repeated_submission_attaches_nothing_twice(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    await commit_with_paper(db, WriteResult(contribution, created=False), Paper(tiny_pdf(), "P.pdf", 1))
    assert await db.scalar(select(Attachment).where(Attachment.contribution_id == contribution.id)) is None


async def test_a_failed_commit_keeps_neither_the_contribution_nor_its_paper(db, consultation, monkeypatch):
    contribution = await make_position(db, consultation, author=await make_user(db))
    contribution_id = contribution.id

    async def failing_commit():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        await commit_with_paper(db, WriteResult(contribution, created=True), Paper(tiny_pdf(), "P.pdf", 1))
    await db.rollback()
    assert await db.get(Contribution, contribution_id) is None
    assert await db.scalar(select(func.count()).select_from(AttachmentChunk)) == 0
    assert await db.scalar(select(func.count()).select_from(Attachment)) == 0


async def test_deleting_a_paper_deletes_its_bytes(db, consultation):
    contribution = await make_position(db, consultation, author=await make_user(db))
    attachment = await commit_with_paper(db, WriteResult(contribution, created=True), Paper(tiny_pdf(), "P.pdf", 1))
    assert attachment is not None and await paper_is_stored(db, attachment.id)
    await db.delete(contribution)
    await db.commit()
    assert await db.scalar(select(func.count()).where(AttachmentChunk.attachment_id == attachment.id)) == 0


def found(status: ContributionStatus, publication: PublicationConsent) -> AttachmentInContext:
    return AttachmentInContext(Attachment(), status, publication, consultation=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "publication", "public", "negotiator", "moderator"),
    [
        (ContributionStatus.VISIBLE, PublicationConsent.NAMED, True, True, True),
        (ContributionStatus.VISIBLE, PublicationConsent.ANONYMOUS, True, True, True),
        (ContributionStatus.VISIBLE, PublicationConsent.NOT_FOR_PUBLICATION, False, True, True),
        (ContributionStatus.HIDDEN, PublicationConsent.NAMED, False, False, True),
        (ContributionStatus.WITHDRAWN, PublicationConsent.NAMED, False, False, True),
        (ContributionStatus.WITHDRAWN, PublicationConsent.NOT_FOR_PUBLICATION, False, False, True),
    ],
)
def test_downloads_follow_the_contributions_rules(status, publication, public, negotiator, moderator):
    paper = found(status, publication)
    assert may_download(paper, PUBLIC, may_see_hidden=False) is public
    assert may_download(paper, NEGOTIATORS, may_see_hidden=False) is negotiator
    assert may_download(paper, NEGOTIATORS, may_see_hidden=True) is moderator
    assert is_public(paper) is public


def test_sizes_read_as_kilobytes_and_megabytes():
    assert file_size(1) == "1 KB"
    assert file_size(1536) == "2 KB"
    assert file_size(10 * 1024 * 1024) == "10 MB"
    assert file_size(1_500_000) == "1.4 MB"
