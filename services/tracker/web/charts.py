"""The report's charts as inline SVG made on the server (docs/contract.md §8.2): no script, readable in
greyscale and on paper, because every series differs by line dash, marker or fill pattern and every
point carries its figure as text. Each chart has a <title> and <desc>; the page puts a table with the
same figures beside it as its text alternative. Pure: figures in, markup out."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

W, H = 560, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 60, 34
DASHES = ("", "7 4", "2 3")  # solid, dashed, dotted: told apart without colour
INKS = ("#000", "#444", "#666")
MARKERS = ("circle", "square", "diamond")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # shares in percent, 0 to 100; None: no figure for that point


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page: the SVG's title, desc and patterns are named after it
    title: str
    desc: str
    labels: tuple[str, ...]  # the time axis (or categories), short
    series: tuple[Series, ...]


def figure(value: float | None) -> str:
    """A point's words, on the chart and in its table alike."""
    return "–" if value is None else f"{round(value)}%"


def _x(chart: Chart, i: int) -> float:
    slot = (W - LEFT - RIGHT) / max(len(chart.labels), 1)
    return round(LEFT + slot * (i + 0.5), 1)


def _y(value: float) -> float:
    return round(TOP + (H - TOP - BOTTOM) * (1 - min(max(value, 0), 100) / 100), 1)


def _frame(chart: Chart) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H}" role="img" '
             f'aria-labelledby="{chart.id}-t {chart.id}-d">',
             f'<title id="{chart.id}-t">{escape(chart.title)}</title>',
             f'<desc id="{chart.id}-d">{escape(chart.desc)}</desc>',
             '<rect x="0" y="0" width="100%" height="100%" fill="#fff"/>']
    for level in (0, 25, 50, 75, 100):
        y = _y(level)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{W - RIGHT}" y2="{y}" stroke="#bbb" stroke-width="1"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" font-size="12" fill="#000">{level}%</text>')
    for i, label in enumerate(chart.labels):
        parts.append(f'<text class="label" x="{_x(chart, i)}" y="{H - BOTTOM + 18}" text-anchor="middle" '
                     f'font-size="12" fill="#000">{escape(label)}</text>')
    return parts


def _legend(chart: Chart, swatch) -> list[str]:
    """A row per series above the plot, so a long name (Welsh ones are) never runs off the chart."""
    parts = []
    for k, s in enumerate(chart.series):
        y = 16 + 18 * k
        parts.append(swatch(k, LEFT, y))
        parts.append(f'<text x="{LEFT + 30}" y="{y + 4}" font-size="13" fill="#000">{escape(s.name)}</text>')
    return parts


def _marker(k: int, x: float, y: float) -> str:
    ink = INKS[k % 3]
    match MARKERS[k % 3]:
        case "circle":
            return f'<circle cx="{x}" cy="{y}" r="4" fill="{ink}"/>'
        case "square":
            return f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="#fff" stroke="{ink}" stroke-width="2"/>'
    return f'<path d="M{x} {y - 5}L{x + 5} {y}L{x} {y + 5}L{x - 5} {y}Z" fill="{ink}"/>'


def _on_top(chart: Chart, k: int, i: int) -> bool:
    """The highest point at a month has its figure above it, the others below theirs: two close shares
    (33 % and 40 %) never print their figures over each other."""
    here = [(s.values[i], -n) for n, s in enumerate(chart.series) if i < len(s.values) and s.values[i] is not None]
    return max(here) == (chart.series[k].values[i], -k)


def line_chart(chart: Chart) -> Markup:
    """Several shares over one time axis: each series its own dash and marker, each point its figure."""
    parts = _frame(chart)
    parts += _legend(chart, lambda k, x, y: (
        f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{INKS[k % 3]}" stroke-width="2" '
        f'stroke-dasharray="{DASHES[k % 3]}"/>' + _marker(k, x + 12, y)))
    for k, s in enumerate(chart.series):
        points = [(_x(chart, i), _y(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x},{y}" for x, y in points)
            parts.append(f'<polyline data-series="{k}" points="{path}" fill="none" stroke="{INKS[k % 3]}" '
                         f'stroke-width="2" stroke-dasharray="{DASHES[k % 3]}"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                x, y = _x(chart, i), _y(v)
                dy = -9 if _on_top(chart, k, i) else 17
                parts.append(_marker(k, x, y) + f'<text class="value" data-series="{k}" data-point="{i}" x="{x}" '
                             f'y="{y + dy}" text-anchor="middle" font-size="12" fill="#000">{figure(v)}</text>')
    return Markup("".join(parts + ["</svg>"]))


def bar_chart(chart: Chart) -> Markup:
    """Shares side by side for each label: the first series solid, the next hatched, the next dotted."""
    parts = _frame(chart)
    parts.insert(3, f'<defs><pattern id="{chart.id}-p1" width="6" height="6" patternUnits="userSpaceOnUse" '
                    f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
                    f'<line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="3"/></pattern>'
                    f'<pattern id="{chart.id}-p2" width="5" height="5" patternUnits="userSpaceOnUse">'
                    f'<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.3" fill="#000"/>'
                    f'</pattern></defs>')
    fills = ("#333", f"url(#{chart.id}-p1)", f"url(#{chart.id}-p2)")
    parts += _legend(chart, lambda k, x, y: f'<rect x="{x}" y="{y - 8}" width="24" height="14" '
                                            f'fill="{fills[k % 3]}" stroke="#000"/>')
    slot = (W - LEFT - RIGHT) / max(len(chart.labels), 1)
    width = min(28.0, slot * 0.8 / max(len(chart.series), 1))
    for k, s in enumerate(chart.series):
        for i, v in enumerate(s.values):
            x = round(_x(chart, i) - width * len(chart.series) / 2 + width * k, 1)
            y = _y(v or 0)
            if v is not None:
                parts.append(f'<rect x="{x}" y="{y}" width="{round(width - 2, 1)}" height="{round(_y(0) - y, 1)}" '
                             f'fill="{fills[k % 3]}" stroke="#000"/>')
            parts.append(f'<text class="value" data-series="{k}" data-point="{i}" x="{round(x + width / 2 - 1, 1)}" '
                         f'y="{y - 4}" text-anchor="middle" font-size="11" fill="#000">{figure(v)}</text>')
    return Markup("".join(parts + ["</svg>"]))
