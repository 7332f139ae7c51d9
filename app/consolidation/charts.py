"""A position matrix drawn as SVG: one stacked horizontal bar per row, a segment per position.

Written on the server as plain markup (no script), with presentation attributes rather
than styles, so the same drawing serves the workspace page and the PDF. The chart is an
image with a text alternative that reads the rows out; pages show the table beside it, so
nothing is told by colour alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.consolidation.matrix import Matrix, MatrixRow
from app.i18n import _

#: Okabe-Ito colours, told apart with the common colour-vision deficiencies.
KNOWN_COLOURS = {"support": "#009E73", "support_with_amendments": "#56B4E9", "oppose": "#D55E00", "neutral": "#999999"}
OTHER_COLOURS = ("#E69F00", "#0072B2", "#CC79A7", "#F0E442", "#000000")
LABEL_WIDTH = 210
BAR_WIDTH = 330
COUNT_WIDTH = 50
ROW_HEIGHT = 22
BAR_HEIGHT = 14
LEGEND_HEIGHT = 26
#: Longer row labels are cut in the drawing (the table beside it has them whole).
LABEL_CHARS = 32


def position_colours(positions: tuple[str, ...]) -> dict[str, str]:
    others = iter(OTHER_COLOURS * (len(positions) // len(OTHER_COLOURS) + 1))
    return {p: KNOWN_COLOURS.get(p) or next(others) for p in positions}


@dataclass(frozen=True)
class Segment:
    position: str
    x: float
    width: float
    count: int


def segments(row: MatrixRow, positions: tuple[str, ...], scale: float) -> list[Segment]:
    """The row's positions side by side, `scale` pixels per position counted; empty ones left out."""
    found, x = [], 0.0
    for position in positions:
        count = row.counts.get(position, 0)
        if count:
            found.append(Segment(position, x, count * scale, count))
            x += count * scale
    return found


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def description(matrix: Matrix, row_label: Callable[[str], str], position_label: Callable[[str], str]) -> str:
    """The chart read out, row by row: what a screen reader says instead of the drawing."""
    parts = []
    for row in matrix.rows:
        counts = ", ".join(f"{row.counts[p]} {position_label(p)}" for p in matrix.positions if row.counts.get(p))
        parts.append(f"{row_label(row.key)}: {counts}")
    return "; ".join(parts) + "." if parts else _("No positions counted.")


def matrix_svg(
    matrix: Matrix,
    *,
    chart_id: str,
    title: str,
    row_label: Callable[[str], str],
    position_label: Callable[[str], str],
) -> Markup:
    """The chart as an <svg> element; `chart_id` makes its title's and description's ids unique."""
    colours = position_colours(matrix.positions)
    largest = max((row.total for row in matrix.rows), default=0)
    scale = BAR_WIDTH / largest if largest else 0.0
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    height = LEGEND_HEIGHT + ROW_HEIGHT * max(len(matrix.rows), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="matrix-chart" role="img" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description(matrix, row_label, position_label))}</desc>',
    ]
    parts += _legend(matrix.positions, colours, position_label)
    for index, row in enumerate(matrix.rows):
        y = LEGEND_HEIGHT + index * ROW_HEIGHT
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 2}" text-anchor="end" font-size="12">'
            f"{escape(_cut(row_label(row.key)))}</text>"
        )
        for s in segments(row, matrix.positions, scale):
            parts.append(
                f'<rect x="{LABEL_WIDTH + s.x:.1f}" y="{y}" width="{s.width:.1f}" height="{BAR_HEIGHT}"'
                f' fill="{colours[s.position]}" stroke="#ffffff" stroke-width="1"/>'
            )
        end = LABEL_WIDTH + row.total * scale + 4
        parts.append(f'<text x="{end:.1f}" y="{y + BAR_HEIGHT - 2}" font-size="12">{row.total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped above


def _legend(positions: tuple[str, ...], colours: dict[str, str], position_label: Callable[[str], str]) -> list[str]:
    parts, x = [], 0
    for position in positions:
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colours[position]}"/>')
        label = position_label(position)
        parts.append(f'<text x="{x + 16}" y="14" font-size="12">{escape(label)}</text>')
        x += 16 + 7 * len(label) + 14
    return parts
