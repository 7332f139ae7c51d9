"""A drafting document's content read from the database: the selection's contributions as
negotiators see them (app.discussion.publication.NEGOTIATORS), read in bounded batches, then
assembled into a DocumentContent in a worker thread.

The body of the document (matrices, alternatives, quotes, dissent) counts and quotes what the
public tallies count: current, visible positions that may be published, bylines as the public
reads them. The annex lists everything negotiators may see, not-for-publication contributions
included and marked, with the text of hidden and withdrawn ones withheld."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.consolidation.amendments import AmendmentGroup, amendment_groups
from app.consolidation.matrix import Dimension, Matrix, filters_by_speaker, label_of, position_matrices
from app.consolidation.selection import INDIVIDUAL, Selection
from app.consultation.models import Consultation, KeyMessage
from app.discussion.labels import position_label, stakeholder_label
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView, listing, to_view
from app.discussion.publication import NEGOTIATORS, counts_under_organisation
from app.discussion.tallies import UNDISCLOSED
from app.export.documents.content import (
    Alternative,
    AnnexEntry,
    Cell,
    DocumentContent,
    KeyMessageContent,
    MatrixRow,
    PositionMatrix,
    Quote,
    SectionContent,
)
from app.export.documents.words import (
    brussels_time,
    document_text,
    document_words,
    in_language,
    plain_text,
    publication_label,
    shortened,
)
from app.export.formats import ExportRequest
from app.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, _, format_instant_brussels
from app.moderation.curation import export_highlights
from app.text.footnotes import strip_footnote_markers

#: Contributions read per query.
BATCH = 500
#: Quotes per key message: the moderators' highlights first, then the most endorsed positions.
QUOTES_PER_KEY_MESSAGE = 5
#: Characters of a contribution quoted in the body (the annex holds the whole text).
QUOTE_CHARS = 600
#: Positions whose holders disagree with the key message: their views are the dissent.
DISSENTING_POSITIONS = ("oppose",)


@dataclass(frozen=True)
class Loaded:
    """What the database gave, before any of it is assembled (the I/O part)."""

    views: list[ContributionView]  #: in id order
    highlighted: dict[int, list[int]]  #: contribution ids by key message id, in pinning order
    matrices: dict[int, Matrix]  #: by key message id (app.consolidation.matrix)
    amendments: dict[int, list[AmendmentGroup]]  #: by key message id (app.consolidation.amendments)


async def load_document_content(db: AsyncSession, request: ExportRequest) -> DocumentContent:
    loaded = await _load(db, request.consultation, request.selection)
    return await to_thread.run_sync(assemble_document, request, loaded)


async def _load(db: AsyncSession, consultation: Consultation, selection: Selection) -> Loaded:
    ids = [m.id for m in selection.key_messages(consultation)]
    views: list[ContributionView] = []
    for key_message_id in ids:
        views += await _views_of(db, key_message_id, selection)
    highlights = await export_highlights(db, ids) if ids else {}
    return Loaded(
        views=sorted(views, key=lambda view: view.id),
        highlighted={km: [h["contribution_id"] for h in found] for km, found in highlights.items()},
        matrices=await position_matrices(db, consultation, selection, Dimension.STAKEHOLDER_TYPE),
        amendments=await amendment_groups(db, consultation, selection),
    )


async def _views_of(db: AsyncSession, key_message_id: int, selection: Selection) -> list[ContributionView]:
    """One key message's contributions in id order, BATCH at a time. One key message per
    query, so each batch is a range of the (key message, id) index: with all of them in one
    IN (...), SQLite sorted what was left of every key message for each batch, and 100,000
    contributions took 100 s to read instead of a few."""
    views: list[ContributionView] = []
    last_id = 0
    while True:
        rows = (
            await db.execute(
                listing(NEGOTIATORS)
                .where(Contribution.key_message_id == key_message_id, selection.condition(), Contribution.id > last_id)
                .order_by(Contribution.id)
                .limit(BATCH)
            )
        ).all()
        if not rows:
            return views
        # No attach_extras: a document shows no topics or papers, and the endorsers it
        # names come with the amendment groups.
        views += [to_view(row, NEGOTIATORS) for row in rows]
        last_id = views[-1].id


def assemble_document(request: ExportRequest, loaded: Loaded) -> DocumentContent:
    """CPU work that grows with the contributions: run in a thread."""
    with in_language(words_language(request.language)):
        return _assemble(request, loaded)


def words_language(requested: str) -> str:
    """The language the document's own words are in: the one asked for if the site has its
    words, else the default, so a document never claims a language its headings are not in."""
    return requested if requested in SUPPORTED_LOCALES else DEFAULT_LOCALE


def _assemble(request: ExportRequest, loaded: Loaded) -> DocumentContent:
    consultation, selection = request.consultation, request.selection
    # Under a filter by who spoke, an anonymous contribution is left out everywhere: listed,
    # it would tell what its byline withholds (app.consolidation.matrix).
    views = [v for v in loaded.views if not (filters_by_speaker(selection) and row_key(v) == UNDISCLOSED)]
    by_message: dict[int, list[ContributionView]] = defaultdict(list)
    for view in views:
        by_message[view.key_message_id].append(view)
    by_id = {view.id: view for view in views}
    chosen = {m.id for m in selection.key_messages(consultation)}

    def message_content(message: KeyMessage) -> KeyMessageContent:
        counted = [v for v in by_message[message.id] if counts(v)]
        return KeyMessageContent(
            ref=message.ref,
            text=document_text(strip_footnote_markers(message.text)),
            language=message.language,
            matrix=_matrix(loaded.matrices[message.id], by_id),
            alternatives=tuple(_alternative(group) for group in loaded.amendments.get(message.id, [])),
            quotes=_quotes(counted, loaded.highlighted.get(message.id, []), by_id),
            dissents=tuple(_quote(v) for v in counted if v.position in DISSENTING_POSITIONS),
        )

    sections = tuple(
        SectionContent(
            ref=section.ref or section.number,
            title=document_text(section.title),
            key_messages=tuple(message_content(m) for m in section.key_messages if m.id in chosen),
        )
        for section in consultation.sections
        if any(m.id in chosen for m in section.key_messages)
    )
    refs = {m.id: m.ref for s in consultation.sections for m in s.key_messages}
    return DocumentContent(
        title=document_text(consultation.title),
        source_reference=document_text(consultation.source_reference),
        as_of=request.as_of,
        as_of_text=format_instant_brussels(request.as_of),
        selection_text=selection_in_words(selection),
        language=words_language(request.language),
        text_language=consultation.language,
        words=document_words(),
        sections=sections,
        annex=tuple(_annex_entry(view, refs[view.key_message_id]) for view in views),
    )


def selection_in_words(selection: Selection) -> str:
    """The filters as query parameters in their canonical order, or "All contributions"."""
    if selection.is_empty:
        return _("All contributions")
    return "; ".join(f"{name}={value}" for name, value in selection.as_params())


def counts(view: ContributionView) -> bool:
    """Whether the public tallies count it: a current, visible, top-level position that may be published."""
    return (
        view.parent_id is None
        and view.position is not None
        and view.status is ContributionStatus.VISIBLE
        and not view.superseded
        and view.is_public
    )


def row_key(view: ContributionView) -> str:
    """The matrix row a position falls in, as the public tallies say."""
    if not counts_under_organisation(view.publication):
        return UNDISCLOSED
    return view.organisation.type.value if view.organisation else INDIVIDUAL


def attribution(view: ContributionView) -> str:
    """Who said it, as far as the byline (already applied to the view) lets the reader know."""
    person = None
    if view.author is not None:
        person = _("Former participant") if view.author.erased else view.author.display_name
    organisation = view.organisation.name if view.organisation else None
    named = [document_text(name) for name in (person, organisation) if name]
    return ", ".join(named) if named else _("Anonymous contributor")


def _matrix(matrix: Matrix, by_id: dict[int, ContributionView]) -> PositionMatrix:
    """The shared matrix (app.consolidation.matrix) with each cell's contributions: its
    counted ids, placed by the row and position each one counts in."""
    ids: dict[tuple[str, str], list[int]] = defaultdict(list)
    for contribution_id in matrix.contribution_ids:
        view = by_id.get(contribution_id)
        if view is not None and view.position is not None:
            ids[(row_key(view), view.position)].append(contribution_id)
    rows = tuple(
        MatrixRow(
            label=label_of(Dimension.STAKEHOLDER_TYPE, row.key),
            cells=tuple(Cell(row.counts[p], tuple(ids[(row.key, p)])) for p in matrix.positions),
            total=row.total,
        )
        for row in matrix.rows
    )
    totals = tuple(
        Cell(
            matrix.totals[p],
            tuple(sorted(i for (_row, position), found in ids.items() if position == p for i in found)),
        )
        for p in matrix.positions
    )
    return PositionMatrix(tuple(position_label(p) for p in matrix.positions), rows, totals, matrix.total)


def _alternative(group: AmendmentGroup) -> Alternative:
    return Alternative(
        wording=document_text(" ".join(group.wording.split())),
        sponsors=tuple(document_text(name) for name in group.sponsors),
        endorsers=tuple(document_text(name) for name in group.endorsers),
        contribution_ids=group.contribution_ids,
        sponsor_count=group.sponsor_count,
        variants=tuple((first_id, document_text(" ".join(wording.split()))) for first_id, wording in group.variants),
    )


def _quote(view: ContributionView) -> Quote:
    return Quote(
        text=shortened(plain_text(view.body_html), QUOTE_CHARS),
        attribution=attribution(view),
        contribution_id=view.id,
        position=position_label(view.position),
    )


def _quotes(
    counted: list[ContributionView], highlighted: list[int], by_id: dict[int, ContributionView]
) -> tuple[Quote, ...]:
    """The moderators' highlights that may be published, then the most endorsed counted
    positions that are not dissent (those have their own part)."""
    chosen = [by_id[i] for i in highlighted if i in by_id and by_id[i].is_public]
    rest = sorted(
        (v for v in counted if v.position not in DISSENTING_POSITIONS and v not in chosen),
        key=lambda v: (-v.endorsement_count, v.id),
    )
    quotes = (_quote(v) for v in chosen + rest)
    return tuple(quote for quote in quotes if quote.text)[:QUOTES_PER_KEY_MESSAGE]


def _state(view: ContributionView) -> str:
    if view.status is ContributionStatus.HIDDEN:
        state = _("Hidden by the moderators: %(reason)s", reason=document_text(view.moderation_reason or ""))
    elif view.status is ContributionStatus.WITHDRAWN:
        state = _("Withdrawn by its author")
    else:
        state = _("Visible")
    if view.superseded:
        later = f" #{view.current_id}" if view.current_id else ""
        state += "; " + _("superseded") + later
    return state


def _annex_entry(view: ContributionView, ref: str) -> AnnexEntry:
    visible = view.status is ContributionStatus.VISIBLE
    return AnnexEntry(
        id=view.id,
        key_message_ref=ref,
        parent_id=view.parent_id,
        position=position_label(view.position),
        stakeholder_type=stakeholder_label(row_key(view)),
        attribution=attribution(view),
        publication=publication_label(view.publication),
        state=_state(view),
        created=brussels_time(view.created_at),
        text=plain_text(view.body_html) if visible else None,
        amendment=document_text(view.amendment_text) if visible and view.amendment_text else None,
        campaign_id=view.campaign_id,
        language=view.language,
    )
