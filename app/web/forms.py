"""Form state shared by every form: the person's values (kept on error) and errors by field."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData


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
    """The submitted text of each field; NUL characters are dropped (PostgreSQL rejects them)."""
    values = {}
    for name in names:
        raw = form.get(name)
        values[name] = raw.replace("\x00", "") if isinstance(raw, str) else ""
    return values
