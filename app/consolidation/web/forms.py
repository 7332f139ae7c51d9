"""The workspace's GET form: the Selection, the matrix's view, and what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from app.consolidation.matrix import Dimension
from app.consolidation.selection import MAX_VALUE_CHARS, Selection, parse_selection
from app.consultation.models import Consultation
from app.i18n import _

#: Fields typed as text: shown again as typed (cut to a sane length) beside their error.
TYPED = ("since", "until")


@dataclass(frozen=True)
class WorkspaceForm:
    selection: Selection
    dimension: Dimension
    errors: dict[str, str]
    #: What was typed in the text fields, and every value chosen of each list.
    values: dict[str, Any]

    def query(self, *, without_key_message: bool = False, dimension: Dimension | None = None) -> str:
        """The form's query string (selection and view), for links that keep the filters."""
        params = [
            (name, value)
            for name, value in self.selection.as_params()
            if not (without_key_message and name in ("roundtable", "key_message"))
        ]
        chosen = dimension or self.dimension
        if chosen is not Dimension.STAKEHOLDER_TYPE:
            params.append(("view", chosen.value))
        return urlencode(params)


def parse_workspace_form(params: QueryParams, consultation: Consultation) -> WorkspaceForm:
    parsed = parse_selection(params, consultation)
    errors = dict(parsed.errors)
    view = params.get("view") or Dimension.STAKEHOLDER_TYPE.value
    dimension = next((d for d in Dimension if d.value == view), None)
    if dimension is None:
        errors["view"] = _("Choose a view from the list.")
        dimension = Dimension.STAKEHOLDER_TYPE
    values: dict[str, Any] = {name: (params.get(name) or "")[: MAX_VALUE_CHARS * 2] for name in TYPED}
    for name in ("type", "region", "position"):
        values[name] = set(params.getlist(name))
    return WorkspaceForm(parsed.selection, dimension, errors, values)
