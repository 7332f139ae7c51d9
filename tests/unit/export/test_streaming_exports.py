"""The streamed exports: CSV in words a reader understands, JSON as its published schema says,
the negotiator's selection, hostile text, and the same bytes for the same data."""

from __future__ import annotations

import io
import json

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import update

from app.consolidation.selection import Selection
from app.discussion.models import Contribution, ContributionStatus
from app.export import streaming
from app.export.json_export import export_data
from app.export.labels import country_label, redline_text
from app.export.registry import FORMATS
from app.export.schema import export_schema
from app.export.services import export_request
from app.organisations.models import OrganisationType, VerificationState
from app.text.footnotes import strip_footnote_markers
from app.text.markdown import render_markdown
from app.text.plain import html_to_text
from app.text.safe import clean_text
from tests.factories import key_message, make_organisation, make_position, make_reply, make_user
from tests.unit.export.exporting import csv_records, exported

REF = "RT2-KM3"


def validator() -> Draft202012Validator:
    schema = export_schema("https://roundtable.example/schema/consolidated-input.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


async def a_discussion(db, consultation):
    """A diaspora organisation's amendment with a reply, an anonymous position, a hidden reply."""
    diaspora = await make_organisation(db, name="Senegalese Diaspora in France", type=OrganisationType.DIASPORA)
    diaspora.country, diaspora.origin_countries = "FR", ["SN", "ML"]
    diaspora.verification = VerificationState.VERIFIED
    author = await make_user(db, organisation=diaspora, name="Awa Diop")
    text = strip_footnote_markers(key_message(consultation, REF).text)
    words = text.split()
    proposed = " ".join([*words[:3], "circular", *words[4:]])
    amendment = await make_position(
        db,
        consultation,
        author=author,
        ref=REF,
        position="support_with_amendments",
        body="**Strongly** agree, see [our paper](https://diaspora.example/paper).",
        amendment_text=proposed,
    )
    reply = await make_reply(db, author=await make_user(db, with_organisation=False), parent=amendment, body="Why?")
    hidden = await make_reply(db, author=await make_user(db), parent=reply, body="Insulting words")
    hidden.status, hidden.moderation_reason = ContributionStatus.HIDDEN, "Insult."
    quiet = await make_user(db, organisation=await make_organisation(db, name="Quiet Coalition", country="DE"))
    anonymous = await make_position(db, consultation, author=quiet, ref=REF, position="oppose", publication="anonymous")
    await db.flush()
    return {"amendment": amendment, "reply": reply, "hidden": hidden, "anonymous": anonymous, "words": words}


async def test_the_csv_speaks_in_labels_with_codes_beside_them(db, consultation):
    made = await a_discussion(db, consultation)
    rows = {int(r["id"]): r for r in await csv_records(db, consultation)}
    row = rows[made["amendment"].id]
    message = key_message(consultation, REF)
    assert (row["roundtable"], row["key_message"]) == ("RT2", REF)
    assert row["roundtable_title"] == next(s.title for s in consultation.sections if s.ref == "RT2")
    assert row["key_message_text"] == strip_footnote_markers(message.text)
    assert (row["position"], row["position_code"], row["position_status"]) == (
        "Support with amendments",
        "support_with_amendments",
        "Current",
    )
    assert (row["status"], row["publication"], row["author"]) == ("Visible", "Named", "Awa Diop")
    assert (row["stakeholder_type"], row["stakeholder_type_code"], row["verified"]) == (
        "Diaspora organisation",
        "diaspora",
        "Yes",
    )
    assert (row["country"], row["country_code"], row["region"]) == ("France", "FR", "Western Europe")
    assert (row["origin_countries"], row["origin_country_codes"]) == ("Senegal; Mali", "SN; ML")
    assert row["language"] == "English" and row["thread_id"] == str(made["amendment"].id)
    assert row["body"] == "Strongly agree, see our paper (https://diaspora.example/paper)."
    words = made["words"]
    assert row["amendment_redline"].startswith(" ".join(words[:3]) + f" [-{words[3]}-]{{+circular+}} ")
    assert rows[made["reply"].id]["stakeholder_type"] == "Individual (no organisation)"
    assert rows[made["reply"].id]["position_status"] == "" and rows[made["reply"].id]["thread_id"] == str(
        made["amendment"].id
    )


async def test_the_csv_withholds_what_negotiators_may_not_read(db, consultation):
    made = await a_discussion(db, consultation)
    rows = {int(r["id"]): r for r in await csv_records(db, consultation)}
    hidden = rows[made["hidden"].id]
    assert (hidden["status"], hidden["body"], hidden["moderation_reason"]) == ("Hidden by a moderator", "", "Insult.")
    anonymous = rows[made["anonymous"].id]
    assert (anonymous["author"], anonymous["organisation"], anonymous["country"]) == ("", "", "")
    assert (anonymous["stakeholder_type_code"], anonymous["publication"]) == ("undisclosed", "Anonymous")
    content = await exported(db, consultation, "csv")
    assert b"Insulting words" not in content and b"Quiet Coalition" not in content


async def test_replies_follow_their_parents_thread_by_thread(db, consultation):
    made = await a_discussion(db, consultation)
    ids = [int(r["id"]) for r in await csv_records(db, consultation)]
    assert ids == [made["amendment"].id, made["reply"].id, made["hidden"].id, made["anonymous"].id]


def test_plain_text_from_the_stored_html():
    source = "A *first* line\nand a second.\n\n- one\n- two\n\n> quoted\n\n1. first\n2. second\n\n<b>not a tag</b>"
    assert html_to_text(render_markdown(source)) == (
        "A first line\nand a second.\n\n- one\n- two\n\n> quoted\n\n1. first\n2. second\n\n<b>not a tag</b>"
    )
    assert html_to_text(render_markdown("Mail [us](mailto:a@b.org) or <https://x.org>")) == (
        "Mail us (mailto:a@b.org) or https://x.org"
    )


def test_the_redline_marks_deletions_and_insertions_in_plain_text():
    assert (
        redline_text("The quick brown fox jumps.", "The slow red fox jumps.")
        == "The [-quick brown-]{+slow red+} fox jumps."
    )
    assert redline_text("Remittances are cheap.", "Remittances are cheap and fast.") == (
        "Remittances are cheap {+and fast+}."
    )
    assert redline_text("Same words.", "Same words.") == "Same words."


def test_country_names_follow_the_exports_language():
    assert country_label("SN", "en") == "Senegal" and country_label("SN", "fr") == "Sénégal"
    assert country_label("XX", "fr") == "XX" and country_label("SN", "not a language") == "Senegal"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+31 20 555", "'+31 20 555"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Bell\x07 and escape\x1b[31m red", "Bell and escape[31m red"),
        ("A line\r\nand a carriage return\ralone", "A line\nand a carriage return\nalone"),
        ("مرحبا بالعالم \u202eRTL override", "مرحبا بالعالم \u202eRTL override"),
    ],
)
async def test_hostile_text_stays_text(db, consultation, body, expected):
    position = await make_position(db, consultation, author=await make_user(db), ref=REF, body="placeholder")
    # Stored before input was cleaned: as it may be in an old database.
    await db.execute(
        update(Contribution)
        .where(Contribution.id == position.id)
        .values(body_source=body, body_html=f"<p>{body}</p>\n", moderation_reason=None)
    )
    rows = {int(r["id"]): r for r in await csv_records(db, consultation)}
    assert rows[position.id]["body"] == expected
    content = await exported(db, consultation, "json")
    loaded = json.loads(content)
    validator().validate(loaded)
    [record] = [c for c in loaded["roundtables"][1]["key_messages"][2]["contributions"] if c["id"] == position.id]
    assert record["body"] == clean_text(body)


