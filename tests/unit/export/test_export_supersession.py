"""Exports list superseded positions with that status and count only current ones."""

from __future__ import annotations

from app.export.json_export import export_data
from tests.factories import make_organisation, make_position, make_reply, make_user
from tests.unit.export.exporting import csv_records

REF = "RT2-KM2"


def key_message_export(export):
    [rt2] = [r for r in export["roundtables"] if r["ref"] == "RT2"]
    [message] = [m for m in rt2["key_messages"] if m["ref"] == REF]
    return message


async def test_a_superseded_position_is_listed_with_its_status_and_not_counted(db, consultation):
    organisation = await make_organisation(db, name="Diaspora Forum")
    first = await make_position(db, consultation, author=await make_user(db, organisation=organisation), ref=REF)
    current = await make_position(
        db, consultation, author=await make_user(db, organisation=organisation), ref=REF, position="oppose"
    )
    reply = await make_reply(db, author=first.author, parent=first)
    export = await export_data(db, consultation)
    message = key_message_export(export)
    listed = {c["id"]: c for c in message["contributions"]}
    assert (listed[first.id]["position_status"], listed[first.id]["superseded_by"]) == ("superseded", current.id)
    assert (listed[current.id]["position_status"], listed[current.id]["superseded_by"]) == ("current", None)
    assert listed[first.id]["status"] == "visible" and listed[first.id]["body"], "still readable"
    [exported_reply] = listed[first.id]["replies"]
    assert exported_reply["id"] == reply.id and exported_reply["position_status"] is None
    assert message["counts"]["total"] == 1
    assert message["counts"]["by_position"] == {"support": 0, "support_with_amendments": 0, "oppose": 1, "neutral": 0}
    assert export["schema_version"] == 5
    rows = {r["id"]: r for r in await csv_records(db, consultation)}
    assert (rows[str(first.id)]["position_status"], rows[str(first.id)]["superseded_by"]) == (
        "Superseded",
        str(current.id),
    )
    assert (rows[str(current.id)]["position_status"], rows[str(current.id)]["superseded_by"]) == ("Current", "")


async def test_the_export_never_ties_an_anonymous_position_to_its_organisation(db, consultation):
    author = await make_user(db, organisation=await make_organisation(db, name="Quiet Coalition"))
    anonymous = await make_position(db, consultation, author=author, ref=REF, publication="anonymous")
    named = await make_position(db, consultation, author=author, ref=REF, position="oppose")
    listed = {c["id"]: c for c in key_message_export(await export_data(db, consultation))["contributions"]}
    assert listed[anonymous.id]["position_status"] == "superseded"
    assert listed[anonymous.id]["superseded_by"] is None, "the link would name the anonymous one's organisation"
    assert listed[named.id]["organisation"]["name"] == "Quiet Coalition"
