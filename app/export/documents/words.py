"""The words of a drafting document: its headings and labels in the request's language, and
contributors' text turned into plain text a document can hold."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from app.discussion.models import PublicationConsent
from app.export.documents.content import Words
from app.i18n import BRUSSELS, _, cached_per_locale, current_locale
from app.text.safe import clean_text

#: Tags that end a paragraph, and a line, of sanitised contribution HTML (app.text.markdown).
_PARAGRAPH_ENDS = re.compile(r"</p>|</blockquote>|</pre>|<hr\s*/?>|</ul>|</ol>", re.IGNORECASE)
_LINE_ENDS = re.compile(r"<br\s*/?>|</li>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """gettext answers in `language` inside the block (the document's words, not the reader's page)."""
    token = current_locale.set(language)
    try:
        yield
    finally:
        current_locale.reset(token)


def plain_text(body_html: str) -> str:
    """Sanitised contribution HTML as plain text: paragraphs on their own lines, no markup,
    no control characters (XML, and so DOCX and XLSX, cannot hold them)."""
    text = _TAG.sub("", _LINE_ENDS.sub("\n", _PARAGRAPH_ENDS.sub("\n\n", body_html)))
    return document_text(_BLANK_LINES.sub("\n\n", html.unescape(text)).strip())


def document_text(value: str) -> str:
    """Any text bound for a document, without the control characters XML forbids."""
    return clean_text(value)


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip() + "…"


def brussels_time(moment: datetime) -> str:
    """ "2026-07-01 12:30 CEST (UTC+02:00)": a contribution's time in the annex, in Brussels
    with its offset, sortable, and cheap enough for 100,000 rows (Babel's long form, on the
    title page, cost a tenth of a millisecond each)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BRUSSELS)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"


def publication_label(consent: PublicationConsent) -> str:
    return _publication_labels()[consent]


@cached_per_locale
def _publication_labels() -> dict[PublicationConsent, str]:
    return {
        PublicationConsent.NAMED: _("Named"),
        PublicationConsent.ORGANISATION_ONLY: _("Organisation only"),
        PublicationConsent.ANONYMOUS: _("Anonymous"),
        PublicationConsent.NOT_FOR_PUBLICATION: _("Not for publication"),
    }


def document_words() -> Words:
    """The headings and labels, in the current locale (see in_language)."""
    return Words(
        document=_("Consolidated input for drafting"),
        source=_("Source"),
        snapshot=_("Snapshot of the data as of"),
        selection=_("Selection"),
        everything=_("All contributions"),
        key_message=_("Key message"),
        original_text=_("Original text"),
        matrix=_("Positions by stakeholder type"),
        matrix_caption=_(
            "Current positions only, a campaign of near-identical contributions counting once; "
            "positions not for publication are not counted. The contributions counted are listed under the table."
        ),
        stakeholder_type=_("Stakeholder type"),
        total=_("Total"),
        counted=_("Counted"),
        no_positions=_("No position counted."),
        alternatives=_("Alternative wordings"),
        alternatives_note=_("Each alternative in square brackets, with its sponsors."),
        sponsors=_("Sponsors"),
        unnamed_sponsors=_("without an organisation named"),
        variants=_("Near-identical wordings merged into it"),
        endorsed_by=_("endorsed by"),
        no_alternatives=_("No alternative wording proposed."),
        quotes=_("Quotes"),
        no_quotes=_("No quote."),
        dissent=_("Dissenting views"),
        no_dissent=_("No opposing position."),
        annex=_("Annex: all contributions"),
        annex_note=_(
            "Every contribution negotiators may see, by id, with its moderation state. "
            "The text of a contribution hidden by the moderators or withdrawn is withheld."
        ),
        reply_to=_("reply to"),
        superseded_by=_("Superseded by"),
        withheld=_("Text withheld."),
        proposed_wording=_("Proposed wording"),
        contributions=_("Contributions"),
        summary=_("Summary"),
        contribution_columns=(
            _("Id"),
            _("Key message"),
            _("Reply to"),
            _("Position"),
            _("Stakeholder type"),
            _("Contributor"),
            _("Publication"),
            _("State"),
            _("Date"),
            _("Text"),
            _("Proposed wording"),
            _("Campaign"),
        ),
    )
