"""Builders of the consolidated input: JSON-native data with an allow-list of fields.

Exports are for negotiators and say exactly what the site shows them
(app.discussion.publication.NEGOTIATORS): contributions not for publication are included
and marked; one published anonymously carries neither name nor organisation, one published
for its organisation only no name. A hidden contribution appears with its status and the
moderator's reason, never its text; a withdrawn one with its status only; an erased author
is a "Former participant". A superseded position is listed with that status and, where
publication consent lets negotiators link the two, the id of the position that replaced it;
it is not counted. Each key message carries what the moderators curated: its highlights
(those shown: their contributions visible and published) and its threads' summaries, signed
by the moderation team, never a moderator's name."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app.consultation.models import Consultation, KeyMessage, Section, SectionKind
from app.consultation.phases import as_utc, phase_word
from app.consultation.services import cited_footnotes
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.presenters import ContributionView, OrganisationView, attach_extras, listing, to_view
from app.discussion.publication import NEGOTIATORS
from app.discussion.tallies import Tally, origin_countries, tallies
from app.moderation.curation import export_highlights
from app.moderation.summaries import export_summaries
from app.organisations.models import VerificationState
from app.text.footnotes import strip_footnote_markers
from app.urls import path_for

#: 2: publication consent (author and organisation may be null), amendments, quotes,
#: topics, endorsements, attachments, edits, counts by region.
#: 3: one current position per speaker: each position's `position_status` ("current" or
#: "superseded") and `superseded_by`; counts include current positions only. Additions
#: only, so readers of version 2 read version 3.
#: 4: each key message's `highlights` and `summaries` (CSV: `highlight_reason` and
#: `thread_summary`), and with campaigns each contribution's `campaign_id` and each key
#: message's counts `by_position_counting_campaigns_once` and `total_counting_campaigns_once`
#: (CSV: `campaign_id`, last). Additions only.
SCHEMA_VERSION = 4
#: Contributions read per query: each query and its extras stay bounded on a consultation of any
#: size; the export itself is one list in memory.
BATCH = 500


async def load_contributions(db: AsyncSession, consultation: Consultation) -> list[tuple[ContributionView, str]]:
    """Every contribution negotiators may see, as shown to them, with its Markdown source;
    in id order, read BATCH at a time and returned as one list."""
    key_message_ids = [m.id for s in consultation.sections for m in s.key_messages]
    loaded: list[tuple[ContributionView, str]] = []
    last_id = 0
    while True:
        rows = (
            await db.execute(
                listing(NEGOTIATORS, Contribution.body_source)
                .where(Contribution.key_message_id.in_(key_message_ids), Contribution.id > last_id)
                .order_by(Contribution.id)
                .limit(BATCH)
            )
        ).all()
        if not rows:
            break
        views = [to_view(row, NEGOTIATORS) for row in rows]
        await attach_extras(db, views)
        loaded += [(view, row[-1]) for view, row in zip(views, rows, strict=True)]
        last_id = views[-1].id
    return loaded


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def _organisation(organisation: OrganisationView) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "type": organisation.type.value,
        "country": organisation.country,
        "verified": organisation.verification is VerificationState.VERIFIED,
    }


def contribution_record(
    view: ContributionView, body_source: str, origins: dict[int, list[str]] | None = None
) -> dict[str, Any]:
    """One contribution as negotiators see it; `origins` gives diaspora organisations'
    countries of origin by organisation id."""
    visible = view.status is ContributionStatus.VISIBLE
    organisation = view.organisation
    return {
        "id": view.id,
        "parent_id": view.parent_id,
        "position": view.position,
        "status": view.status.value,
        "publication": view.publication.value,
        "author": None if view.author is None else view.author.display_name,
        "organisation": None
        if organisation is None
        else {**_organisation(organisation), "origin_countries": (origins or {}).get(organisation.id, [])},
        "created_at": _iso(view.created_at),
        "edited_at": _iso(view.edited_at),
        "language": view.language,
        "body": body_source if visible else None,
        "amendment": view.amendment_text if visible else None,
        "quote": {"text": view.quote_text, "start": view.quote_start} if visible and view.quote_text else None,
        "topics": [topic.slug for topic in view.topics],
        "endorsement_count": view.endorsement_count,
        "endorsed_by": [_organisation(endorser.organisation) for endorser in view.endorsers],
        "attachments": [
            {"name": a.original_name, "size_bytes": a.size_bytes, "path": path_for("attachment", attachment_id=a.id)}
            for a in view.attachments
        ]
        if visible
        else [],
        "moderation_reason": view.moderation_reason if view.status is ContributionStatus.HIDDEN else None,
        "position_status": _position_status(view),
        "superseded_by": view.current_id,
        "campaign_id": view.campaign_id,
    }


def _position_status(view: ContributionView) -> str | None:
    """Replies take no position, so they have no position status."""
    if view.parent_id is not None:
        return None
    return "superseded" if view.superseded else "current"


def _tree(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {record["id"]: {**record, "replies": []} for record in records}
    roots: list[dict[str, Any]] = []
    for record in by_id.values():
        parent = by_id.get(record["parent_id"])
        (parent["replies"] if parent else roots).append(record)
    return roots


def _counts(tally: Tally, positions: list[str], repeats: Counter[str]) -> dict[str, Any]:
    once = {position: tally.by_position.get(position, 0) - repeats.get(position, 0) for position in positions}
    return {
        "total": tally.total,
        "by_position": {position: tally.by_position.get(position, 0) for position in positions},
        # A campaign's members taking one position count as one voice.
        "by_position_counting_campaigns_once": once,
        "total_counting_campaigns_once": sum(once.values()),
        "by_organisation_type": {
            kind: {position: counter.get(position, 0) for position in positions}
            for kind, counter in sorted(tally.by_type.items())
        },
        "by_region": _by_place(tally.by_region, positions),
        "by_country": _by_place(tally.by_country, positions),
        "by_origin": _by_place(tally.by_origin, positions),
    }


def _by_place(counts: dict[str, Counter[str]], positions: list[str]) -> dict[str, dict[str, int]]:
    return {
        code: {position: counter.get(position, 0) for position in positions} for code, counter in sorted(counts.items())
    }


def _counted(view: ContributionView) -> bool:
    """Whether the tallies count it (app.discussion.tallies): a current, visible, public position."""
    return (
        view.parent_id is None and view.status is ContributionStatus.VISIBLE and not view.superseded and view.is_public
    )


def campaign_repeats(views: Iterable[ContributionView]) -> dict[int, Counter[str]]:
    """By key message and position: the counted positions beyond the first of each campaign,
    which counting campaigns once leaves out."""
    members: Counter[tuple[int, int, str]] = Counter()
    for view in views:
        if view.campaign_id is not None and view.position is not None and _counted(view):
            members[(view.key_message_id, view.campaign_id, view.position)] += 1
    repeats: dict[int, Counter[str]] = defaultdict(Counter)
    for (key_message_id, _campaign, position), count in members.items():
        repeats[key_message_id][position] += count - 1
    return repeats


def _key_message(
    consultation: Consultation,
    message: KeyMessage,
    tally: Tally,
    records: list[dict[str, Any]],
    curated: Curated,
    repeats: Counter[str],
) -> dict[str, Any]:
    return {
        "ref": message.ref,
        "kind": message.kind.value,
        "language": message.language,
        "text": strip_footnote_markers(message.text),
        "footnotes": [{"number": f.number, "text": f.text} for f in cited_footnotes(consultation, message.text)],
        "counts": _counts(tally, consultation.positions, repeats),
        "contributions": _tree(records),
        "highlights": curated.highlights.get(message.id, []),
        "summaries": curated.summaries.get(message.id, []),
    }


def _section(
    consultation: Consultation,
    section: Section,
    counts: dict[int, Tally],
    records: dict[int, list[dict[str, Any]]],
    curated: Curated,
    repeats: dict[int, Counter[str]],
) -> dict[str, Any]:
    return {
        "ref": section.ref,
        "number": section.number,
        "title": section.title,
        "key_messages": [
            _key_message(
                consultation,
                message,
                counts[message.id],
                records.get(message.id, []),
                curated,
                repeats.get(message.id, Counter()),
            )
            for message in section.key_messages
        ],
    }


def _instant(moment: datetime | None) -> str | None:
    utc = as_utc(moment)
    return utc.isoformat() if utc else None


@dataclass
class Curated:
    """What the moderators curated, JSON-native, by key message id (app.moderation)."""

    highlights: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    summaries: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class ExportInput:
    """What an export is built from, read from the database (the I/O part of an export)."""

    contributions: list[tuple[ContributionView, str]]  #: each with its Markdown source, in id order
    origins: dict[int, list[str]]  #: diaspora organisations' countries of origin
    counts: dict[int, Tally]  #: by key message id
    curated: Curated = field(default_factory=Curated)


async def load_export_input(db: AsyncSession, consultation: Consultation) -> ExportInput:
    contributions = await load_contributions(db, consultation)
    origins = await origin_countries(db, {view.organisation.id for view, _ in contributions if view.organisation})
    key_message_ids = [m.id for s in consultation.sections for m in s.key_messages]
    counts = await tallies(db, key_message_ids)
    curated = Curated(await export_highlights(db, key_message_ids), await export_summaries(db, key_message_ids))
    return ExportInput(contributions, origins, counts, curated)


async def build_consultation_export(db: AsyncSession, consultation: Consultation) -> dict[str, Any]:
    """The export as JSON-native data; assembled in a thread (see assemble_export)."""
    loaded = await load_export_input(db, consultation)
    return await to_thread.run_sync(assemble_export, consultation, loaded)


def assemble_export(consultation: Consultation, loaded: ExportInput) -> dict[str, Any]:
    """The export from what was read: contributions oldest first, in a tree per key message,
    with each key message's counts. CPU work that grows with the consultation (a tenth of a
    second for 20,000 contributions), so callers run it in a thread; the consultation's
    document is loaded with it (consultation_by_slug), so reading it there does no I/O."""
    contributions, origins, counts = loaded.contributions, loaded.origins, loaded.counts
    records: dict[int, list[dict[str, Any]]] = {}
    for view, body_source in sorted(contributions, key=lambda item: (item[0].created_at, item[0].id)):
        records.setdefault(view.key_message_id, []).append(contribution_record(view, body_source, origins))
    commentable = [s for s in consultation.sections if s.key_messages]
    repeats = campaign_repeats(view for view, _ in contributions)
    return {
        "schema_version": SCHEMA_VERSION,
        "consultation": {
            "slug": consultation.slug,
            "title": consultation.title,
            "source_reference": consultation.source_reference,
            "language": consultation.language,
            # "draft", or its phase when exported: "upcoming", "open" or "closed".
            "status": phase_word(consultation),
            "opens_at": _instant(consultation.opens_at),
            "closes_at": _instant(consultation.closes_at),
            "positions": list(consultation.positions),
        },
        "roundtables": [
            _section(consultation, s, counts, records, loaded.curated, repeats)
            for s in commentable
            if s.kind is SectionKind.ROUNDTABLE
        ],
        "next_steps": [
            _section(consultation, s, counts, records, loaded.curated, repeats)
            for s in commentable
            if s.kind is not SectionKind.ROUNDTABLE
        ],
    }


CSV_COLUMNS = [
    "id",
    "key_message",
    "parent_id",
    "position",
    "status",
    "publication",
    "author",
    "organisation",
    "organisation_type",
    "country",
    "origin_countries",
    "verified",
    "created_at",
    "edited_at",
    "language",
    "body",
    "amendment",
    "quote",
    "topics",
    "endorsement_count",
    "endorsed_by",
    "attachments",
    "moderation_reason",
    # Added in schema version 3, at the end so readers of the earlier columns are unaffected.
    "position_status",
    "superseded_by",
    # Added in schema version 4: why the moderators chose it, and its thread's summary (on
    # the thread's first contribution).
    "highlight_reason",
    "thread_summary",
    # Added with campaigns (issue 11), at the end likewise.
    "campaign_id",
]


def csv_rows(export: dict[str, Any]) -> list[list[Any]]:
    """Flatten the export to one row per contribution, replies after their parents."""
    rows: list[list[Any]] = []
    reasons: dict[int, str] = {}
    summaries: dict[int, str] = {}

    def walk(ref: str, contributions: list[dict[str, Any]]) -> None:
        for c in contributions:
            organisation = c["organisation"] or {}
            rows.append(
                [
                    c["id"],
                    ref,
                    c["parent_id"],
                    c["position"],
                    c["status"],
                    c["publication"],
                    c["author"],
                    organisation.get("name"),
                    organisation.get("type"),
                    organisation.get("country"),
                    ";".join(organisation.get("origin_countries", [])),
                    organisation.get("verified"),
                    c["created_at"],
                    c["edited_at"],
                    c["language"],
                    c["body"],
                    c["amendment"],
                    (c["quote"] or {}).get("text"),
                    ";".join(c["topics"]),
                    c["endorsement_count"],
                    ";".join(e["name"] for e in c["endorsed_by"]),
                    ";".join(f"{a['name']} ({a['path']})" for a in c["attachments"]),
                    c["moderation_reason"],
                    c["position_status"],
                    c["superseded_by"],
                    reasons.get(c["id"]),
                    summaries.get(c["id"]),
                    c["campaign_id"],
                ]
            )
            walk(ref, c["replies"])

    for section in export["roundtables"] + export["next_steps"]:
        for message in section["key_messages"]:
            reasons.update({h["contribution_id"]: h["reason"] for h in message.get("highlights", [])})
            summaries.update({t["thread_id"]: t["summary"] for t in message.get("summaries", [])})
            walk(message["ref"], message["contributions"])
    return rows
