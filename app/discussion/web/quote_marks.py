"""The key message text with its quoted passages marked, each followed by a link to what
quotes it (the key message page, its form, the passage page)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from app.consultation.models import Consultation, KeyMessage
from app.discussion.quotes import QuotedPassage
from app.i18n import ngettext
from app.text.footnotes import strip_footnote_markers
from app.text.highlight import Mark, highlighted
from app.urls import path_for


def passage_url(consultation: Consultation, message: KeyMessage, start: int, end: int) -> str:
    return path_for("passage", slug=consultation.slug, ref=message.ref, start=start, end=end)


def quote_highlights(consultation: Consultation, message: KeyMessage, passages: Sequence[QuotedPassage]) -> Markup:
    """The key message text with each quoted passage marked and followed by a link to what
    quotes it: the contribution itself when there is one, else the passage page. The link
    sits after the mark, not around it, so the text stays selectable for quoting and the
    footnote links inside a passage stay links."""
    length = len(strip_footnote_markers(message.text))
    marks = [Mark(p.start, p.end, _link(consultation, message, p)) for p in passages if p.end <= length]
    return highlighted(message.text, marks)


def _link(consultation: Consultation, message: KeyMessage, passage: QuotedPassage) -> Markup:
    label = ngettext("Quoted by %(num)s contribution", "Quoted by %(num)s contributions", passage.count)
    if passage.contribution_id is not None:
        href = path_for("thread", contribution_id=passage.contribution_id)
    else:
        href = passage_url(consultation, message, passage.start, passage.end)
    return Markup(
        '<a class="quoted-by" href="{href}" title="{label}" data-quote-skip>'
        '<span aria-hidden="true">{count}</span><span class="visually-hidden">{label}</span></a>'
    ).format(href=href, label=label, count=passage.count)
