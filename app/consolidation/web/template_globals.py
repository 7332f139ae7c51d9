"""Helpers the workspace's templates call: row labels, the chart, the filters' choices."""

from __future__ import annotations

from markupsafe import Markup

from app.consolidation.charts import matrix_svg
from app.consolidation.matrix import Dimension, Matrix, heading_of, label_of
from app.consolidation.selection import INDIVIDUAL, M49_REGIONS
from app.discussion.labels import position_label, stakeholder_label
from app.i18n import _
from app.organisations.labels import m49_name
from app.organisations.models import OrganisationType


def matrix_chart(matrix: Matrix, chart_id: str, subject: str) -> Markup:
    """The chart of a matrix, titled with what it shows and of what (`subject`: a key message's ref)."""
    title = _(
        "Chart of positions on %(subject)s by %(rows)s", subject=subject, rows=heading_of(matrix.dimension).lower()
    )
    return matrix_svg(
        matrix,
        chart_id=chart_id,
        title=title,
        row_label=lambda key: label_of(matrix.dimension, key),
        position_label=position_label,
    )


def view_label(dimension: Dimension) -> str:
    return {
        Dimension.STAKEHOLDER_TYPE: _("By stakeholder type"),
        Dimension.REGION: _("By region"),
        Dimension.COUNTRY: _("By country of registration"),
        Dimension.ORIGIN: _("By diaspora origin"),
    }[dimension]


def type_choices() -> list[tuple[str, str]]:
    return [(t.value, stakeholder_label(t.value)) for t in OrganisationType] + [
        (INDIVIDUAL, stakeholder_label(INDIVIDUAL))
    ]


def region_choices() -> list[tuple[str, str]]:
    return [(code, m49_name(code)) for code in M49_REGIONS]


TEMPLATE_GLOBALS = {
    "matrix_chart": matrix_chart,
    "matrix_row_label": label_of,
    "matrix_heading": heading_of,
    "view_label": view_label,
    "workspace_type_choices": type_choices,
    "workspace_region_choices": region_choices,
}
