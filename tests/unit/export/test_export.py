"""Export builders and writers."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from app.discussion.models import ContributionStatus
from app.export.json_export import export_data
from app.export.models import ExportRecord
from app.export.services import record_export
from app.export.writers import neutralise_formula
from tests.factories import make_position, make_reply, make_user
from tests.unit.export.exporting import exported


async def test_json_holds_every_key_message_and_the_threads(db, consultation):
    author = await make_user(db)
    root = await make_position(db, consultation, author=author, ref="EU-C1", position="oppose", body="No.")
    await make_reply(db, author=author, parent=root, body="Why not?")
    export = await export_data(db, consultation)
    assert [r["ref"] for r in export["roundtables"]] == ["RT1", "RT2", "RT3", "RT4"]
    assert sum(len(r["key_messages"]) for r in export["roundtables"]) == 17
    [next_steps] = export["next_steps"]
    [c1] = [m for m in next_steps["key_messages"] if m["ref"] == "EU-C1"]
    assert c1["kind"] == "eu_commitment" and "[^" not in c1["text"]
    assert c1["contributions"][0]["replies"][0]["body"] == "Why not?"
    assert c1["counts"]["by_position"] == {"support": 0, "support_with_amendments": 0, "oppose": 1, "neutral": 0}
    json.dumps(export)  # JSON-native all the way down


async def test_footnotes_travel_with_their_key_message(db, consultation):
    export = await export_data(db, consultation)
    [rt1] = [r for r in export["roundtables"] if r["ref"] == "RT1"]
    km2 = next(m for m in rt1["key_messages"] if m["ref"] == "RT1-KM2")
    assert [f["number"] for f in km2["footnotes"]] == [7]


def test_formula_injection_is_neutralised():
    assert neutralise_formula('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert (
        neutralise_formula("+1") == "'+1" and neutralise_formula("-2") == "'-2" and neutralise_formula("@A1") == "'@A1"
    )
    assert neutralise_formula("Fine text") == "Fine text" and neutralise_formula(3) == 3


async def test_csv_has_a_bom_one_row_per_contribution_and_no_hidden_text(db, consultation):
    author = await make_user(db)
    shown = await make_position(db, consultation, author=author, body="=1+1 is not a formula here")
    hidden = await make_reply(db, author=author, parent=shown, body="Secret insult")
    hidden.status, hidden.moderation_reason = ContributionStatus.HIDDEN, "Insult."
    content = await exported(db, consultation, "csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(r["key_message"], r["parent_id"], r["body"], r["moderation_reason"]) for r in rows] == [
        ("RT2-KM3", "", "'=1+1 is not a formula here", ""),
        ("RT2-KM3", str(shown.id), "", "Insult."),
    ]
    assert b"Secret insult" not in content


async def test_who_exported_what_is_recorded(db, consultation):
    user = await make_user(db)
    await record_export(db, consultation, "csv", user=user, channel="web")
    record = await db.scalar(select(ExportRecord).where(ExportRecord.user_id == user.id))
    assert (record.format, record.channel, record.consultation_id) == ("csv", "web", consultation.id)
