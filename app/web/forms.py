"""Form state shared by every form: the person's values (kept on error) and errors by field."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData, QueryParams

from app.text.safe import clean_text

#: The limits Starlette's form parser applies to every `request.form()` of the site: a longer
#: field or more fields is refused with the site's own 413 or 400 page (app.web.errors).
FIELD_SIZE_LIMIT = 1024 * 1024
FIELD_COUNT_LIMIT = 1000


@dataclass
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


def text_values(form: FormData, *names: str) -> dict[str, str]:
    """The submitted text of each field, cleaned of control characters (app.text.safe):
    every view reads what people type through here, so nothing stored can break a page, a
    feed or an export. A file where text was expected reads as empty."""
    values = {}
    for name in names:
        raw = form.get(name)
        values[name] = clean_text(raw) if isinstance(raw, str) else ""
    return values


def query_text(params: QueryParams, name: str) -> str:
    """A query-string value used as text (a search, a filter shown back in its field), cleaned
    like form text."""
    return clean_text(params.get(name, ""))
