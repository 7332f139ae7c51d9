"""One-off extraction of seeds/com-2013-292.yaml from seeds/COM-2013-292-nl.txt.

THROW-AWAY SCRIPT. The YAML file is the source of truth: it was generated once
by this script and may be hand-edited afterwards. Nothing reads this script at
run time and re-running it overwrites hand edits, so only use it to compare.

    python3 tools/extract_seed.py > /tmp/com-2013-292.yaml

What it does with the PDF text dump:
- drops the page footer ("NL 11   NL") and the footnote blocks (a line of
  spaces, then footnote bodies until the next page, whose first line starts
  with a single space);
- splits paragraphs on blank lines, headings, bullets and "i."/"ii."/"iii.",
  plus a few hand-picked page breaks (PARAGRAPH_STARTS) where the source has
  no blank line but the previous line is visibly short;
- joins lines with one space (the dump has no soft hyphens and no line-end
  hyphenation, which the checks below assert);
- turns footnote digits glued to a word into "[^n]" markers.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "seeds" / "COM-2013-292-nl.txt"

FOOTER = re.compile(r"^NL \d+\s+NL\s*$")
HEADING = re.compile(r"^(\d)\.(?:(\d)\.)? (.+)$")
ROMAN = re.compile(r"^(i{1,3})\. (.+)$")
# Page breaks without a blank line that still start a new paragraph (judged
# by the short previous line and the content).
PARAGRAPH_STARTS = (
    "De klimaatverandering en aantasting van het milieu hebben",
    "Het debat over de bevolkingsdynamiek",
    "De bestrijding van mensenhandel is ook",
    "Het verband tussen ontwikkeling en migratie stelt",
    "De Commissie roept alle relevante",
)
# Footnote digits glued to a year: "na 20156" is 2015 + footnote 6.
YEAR_MARKERS = {"20156": "2015[^6]", "201211": "2012[^11]"}
WORD_MARKER = re.compile(r"(?<=[A-Za-zëïé)])(1[0-4]|[1-9])(?=[\s.,;:]|$)")


def split_source(text: str) -> tuple[list[str], list[str]]:
    """Return (body lines, footnote lines).

    Blank lines at the bottom of a page are dropped and the first line of a
    page (it starts with one space) is marked with a leading "\x00" so that
    blocks() can glue it to the paragraph interrupted by the page break."""
    body: list[str] = []
    notes: list[str] = []
    in_notes = False
    for raw in text.split("\n"):
        if FOOTER.match(raw):
            in_notes = False
            continue
        if raw.strip() == "" and len(raw) > 20:  # the footnote separator line
            in_notes = True
            while body and body[-1] == "":
                body.pop()
            continue
        page_start = re.match(r"^ \S", raw) is not None
        if in_notes and page_start:  # first line of the next page
            in_notes = False
        line = raw.replace("\u00ad", "").strip()
        if in_notes:
            notes.append(line)
        else:
            body.append("\x00" + line if page_start else line)
    assert not any(line.endswith("-") for line in body), "line-end hyphenation: handle by hand"
    return body, notes


def parse_footnotes(lines: list[str]) -> dict[int, str]:
    notes: dict[int, list[str]] = {}
    current = 0
    for line in lines:
        m = re.match(r"^(\d{1,2}) (.*)$", line)
        if m and int(m.group(1)) == current + 1:
            current = int(m.group(1))
            notes[current] = [m.group(2)]
        elif line and line.startswith("http") and line in notes[current][-1]:
            continue  # PDF link annotations repeat the URL
        elif line:
            notes[current].append(line)
    return {n: " ".join(" ".join(parts).split()) for n, parts in notes.items()}


def blocks(body: list[str]) -> list[str]:
    """Paragraph-ish blocks: headings, bullets, roman items, paragraphs."""
    out: list[list[str]] = []
    cur: list[str] = []
    for line in body:
        line = line.lstrip("\x00")  # page starts continue the paragraph by default
        starts = (
            HEADING.match(line)
            or line.startswith("•")
            or ROMAN.match(line)
            or line.startswith(PARAGRAPH_STARTS)
        )
        if not line or starts:
            if cur:
                out.append(cur)
            cur = [line] if line else []
            continue
        if cur and HEADING.match(cur[0]) and not _heading_continues(cur, line):
            out.append(cur)
            cur = []
        cur.append(line)
    if cur:
        out.append(cur)
    return [" ".join(" ".join(b).split()) for b in out]


def _heading_continues(cur: list[str], line: str) -> bool:
    """Section titles wrap as UPPERCASE lines; a subsection title (2.1) wraps
    onto a line starting lowercase."""
    if HEADING.match(cur[0]).group(2) is None:
        return line.upper() == line
    return line[:1].islower()


def markers(text: str) -> str:
    for glued, marked in YEAR_MARKERS.items():
        text = text.replace(glued, marked)
    return WORD_MARKER.sub(r"[^\1]", text)


SMALL = {"EU", "VN"}


def sentence_case(title: str) -> str:
    words = title.lower().split(" ")
    words = [w.upper() if w.upper().strip(",:") in SMALL else w for w in words]
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    # "Rondetafel 1: Beoordeling" - the roundtable's name is capitalised after
    # the colon; elsewhere (section 6) Dutch keeps lowercase after a colon.
    if text.startswith("Rondetafel"):
        text = re.sub(r": (\w)", lambda m: ": " + m.group(1).upper(), text)
    return text


def build() -> dict:
    body, note_lines = split_source(SOURCE.read_text(encoding="utf-8"))
    footnotes = parse_footnotes(note_lines)
    sections: list[dict] = []
    target: dict | None = None
    mode = "paragraphs"
    for block in blocks(body):
        block = markers(block)
        h = HEADING.match(block)
        if h and h.group(2) is None:
            num = h.group(1)
            kind = {"1": "introduction", "6": "next_steps", "7": "conclusion"}.get(
                num, "roundtable"
            )
            section = {"number": num, "kind": kind}
            if kind == "roundtable":
                section["ref"] = f"RT{int(num) - 1}"
            section["title"] = sentence_case(h.group(3))
            sections.append(section)
            target, mode = section, "paragraphs"
            continue
        if h:
            title = h.group(3)
            if title.startswith("Kernboodschappen"):
                target, mode = sections[-1], "key_messages"
                continue
            sub = {"number": f"{h.group(1)}.{h.group(2)}", "title": title, "paragraphs": []}
            sections[-1].setdefault("subsections", []).append(sub)
            target, mode = sub, "paragraphs"
            continue
        assert target is not None
        section = sections[-1]
        if section["kind"] == "next_steps":
            kms = section.setdefault("key_messages", [])
            if block.startswith("•"):
                n = sum(1 for k in kms if k["kind"] == "eu_action") + 1
                kms.append({"ref": f"EU-A{n}", "kind": "eu_action", "text": block[1:].strip()})
            elif roman := ROMAN.match(block):
                n = len(roman.group(1))
                kms.append({"ref": f"EU-C{n}", "kind": "eu_commitment", "text": roman.group(2)})
            elif not kms:
                section.setdefault("paragraphs", []).append(block)
            elif kms[-1]["kind"] == "eu_action":
                section.setdefault("paragraphs_between", []).append(block)
            else:
                section.setdefault("paragraphs_after", []).append(block)
            continue
        if mode == "key_messages":
            assert block.startswith("•"), block
            kms = section.setdefault("key_messages", [])
            kms.append({"ref": f"{section['ref']}-KM{len(kms) + 1}", "text": block[1:].strip()})
        else:
            text = block[1:].strip() if block.startswith("•") else block
            target.setdefault("paragraphs", []).append(text)
    return {"sections": sections, "footnotes": footnotes}


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON strings are valid YAML double-quoted


def emit_paragraphs(out: list[str], key: str, items: list[str], indent: str) -> None:
    out.append(f"{indent}{key}:")
    out.extend(f"{indent}  - {q(p)}" for p in items)


def emit(data: dict) -> str:
    out = [HEADER.rstrip("\n"), "sections:"]
    for s in data["sections"]:
        out.append(f"  - number: {q(s['number'])}")
        out.append(f"    kind: {s['kind']}")
        if "ref" in s:
            out.append(f"    ref: {s['ref']}")
        out.append(f"    title: {q(s['title'])}")
        if "paragraphs" in s:
            emit_paragraphs(out, "paragraphs", s["paragraphs"], "    ")
        for sub in s.get("subsections", []):
            if sub is s["subsections"][0]:
                out.append("    subsections:")
            out.append(f"      - number: {q(sub['number'])}")
            out.append(f"        title: {q(sub['title'])}")
            emit_paragraphs(out, "paragraphs", sub["paragraphs"], "        ")
        if "key_messages" in s:
            out.append("    key_messages:")
            for km in s["key_messages"]:
                out.append(f"      - ref: {km['ref']}")
                if "kind" in km:
                    out.append(f"        kind: {km['kind']}")
                out.append(f"        text: {q(km['text'])}")
        for key in ("paragraphs_between", "paragraphs_after"):
            if key in s:
                emit_paragraphs(out, key, s[key], "    ")
    out.append("footnotes:")
    out.extend(f"  {n}: {q(t)}" for n, t in sorted(data["footnotes"].items()))
    return "\n".join(out) + "\n"


TITLE = (
    "Het optimaliseren van het effect van migratie op ontwikkeling: bijdrage van de "
    "EU aan de VN-dialoog op hoog niveau en verdere stappen voor een bredere "
    "benadering van het verband tussen ontwikkeling en migratie"
)
SUMMARY = (
    "De Europese Commissie legt het gezamenlijke EU-standpunt voor de VN-dialoog op "
    "hoog niveau over internationale migratie en ontwikkeling van oktober 2013 voor, "
    "met kernboodschappen per rondetafel en voorstellen voor verdere stappen van de "
    "EU. De oorspronkelijke raadpleging liep van 21 juni tot en met 30 september 2013."
)

HEADER_TEMPLATE = """\
# Roundtable consultation seed: COM(2013) 292, Dutch text.
#
# Source: seeds/COM-2013-292-nl.txt, a text dump of the PDF of European
# Commission communication COM(2013) 292 (NL). The dump starts at section 1;
# the cover page with the official title is not in it.
# THIS FILE IS THE SOURCE OF TRUTH and is edited by hand. It was first
# generated by tools/extract_seed.py; do not regenerate it over hand edits.
#
# Text rules
# - All Dutch text (titles excepted) is verbatim from the source, each
#   paragraph on one line: page footers ("NL 11 NL") and footnote bodies are
#   removed from the running text. Typos in the source are kept on purpose
#   ("Als sinds", "de meest bewegingen", "sociale –en pensioenrechten",
#   the mismatched quotes in "traditionele”").
# - Section titles are UPPERCASE in the source and stored in sentence case.
# - Footnotes: the source glues the note number to the word ("uitgebreid7.");
#   here it is written as a marker right after that word: "uitgebreid[^7]."
#   The note texts are in `footnotes` at the bottom. Every note 1-14 is
#   cited exactly once. Careful: "na 2015[^6]" and "van 2012[^11]" are a
#   year followed by a note number ("20156", "201211" in the source).
# - refs (RT1, RT1-KM1, EU-A1, EU-C1, ...) are permanent identifiers that
#   positions, amendments and threads point to. Never renumber or reuse a
#   ref; correct the text in place instead.
#
# Shape
# - A section has: number, kind, ref (roundtables only), title, then
#   optional paragraphs, subsections, key_messages.
# - Key messages without `kind` have kind key_message; section 6 uses
#   eu_action (the bullets) and eu_commitment (the items i-iii).
# - Section 6 keeps the source order with two extra optional keys:
#     paragraphs         - before the first key message
#     paragraphs_between - between the eu_action and eu_commitment items
#                          (the lead-in to the commitments)
#     paragraphs_after   - after the last key message
#
# tests/unit/consultation/test_seed_file.py checks this file against the source.
schema: roundtable.consultation/1
consultation:
  slug: com-2013-292
  # Editorial title: the official title is not in the source dump. It is built
  # from the wording of section 1 ("Het optimaliseren van het effect van
  # migratie op ontwikkeling") and of the section 6 heading.
  title: {title}
  source_reference: COM(2013) 292
  language: nl
  status: published
  # Historical dates (21 June - 30 September 2013) are in the summary; instants or null.
  opens_at: null
  closes_at: null
  # Editorial summary (not from the source).
  summary: {summary}
positions: [support, support_with_amendments, oppose, neutral]
"""
HEADER = HEADER_TEMPLATE.format(title=q(TITLE), summary=q(SUMMARY))


if __name__ == "__main__":
    sys.stdout.write(emit(build()))
