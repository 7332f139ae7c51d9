"""Checks seeds/com-2013-292.yaml against the PDF text dump it was taken from.

The YAML is hand-edited, so these tests are what keeps it verbatim: every text
must be found in a normalised copy of seeds/COM-2013-292-nl.txt, in order,
with its footnote markers exactly where the source glues the note numbers.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
SOURCE = (ROOT / "seeds" / "COM-2013-292-nl.txt").read_text(encoding="utf-8")
DATA = yaml.safe_load((ROOT / "seeds" / "com-2013-292.yaml").read_text(encoding="utf-8"))

FOOTER = re.compile(r"^NL \d+\s+NL\s*$")  # page footer, e.g. "NL 11   NL"
MARKER = re.compile(r"\[\^(\d+)\]")
# A note number glued to a word or ")" ("uitgebreid7.", "(TAMM)2,"). Limited to
# 1-14 so that "G20" stays intact.
GLUED_NOTE = re.compile(r"(?<=[^\W\d_]|\))(1[0-4]|[1-9])(?=[\s.,;:]|$)")
# Two notes are glued to a year and cannot be told apart by a regex.
YEAR_NOTES = {"na 20156": "na 2015", "van 201211": "van 2012"}


def join(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def split_source(text: str) -> tuple[list[str], list[str]]:
    """Running-text lines and footnote lines, footers dropped."""
    body: list[str] = []
    notes: list[str] = []
    in_notes = False
    for line in text.replace("\u00ad", "").splitlines():  # soft hyphens
        if FOOTER.match(line):
            in_notes = False
        elif line.strip() == "" and len(line) > 20:  # the rule above footnote bodies
            in_notes = True
        else:
            if in_notes and re.match(r" \S", line):  # a new page starts with one space
                in_notes = False
            (notes if in_notes else body).append(line.strip())
    return body, notes


BODY_LINES, NOTE_LINES = split_source(SOURCE)
SOURCE_MARKED = join(BODY_LINES)  # note numbers still glued to words
NOTES_TEXT = " " + join(NOTE_LINES)


def unmark(text: str) -> str:
    for glued, year in YEAR_NOTES.items():
        text = text.replace(glued, year)
    return GLUED_NOTE.sub("", text)


SOURCE_PLAIN = unmark(SOURCE_MARKED)


def as_source(text: str) -> str:
    """YAML text with "[^7]" written back as the glued digit of the source."""
    return MARKER.sub(r"\1", text)


def sections() -> list[dict]:
    return DATA["sections"]


def key_messages() -> list[dict]:
    return [km for s in sections() for km in s.get("key_messages", [])]


def texts_in_order() -> list[str]:
    """All running texts in reading order (see the Shape comment in the YAML)."""
    out: list[str] = []
    for s in sections():
        out += s.get("paragraphs", [])
        for sub in s.get("subsections", []):
            out += sub["paragraphs"]
        kms = s.get("key_messages", [])
        actions = [km["text"] for km in kms if km.get("kind") != "eu_commitment"]
        commitments = [km["text"] for km in kms if km.get("kind") == "eu_commitment"]
        out += actions + s.get("paragraphs_between", []) + commitments
        out += s.get("paragraphs_after", [])
    return out


ALL_TEXTS = texts_in_order()


def test_source_normaliser_assumptions():
    # The normaliser joins lines with a space: that is only right while the dump
    # has no words hyphen-broken over a line end (e.g. "VN-" + "dialoog").
    assert not [line for line in BODY_LINES if line.endswith(("-", "\u00ad"))]
    # Exactly the 14 note numbers are taken out of the running text.
    assert len(SOURCE_MARKED) - len(SOURCE_PLAIN) == 9 + 5 * 2


def test_consultation_header():
    c = DATA["consultation"]
    assert DATA["schema"] == "roundtable.consultation/1"
    assert (c["slug"], c["source_reference"], c["language"]) == (
        "com-2013-292",
        "COM(2013) 292",
        "nl",
    )
    # Ships open, without instants: the 2013 dates stay as history in the summary.
    assert (c["status"], c["opens_at"], c["closes_at"]) == ("published", None, None)
    assert DATA["positions"] == ["support", "support_with_amendments", "oppose", "neutral"]


def test_structure_counts():
    rts = [s for s in sections() if s["kind"] == "roundtable"]
    assert [s["ref"] for s in rts] == ["RT1", "RT2", "RT3", "RT4"]
    assert [len(s["key_messages"]) for s in rts] == [3, 5, 4, 5]
    subs = {s["number"]: [x["number"] for x in s.get("subsections", [])] for s in sections()}
    assert subs == {
        "1": [],
        "2": ["2.1", "2.2"],
        "3": ["3.1", "3.2", "3.3"],
        "4": ["4.1", "4.2", "4.3"],
        "5": ["5.1"],
        "6": [],
        "7": [],
    }
    (six,) = [s for s in sections() if s["kind"] == "next_steps"]
    kinds = [km["kind"] for km in six["key_messages"]]
    assert kinds == ["eu_action"] * 6 + ["eu_commitment"] * 3


def test_refs_unique_and_patterned():
    refs = [km["ref"] for km in key_messages()]
    assert len(refs) == len(set(refs)) == 17 + 9
    for s in sections():
        for i, km in enumerate(s.get("key_messages", []), 1):
            if s["kind"] == "roundtable":
                assert km["ref"] == f"{s['ref']}-KM{i}" and "kind" not in km
            else:
                prefix = "EU-A" if km["kind"] == "eu_action" else "EU-C"
                assert re.fullmatch(prefix + r"\d", km["ref"])
    assert [km["ref"] for km in sections()[5]["key_messages"]] == (
        [f"EU-A{i}" for i in range(1, 7)] + [f"EU-C{i}" for i in range(1, 4)]
    )


def test_every_footnote_cited_exactly_once():
    cited = [int(n) for text in ALL_TEXTS for n in MARKER.findall(text)]
    assert sorted(cited) == list(range(1, 15))
    assert sorted(DATA["footnotes"]) == list(range(1, 15))


@pytest.mark.parametrize("n", range(1, 15))
def test_footnote_text_verbatim(n):
    text = DATA["footnotes"][n]
    assert f" {n} {text}" in NOTES_TEXT


@pytest.mark.parametrize("text", ALL_TEXTS, ids=lambda t: t[:40])
def test_text_verbatim_with_markers_in_place(text):
    # Without markers the text is verbatim source text...
    assert MARKER.sub("", text) in SOURCE_PLAIN
    # ...and with each [^n] turned back into the glued digit it is verbatim too,
    # so every marker sits exactly where the source has note n (and none is missing).
    assert as_source(text) in SOURCE_MARKED


def test_yaml_covers_the_whole_source_in_order():
    # Nothing dropped or duplicated: between consecutive texts the source may
    # only hold headings, a bullet or an "i."-style label.
    headings = [f"{s['number']}. {s['title'].upper()}" for s in sections()]
    headings += [f"{x['number']}. {x['title']}" for s in sections() for x in s.get("subsections", [])]
    pos = 0
    for text in [*ALL_TEXTS, ""]:
        start = SOURCE_MARKED.index(as_source(text), pos) if text else len(SOURCE_MARKED)
        gap = SOURCE_MARKED[pos:start]
        for heading in headings:
            gap = gap.replace(heading, "")
        gap = re.sub(r"\d\.\d\. Kernboodschappen voor de VN-dialoog", "", gap).strip()
        assert gap in {"", "•", "i.", "ii.", "iii."}, f"unaccounted source text: {gap!r}"
        pos = start + len(as_source(text))


def test_titles_are_sentence_case():
    for s in sections():
        assert not s["title"].isupper() and s["title"][0].isupper()
        assert not re.search(r"\b(eu|Eu|vn|Vn)\b", s["title"])  # acronyms stay uppercase
    assert sections()[0]["title"] == "Inleiding" and sections()[6]["title"] == "Conclusie"


def all_strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize("text", list(all_strings(DATA)), ids=lambda t: t[:40])
def test_text_hygiene(text):
    # PDF leftovers: page footers, soft hyphens, bullets, broken spacing.
    assert not re.search(r"\bNL \d+", text)
    assert "\u00ad" not in text and "•" not in text
    assert "  " not in text and "\n" not in text
    assert text == text.strip()
