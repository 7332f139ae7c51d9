"""The consolidated input as CSV, written as it is read: one row per contribution, each thread's
replies after their parents, in words a reader of the spreadsheet understands.

Labels, names and texts are in the export's language; the header row is the same in every
language (column names, see README "Exports"), so a script or a pivot table made on one file
works on the next. Codes sit beside the labels where a reader sorts or counts by them.
Bodies are plain text (app.text.plain), the amendment is also shown as a redline against the
key message ([-deleted-]{+inserted+}); control characters are taken out and cells a
spreadsheet would run as a formula are kept as text (app.export.writers.neutralise_formula). The byte-order mark
makes Excel read the file as UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import KeyMessage, Section
from app.discussion.labels import position_label, topic_label
from app.discussion.models import ContributionStatus
from app.discussion.presenters import OrganisationView
from app.discussion.tallies import INDIVIDUAL, UNDISCLOSED
from app.export.builders import iso, position_status
from app.export.formats import ExportRequest, Format, Progress
from app.export.labels import (
    country_label,
    in_language,
    language_label,
    position_status_labels,
    publication_labels,
    redline_text,
    region_label,
    stakeholder_type_label,
    status_labels,
    yes_no,
)
from app.export.streaming import (
    Item,
    KeyMessageFacts,
    KeyMessageStream,
    Thread,
    Tracker,
    count_selected,
    key_message_facts,
    threads,
)
from app.export.writers import FORMULA_PREFIXES, UNCLEAN_BUT_RETURN
from app.organisations.models import VerificationState
from app.text.footnotes import strip_footnote_markers
from app.text.markdown import render_markdown
from app.text.plain import html_to_text
from app.text.safe import clean_text
from app.urls import path_for

CSV_COLUMNS = [
    "id",
    "thread_id",
    "parent_id",
    "roundtable",
    "roundtable_title",
    "key_message",
    "key_message_text",
    "position",
    "position_code",
    "position_status",
    "superseded_by",
    "status",
    "publication",
    "author",
    "organisation",
    "stakeholder_type",
    "stakeholder_type_code",
    "verified",
    "country",
    "country_code",
    "region",
    "origin_countries",
    "origin_country_codes",
    "created_at",
    "edited_at",
    "language",
    "body",
    "amendment",
    "amendment_redline",
    "quote",
    "topics",
    "endorsement_count",
    "endorsed_by",
    "attachments",
    "moderation_reason",
    "highlight_reason",
    "thread_summary",
    "campaign_id",
]
#: Between the items of a list in one cell.
JOIN = "; "


@dataclass(frozen=True)
class Place:
    """What every row of a key message repeats, and its curation by contribution."""

    head: tuple[str | None, ...]  #: roundtable, its title, key message, its text
    text: str  #: without footnote markers
    highlight_reasons: dict[int, str]  #: by contribution id
    summaries: dict[int, str]  #: by thread id, as plain text
    language: str


def _csv_text(rows: list[list[Any]]) -> str:
    """The rows as CSV, text kept from running as a formula (writers.neutralise_formula); the
    csv module writes None as nothing."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [
            ["'" + value if type(value) is str and value.startswith(FORMULA_PREFIXES) else value for value in row]
            for row in rows
        ]
    )
    return buffer.getvalue()


def _clean_csv_text(rows: list[list[Any]]) -> str:
    """The rows as CSV, cleaned of control characters if they hold any (seldom: input is
    cleaned as it comes). Looked for in the written text, where every row ends in "\r\n":
    any other carriage return, or any other character clean_text takes out, was in a cell."""
    text = _csv_text(rows)
    if text.count("\r") == len(rows) and not UNCLEAN_BUT_RETURN.search(text):
        return text
    return _csv_text([[clean_text(value) if type(value) is str else value for value in row] for row in rows])


def _stakeholder_code(item: Item) -> str:
    view = item.view
    if view.organisation is not None:
        return view.organisation.type.value
    # None shown: where the byline withholds it (anonymous), whether there is one stays untold.
    return INDIVIDUAL if view.byline.organisation else UNDISCLOSED


def _organisation_cells(item: Item, language: str) -> tuple[Any, ...]:
    return _speaker_cells(item.view.organisation, _stakeholder_code(item), tuple(item.origins), language)