async def test_a_huge_body_is_written_whole(db, consultation):
    body = "Remittances matter. " * 5_000  # ten times what the form takes: as an import may store it
    position = await make_position(db, consultation, author=await make_user(db), ref=REF)
    await db.execute(
        update(Contribution)
        .where(Contribution.id == position.id)
        .values(body_source=body, body_html=f"<p>{body.strip()}</p>")
    )
    rows = {int(r["id"]): r for r in await csv_records(db, consultation)}
    assert rows[position.id]["body"] == body.strip()


async def test_the_selection_chooses_key_messages_and_speakers(db, consultation):
    made = await a_discussion(db, consultation)
    elsewhere = await make_position(db, consultation, author=await make_user(db), ref="RT1-KM1")
    rt2 = await export_data(db, consultation, Selection(roundtable="RT2"))
    assert [s["ref"] for s in rt2["roundtables"]] == ["RT2"] and rt2["next_steps"] == []
    assert rt2["selection"]["roundtable"] == "RT2"
    rows = await csv_records(db, consultation, Selection(roundtable="RT2"))
    assert elsewhere.id not in {int(r["id"]) for r in rows}

    diaspora = Selection(key_message=REF, stakeholder_types=("diaspora",))
    only = await export_data(db, consultation, diaspora)
    [message] = only["roundtables"][0]["key_messages"]
    assert [c["id"] for c in message["contributions"]] == [made["amendment"].id]
    assert message["counts"]["total"] == 1 and message["counts"]["by_position"]["support_with_amendments"] == 1
    # The anonymous contribution's organisation stays untold: filtering by its type does not find
    # it (the hidden reply's author speaks for a civil-society organisation, by name).
    civil = await export_data(db, consultation, Selection(key_message=REF, stakeholder_types=("civil_society",)))
    [branch] = civil["roundtables"][0]["key_messages"][0]["contributions"]
    assert (branch["id"], branch["replies"]) == (made["hidden"].id, [])
    # A reply whose parent is left out starts a branch of its own, where its thread was.
    individuals = await csv_records(db, consultation, Selection(key_message=REF, stakeholder_types=("individual",)))
    assert [int(r["id"]) for r in individuals] == [made["reply"].id]


