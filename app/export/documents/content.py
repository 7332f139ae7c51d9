"""What a drafting document says, as plain frozen dataclasses: the DOCX, PDF and XLSX renderers
draw the same DocumentContent, so the three files of one snapshot say the same thing.

Every figure and quote carries the ids of the contributions it stands for, so a reader can
trace it to the annex (and the site). Publication consent is already applied: a name or an
organisation a byline withholds never reaches a DocumentContent (see app.export.documents.loader)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Words:
    """The document's own words (headings, labels), translated into the request's language."""

    document: str
    source: str
    snapshot: str
    selection: str
    everything: str
    key_message: str
    original_text: str
    matrix: str
    matrix_caption: str
    stakeholder_type: str
    total: str
    counted: str
    no_positions: str
    alternatives: str
    alternatives_note: str
    sponsors: str
    unnamed_sponsors: str
    variants: str
    endorsed_by: str
    no_alternatives: str
    quotes: str
    no_quotes: str
    dissent: str
    no_dissent: str
    annex: str
    annex_note: str
    reply_to: str
    superseded_by: str
    withheld: str
    proposed_wording: str
    contributions: str
    summary: str
    contribution_columns: tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    count: int
    contribution_ids: tuple[int, ...]  #: the positions counted here


@dataclass(frozen=True)
class MatrixRow:
    label: str  #: a stakeholder type's label ("Civil-society organisation")
    cells: tuple[Cell, ...]  #: one per position of the matrix, in its order
    total: int


@dataclass(frozen=True)
class PositionMatrix:
    """Stakeholder type × position: current positions only, a campaign counting once."""

    positions: tuple[str, ...]  #: position labels, the columns
    rows: tuple[MatrixRow, ...]
    totals: tuple[Cell, ...]  #: per position
    total: int

    @property
    def contribution_ids(self) -> tuple[int, ...]:
        return tuple(sorted(i for cell in self.totals for i in cell.contribution_ids))


@dataclass(frozen=True)
class Alternative:
    """A wording proposed instead of the key message's, with who proposed and endorsed it."""

    wording: str
    #: Organisations that proposed it, each once; `sponsor_count` adds each proposer no
    #: organisation is named for (a person, or published anonymously).
    sponsors: tuple[str, ...]
    endorsers: tuple[str, ...]  #: organisations that co-signed it, each once
    contribution_ids: tuple[int, ...]
    sponsor_count: int = 0
    #: Near-identical wordings merged into it: (the earliest contribution's id, wording).
    variants: tuple[tuple[int, str], ...] = ()

    @property
    def unnamed_sponsors(self) -> int:
        return max(self.sponsor_count - len(self.sponsors), 0)


def sponsors_text(alternative: Alternative, words: Words) -> str:
    """ "Sponsors: A; B; 2 without an organisation named; endorsed by C"."""
    named = list(alternative.sponsors)
    if alternative.unnamed_sponsors:
        named.append(f"{alternative.unnamed_sponsors} {words.unnamed_sponsors}")
    text = f"{words.sponsors}: {'; '.join(named)}"
    if alternative.endorsers:
        text += f"; {words.endorsed_by} {'; '.join(alternative.endorsers)}"
    return text


@dataclass(frozen=True)
class Quote:
    """A contributor's words, attributed as their publication consent allows."""

    text: str
    attribution: str
    contribution_id: int
    position: str  #: the position's label


@dataclass(frozen=True)
class KeyMessageContent:
    ref: str
    text: str  #: without footnote markers
    language: str
    matrix: PositionMatrix
    alternatives: tuple[Alternative, ...]
    quotes: tuple[Quote, ...]
    dissents: tuple[Quote, ...]


@dataclass(frozen=True)
class SectionContent:
    ref: str
    title: str
    key_messages: tuple[KeyMessageContent, ...]


@dataclass(frozen=True)
class AnnexEntry:
    """One contribution as negotiators may see it: `text` is None unless it is visible."""

    id: int
    key_message_ref: str
    parent_id: int | None
    position: str  #: label, "" for a reply
    stakeholder_type: str  #: label
    attribution: str
    publication: str  #: label
    state: str  #: moderation and position state, in words ("Visible", "Hidden: reason", "Superseded by #9")
    created: str  #: in Brussels time
    text: str | None
    amendment: str | None
    campaign_id: int | None
    language: str | None

    @property
    def facts(self) -> str:
        """Its position, speaker, consent, state and date in one line."""
        facts = (self.position, self.stakeholder_type, self.attribution, self.publication, self.state, self.created)
        return " · ".join(fact for fact in facts if fact)

    def row(self) -> tuple[object, ...]:
        """The annex as a table row, in the order of Words.contribution_columns."""
        return (
            self.id,
            self.key_message_ref,
            self.parent_id,
            self.position,
            self.stakeholder_type,
            self.attribution,
            self.publication,
            self.state,
            self.created,
            self.text or "",
            self.amendment or "",
            self.campaign_id,
        )


@dataclass(frozen=True)
class DocumentContent:
    title: str
    source_reference: str
    as_of: datetime  #: the snapshot's time (the data's own), aware
    as_of_text: str  #: as_of in Brussels time, with its offset
    selection_text: str  #: the filters, in words
    language: str  #: of the document's own words
    text_language: str  #: of the consultation's text
    words: Words
    sections: tuple[SectionContent, ...]
    annex: tuple[AnnexEntry, ...]

    @property
    def key_messages(self) -> tuple[KeyMessageContent, ...]:
        return tuple(message for section in self.sections for message in section.key_messages)


def cite(ids: tuple[int, ...] | list[int]) -> str:
    """Contribution ids as a document cites them: "(#12, #15)"; "" for none."""
    return "(" + ", ".join(f"#{i}" for i in ids) + ")" if ids else ""
