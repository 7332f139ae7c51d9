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

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from app.accounts.regions import m49_region
from app.consultation.models import Consultation, KeyMessage, Section
from app.consultation.phases import as_utc, phase_word
from app.consultation.services import cited_footnotes
from app.discussion.models import ContributionStatus
from app.discussion.presenters import ContributionView, OrganisationView
from app.discussion.tallies import Tally
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
#: 5: exports are snapshots of a selection: `as_of` (the data's own time) and `selection`
#: (the negotiator's filters; counts count the selected contributions); each contribution's
#: `thread_id`; each organisation's (and endorser's) `region`, its UN M49 sub-region. Published
#: as a JSON Schema (app/export/schema/). Additions only.
SCHEMA_VERSION = 5


def iso(value: datetime | None) -> str | None:
    """An instant as exports write it: ISO 8601 in UTC, to the second."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def region_code(country: str | None) -> str | None:
    """The UN M49 sub-region (or intermediate region) of a country: "011" for Senegal."""
    found = m49_region(country) if country else None
    return found.area if found else None


def _organisation(organisation: OrganisationView) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "type": organisation.type.value,
        "country": organisation.country,
        "verified": organisation.verification is VerificationState.VERIFIED,
        "region": region_code(organisation.country),
    }


def contribution_record(view: ContributionView, body_source: str, origins: list[str]) -> dict[str, Any]:
    """One contribution as negotiators see it; `origins`: a diaspora organisation's countries
    of origin. Key order is part of the format (snapshots are byte-identical)."""
    visible = view.status is ContributionStatus.VISIBLE
    organisation = view.organisation
    return {
        "id": view.id,
        "parent_id": view.parent_id,
        "position": view.position,
        "status": view.status.value,
        "publication": view.publication.value,
        "author": None if view.author is None else view.author.display_name,
        "organisation": None if organisation is None else {**_organisation(organisation), "origin_countries": origins},
        "created_at": iso(view.created_at),
        "edited_at": iso(view.edited_at),
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
        "position_status": position_status(view),
        "superseded_by": view.current_id,
        "campaign_id": view.campaign_id,
        "thread_id": view.thread_root_id or view.id,
    }


def position_status(view: ContributionView) -> str | None:
    """Replies take no position, so they have no position status."""
    if view.parent_id is not None:
        return None
    return "superseded" if view.superseded else "current"


def nested(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records in order (oldest first) nested under their parents as `replies`; one whose
    parent is not among them starts a branch of its own."""
    by_id = {record["id"]: {**record, "replies": []} for record in records}
    roots: list[dict[str, Any]] = []
    for record in by_id.values():
        parent = by_id.get(record["parent_id"])
        (parent["replies"] if parent else roots).append(record)
    return roots


def counts_record(tally: Tally, positions: list[str], repeats: Counter[str]) -> dict[str, Any]:
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


def key_message_head(
    consultation: Consultation, message: KeyMessage, tally: Tally, repeats: Counter[str]
) -> dict[str, Any]:
    """A key message's record up to its contributions (which follow, then its curation)."""
    return {
        "ref": message.ref,
        "kind": message.kind.value,
        "language": message.language,
        "text": strip_footnote_markers(message.text),
        "footnotes": [{"number": f.number, "text": f.text} for f in cited_footnotes(consultation, message.text)],
        "counts": counts_record(tally, consultation.positions, repeats),
    }


def section_head(section: Section) -> dict[str, Any]:
    """A section's record up to its key messages."""
    return {"ref": section.ref, "number": section.number, "title": section.title}


def _instant(moment: datetime | None) -> str | None:
    utc = as_utc(moment)
    return utc.isoformat() if utc else None


def consultation_record(consultation: Consultation) -> dict[str, Any]:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "source_reference": consultation.source_reference,
        "language": consultation.language,
        # "draft", or its phase when exported: "upcoming", "open" or "closed".
        "status": phase_word(consultation),
        "opens_at": _instant(consultation.opens_at),
        "closes_at": _instant(consultation.closes_at),
        "positions": list(consultation.positions),
    }