async def test_the_json_is_valid_against_its_published_schema(db, consultation):
    await a_discussion(db, consultation)
    loaded = json.loads(await exported(db, consultation, "json"))
    validator().validate(loaded)
    assert loaded["schema_version"] == 5 and loaded["selection"] == Selection().as_dict()


async def test_the_json_is_exactly_what_json_dumps_writes(db, consultation):
    await a_discussion(db, consultation)
    content = await exported(db, consultation, "json")
    rewritten = json.dumps(json.loads(content), ensure_ascii=False, separators=(",", ":"))
    assert content == rewritten.encode("utf-8")


async def test_the_same_data_gives_the_same_bytes_batch_by_batch(db, consultation, monkeypatch):
    await a_discussion(db, consultation)
    for ref in ("RT1-KM1", "RT1-KM2"):
        root = await make_position(db, consultation, author=await make_user(db), ref=ref)
        await make_reply(db, author=await make_user(db), parent=root)
    first = {fmt: await exported(db, consultation, fmt) for fmt in ("csv", "json")}
    assert {fmt: await exported(db, consultation, fmt) for fmt in ("csv", "json")} == first
    # Two rows a batch: threads and key messages run across batches, the files stay the same.
    monkeypatch.setattr(streaming, "BATCH", 2)
    assert {fmt: await exported(db, consultation, fmt) for fmt in ("csv", "json")} == first


async def test_the_time_written_is_the_datas_own(db, consultation):
    position = await make_position(db, consultation, author=await make_user(db), ref=REF)
    loaded = await export_data(db, consultation)
    updated = position.updated_at
    assert loaded["as_of"].startswith(updated.strftime("%Y-%m-%dT%H:%M:%S"))


async def test_progress_is_told_batch_by_batch_and_the_counts_returned(db, consultation, monkeypatch):
    made = await a_discussion(db, consultation)
    monkeypatch.setattr(streaming, "BATCH", 2)
    shares: list[float] = []

    async def progress(share: float) -> None:
        shares.append(share)

    for fmt in ("csv", "json"):
        shares.clear()
        request = await export_request(db, consultation, Selection(roundtable="RT2"))
        counts = await FORMATS[fmt].write(db, request, io.BytesIO(), progress)
        assert counts == {
            "contributions": 4,
            "key_messages": len(Selection(roundtable="RT2").key_messages(consultation)),
        }
        assert len(shares) > 1 and shares == sorted(shares) and shares[-1] == 1.0
    assert made["amendment"].key_message_id == key_message(consultation, REF).id


async def test_labels_in_the_exports_language(db, consultation):
    made = await a_discussion(db, consultation)
    rows = {int(r["id"]): r for r in await csv_records(db, consultation, language="fr")}
    row = rows[made["amendment"].id]
    assert (row["country"], row["country_code"], row["origin_countries"]) == ("France", "FR", "Sénégal; Mali")
    assert row["language"] == "anglais"


async def test_a_selection_of_nothing_is_an_empty_export(db, consultation):
    await a_discussion(db, consultation)
    nothing = Selection(roundtable="RT2", key_message="RT3-KM1")
    loaded = await export_data(db, consultation, nothing)
    validator().validate(loaded)
    assert (loaded["roundtables"], loaded["next_steps"]) == ([], [])
    assert await csv_records(db, consultation, nothing) == []
