"""Pure builders of the consolidated input: JSON-native data with an allow-list of fields.

Exports say exactly what the site shows: a hidden contribution appears with its status and
the moderator's reason, never with its body; a withdrawn one (its author deleted it with
their account) with its status only; an erased author is a "Former participant"."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.accounts.models import VerificationState
from app.consultation.models import Consultation, KeyMessage, Section, SectionKind
from app.consultation.services import cited_footnotes
from app.discussion.models import Contribution, ContributionStatus
from app.discussion.tallies import Tally, tallies
from app.web.text import strip_footnote_markers

SCHEMA_VERSION = 1


async def load_contributions(db: AsyncSession, consultation: Consultation) -> list[Contribution]:
    """Every contribution of the consultation with its author and organisation, oldest first."""
    key_message_ids = [m.id for s in consultation.sections for m in s.key_messages]
    return list(
        (
            await db.scalars(
                select(Contribution)
                .options(joinedload(Contribution.author), joinedload(Contribution.organisation))
                .where(Contribution.key_message_id.in_(key_message_ids))
                .order_by(Contribution.created_at, Contribution.id)
            )
        ).all()
    )


def _iso(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def contribution_record(contribution: Contribution) -> dict[str, Any]:
    visible = contribution.status is ContributionStatus.VISIBLE
    organisation = contribution.organisation
    return {
        "id": contribution.id,
        "parent_id": contribution.parent_id,
        "position": contribution.position,
        "status": contribution.status.value,
        "author": contribution.author.display_name,
        "organisation": None
        if organisation is None
        else {
            "name": organisation.name,
            "type": organisation.type.value,
            "country": organisation.country,
            "origin_countries": list(organisation.origin_countries or []),
            "verified": organisation.verification is VerificationState.VERIFIED,
        },
        "created_at": _iso(contribution.created_at),
        "language": contribution.language,
        "body": contribution.body_source if visible else None,
        "moderation_reason": contribution.moderation_reason
        if contribution.status is ContributionStatus.HIDDEN
        else None,
    }


def _tree(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {record["id"]: {**record, "replies": []} for record in records}
    roots: list[dict[str, Any]] = []
    for record in by_id.values():
        parent = by_id.get(record["parent_id"])
        (parent["replies"] if parent else roots).append(record)
    return roots


def _counts(tally: Tally, positions: list[str]) -> dict[str, Any]:
    return {
        "total": tally.total,
        "by_position": {position: tally.by_position.get(position, 0) for position in positions},
        "by_organisation_type": {
            kind: {position: counter.get(position, 0) for position in positions}
            for kind, counter in sorted(tally.by_type.items())
        },
        "by_country": _by_place(tally.by_country, positions),
        "by_origin": _by_place(tally.by_origin, positions),
    }


def _by_place(counts: dict[str, Counter[str]], positions: list[str]) -> dict[str, dict[str, int]]:
    return {
        code: {position: counter.get(position, 0) for position in positions} for code, counter in sorted(counts.items())
    }


def _key_message(
    consultation: Consultation, message: KeyMessage, tally: Tally, records: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "ref": message.ref,
        "kind": message.kind.value,
        "language": message.language,
        "text": strip_footnote_markers(message.text),
        "footnotes": [{"number": f.number, "text": f.text} for f in cited_footnotes(consultation, message.text)],
        "counts": _counts(tally, consultation.positions),
        "contributions": _tree(records),
    }


def _section(
    consultation: Consultation, section: Section, counts: dict[int, Tally], records: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    return {
        "ref": section.ref,
        "number": section.number,
        "title": section.title,
        "key_messages": [
            _key_message(consultation, message, counts[message.id], records.get(message.id, []))
            for message in section.key_messages
        ],
    }


async def build_consultation_export(db: AsyncSession, consultation: Consultation) -> dict[str, Any]:
    contributions = await load_contributions(db, consultation)
    records: dict[int, list[dict[str, Any]]] = {}
    for contribution in contributions:
        records.setdefault(contribution.key_message_id, []).append(contribution_record(contribution))
    commentable = [s for s in consultation.sections if s.key_messages]
    counts = await tallies(db, [m.id for s in commentable for m in s.key_messages])
    return {
        "schema_version": SCHEMA_VERSION,
        "consultation": {
            "slug": consultation.slug,
            "title": consultation.title,
            "source_reference": consultation.source_reference,
            "language": consultation.language,
            "status": consultation.status.value,
            "positions": list(consultation.positions),
        },
        "roundtables": [
            _section(consultation, s, counts, records) for s in commentable if s.kind is SectionKind.ROUNDTABLE
        ],
        "next_steps": [
            _section(consultation, s, counts, records) for s in commentable if s.kind is not SectionKind.ROUNDTABLE
        ],
    }


CSV_COLUMNS = [
    "id",
    "key_message",
    "parent_id",
    "position",
    "status",
    "author",
    "organisation",
    "organisation_type",
    "country",
    "origin_countries",
    "verified",
    "created_at",
    "language",
    "body",
    "moderation_reason",
]


def csv_rows(export: dict[str, Any]) -> list[list[Any]]:
    """Flatten the export to one row per contribution, replies after their parents."""
    rows: list[list[Any]] = []

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
                    c["author"],
                    organisation.get("name"),
                    organisation.get("type"),
                    organisation.get("country"),
                    ";".join(organisation.get("origin_countries", [])),
                    organisation.get("verified"),
                    c["created_at"],
                    c["language"],
                    c["body"],
                    c["moderation_reason"],
                ]
            )
            walk(ref, c["replies"])

    for section in export["roundtables"] + export["next_steps"]:
        for message in section["key_messages"]:
            walk(message["ref"], message["contributions"])
    return rows
