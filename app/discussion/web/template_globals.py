"""What the discussion templates call: label helpers (app.discussion.labels) and the few
functions pages use to present text, gathered for app.main to install at start-up."""

from __future__ import annotations

from babel import Locale

from app.discussion.attachments import file_size
from app.discussion.contribution_write import CONTRIBUTION_LANGUAGES
from app.discussion.labels import (
    consent_choices,
    contribution_labels,
    position_label,
    stakeholder_label,
    topic_label,
)
from app.discussion.own_contributions import time_of_day
from app.discussion.redline import redline
from app.discussion.topics import MAX_TOPICS
from app.discussion.web.quote_marks import quote_highlights
from app.i18n import cached_per_locale, current_locale
from app.text.footnotes import sentences, strip_footnote_markers


@cached_per_locale
def language_choices() -> list[tuple[str, str]]:
    """(code, "autonym — name in the reader's language") for the contribution form."""
    reader = Locale.parse(current_locale.get())
    choices = []
    for code in CONTRIBUTION_LANGUAGES:
        language = Locale.parse(code)
        autonym, local = language.get_display_name(language) or code, language.get_display_name(reader) or code
        choices.append((code, autonym if autonym == local else f"{autonym} — {local}"))
    return choices


TEMPLATE_GLOBALS = {
    "position_label": position_label,
    "stakeholder_label": stakeholder_label,
    "contribution_labels": contribution_labels,
    "topic_label": topic_label,
    "max_topics": MAX_TOPICS,
    "consent_choices": consent_choices,
    "sentences": sentences,
    "quote_highlights": quote_highlights,
    "plain_text": strip_footnote_markers,
    "language_choices": language_choices,
    "file_size": file_size,
    "time_of_day": time_of_day,
    "redline": redline,
}
