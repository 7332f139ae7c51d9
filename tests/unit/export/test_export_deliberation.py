"""Exports carry deliberation (amendments, quotes, topics, endorsements, attachments) and
honour publication consent the way the site does for negotiators."""

from __future__ import annotations

from app.consultation.models import Topic
from app.discussion.models import Attachment, Endorsement
from app.export.json_export import export_data
from tests.factories import make_organisation, make_position, make_user
from tests.unit.export.exporting import csv_records

REF = "RT2-KM2"


def records(export):
    [rt2] = [r for r in export["roundtables"] if r["ref"] == "RT2"]
    [message] = [m for m in rt2["key_messages"] if m["ref"] == REF]
    return {c["id"]: c for c in message["contributions"]}


async def test_publication_consent_decides_the_names_in_the_export(db, consultation):
    organisation = await make_organisation(db, name="Migrant Voices Network")
    author = await make_user(db, organisation=organisation, name="Fatou Ndiaye")
    made = {
        consent: await make_position(db, consultation, author=author, ref=REF, publication=consent)
        for consent in ("named", "organisation_only", "anonymous", "not_for_publication")
    }
    exported = records(await export_data(db, consultation))
    by_consent = {consent: exported[c.id] for consent, c in made.items()}
    assert by_consent["named"]["author"] == "Fatou Ndiaye"
    assert by_consent["named"]["organisation"]["name"] == "Migrant Voices Network"
    assert by_consent["organisation_only"]["author"] is None
    assert by_consent["organisation_only"]["organisation"]["name"] == "Migrant Voices Network"
    assert by_consent["anonymous"]["author"] is None and by_consent["anonymous"]["organisation"] is None
    # Negotiators read contributions not for publication, with the name, marked as such.
    assert by_consent["not_for_publication"]["publication"] == "not_for_publication"
    assert by_consent["not_for_publication"]["author"] == "Fatou Ndiaye"
    rows = await csv_records(db, consultation)
    anonymous_row = next(r for r in rows if r["id"] == str(made["anonymous"].id))
    assert "Fatou" not in ",".join(anonymous_row.values()) and "Migrant" not in ",".join(anonymous_row.values())


async def test_deliberation_travels_with_each_contribution(db, consultation):
    author = await make_user(db)
    # Into the consultation's vocabulary as loaded too: posting checks topics against it.
    topic = Topic(consultation=consultation, slug="test-remittances", labels={"en": "Remittances"}, position=99)
    db.add(topic)
    await db.flush()
    amendment = await make_position(
        db,
        consultation,
        author=author,
        ref=REF,
        position="support_with_amendments",
        amendment_text="Remittances are private funds and must stay cheap.",
        topics=("test-remittances",),
    )
    endorser = await make_organisation(db, name="Sahel Diaspora Council", country="ML")
    db.add(Endorsement(contribution_id=amendment.id, organisation_id=endorser.id))
    amendment.endorsement_count = 1
    paper = Attachment(
        contribution_id=amendment.id,
        storage_name="x" * 32,
        original_name="position paper.pdf",
        content_type="application/pdf",
        size_bytes=1234,
        sha256="0" * 64,
    )
    db.add(paper)
    await db.flush()
    record = records(await export_data(db, consultation))[amendment.id]
    assert record["amendment"] == "Remittances are private funds and must stay cheap."
    assert record["topics"] == ["test-remittances"]
    assert record["endorsement_count"] == 1
    assert record["endorsed_by"] == [
        {"name": "Sahel Diaspora Council", "type": "civil_society", "country": "ML", "verified": False, "region": "011"}
    ]
    assert record["attachments"] == [
        {"name": "position paper.pdf", "size_bytes": 1234, "path": f"/attachments/{paper.id}"}
    ]