@lru_cache(maxsize=4096)
def _speaker_cells(
    organisation: OrganisationView | None, code: str, origins: tuple[str, ...], language: str
) -> tuple[Any, ...]:
    """The same for every row of an organisation, so remembered; labels in `language`, which
    is the current locale while rows are written (see _write_rows)."""
    if organisation is None:
        return (None, stakeholder_type_label(code), code, None, None, None, None, None, None)
    return (
        organisation.name,
        stakeholder_type_label(code),
        code,
        yes_no()[organisation.verification is VerificationState.VERIFIED],
        country_label(organisation.country, language),
        organisation.country,
        region_label(organisation.country),
        JOIN.join(country_label(origin, language) for origin in origins),
        JOIN.join(origins),
    )


def _texts(item: Item, place: Place) -> list[Any]:
    view = item.view
    if view.status is not ContributionStatus.VISIBLE:
        return [None, None, None, None]
    amendment = view.amendment_text
    return [
        html_to_text(view.body_html),
        amendment,
        redline_text(place.text, amendment) if amendment else None,
        view.quote_text,
    ]


def csv_row(item: Item, place: Place) -> list[Any]:
    view = item.view
    visible = view.status is ContributionStatus.VISIBLE
    thread = view.thread_root_id or view.id
    return [
        view.id,
        thread,
        view.parent_id,
        *place.head,
        position_label(view.position),
        view.position,
        position_status_labels()[position_status(view)],
        view.current_id,
        status_labels()[view.status],
        publication_labels()[view.publication],
        None if view.author is None else view.author.display_name,
        *_organisation_cells(item, place.language),
        iso(view.created_at),
        iso(view.edited_at),
        language_label(view.language, place.language) if view.language else None,
        *_texts(item, place),
        JOIN.join(topic_label(topic) for topic in view.topics),
        view.endorsement_count,
        JOIN.join(endorser.organisation.name for endorser in view.endorsers),
        JOIN.join(f"{a.original_name} ({path_for('attachment', attachment_id=a.id)})" for a in view.attachments)
        if visible
        else None,
        view.moderation_reason if view.status is ContributionStatus.HIDDEN else None,
        place.highlight_reasons.get(view.id),
        place.summaries.get(view.id) if view.id == thread else None,
        view.campaign_id,
    ]


def _place(section: Section, message: KeyMessage, facts: KeyMessageFacts, language: str) -> Place:
    """CPU work (Markdown of the summaries): for a worker thread."""
    text = strip_footnote_markers(message.text)
    return Place(
        head=(section.ref, section.title, message.ref, text),
        text=text,
        highlight_reasons={h["contribution_id"]: h["reason"] for h in facts.highlights.get(message.id, [])},
        summaries={
            s["thread_id"]: html_to_text(render_markdown(s["summary"])) for s in facts.summaries.get(message.id, [])
        },
        language=language,
    )


def _write_rows(out: BinaryIO, batch: Sequence[Thread], place: Place) -> None:
    """A batch of rows, in the export's language: CPU work and file I/O, for a worker thread."""
    with in_language(place.language):
        rows = [csv_row(item, place) for thread in batch for item in thread]
    out.write(_clean_csv_text(rows).encode("utf-8"))


async def write_csv(db: AsyncSession, request: ExportRequest, out: BinaryIO, progress: Progress) -> dict[str, int]:
    selection = request.selection
    key_messages = selection.key_messages(request.consultation)
    facts = await key_message_facts(db, key_messages, selection)
    tracker = Tracker(await count_selected(db, key_messages, selection), progress)
    out.write(("\ufeff" + ",".join(CSV_COLUMNS) + "\r\n").encode("utf-8"))
    stream = KeyMessageStream(threads(db, key_messages, selection))
    for section in request.consultation.sections:
        for message in (m for m in section.key_messages if m in key_messages):
            place = await to_thread.run_sync(_place, section, message, facts, request.language)
            async for batch in stream.batches(message.id):
                await to_thread.run_sync(_write_rows, out, batch, place)
                await tracker.advance(sum(map(len, batch)))
    return {"contributions": tracker.done, "key_messages": len(key_messages)}


CSV_FORMAT = Format("csv", "text/csv; charset=utf-8", write_csv)
