"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, works offline.

Each chart is a `<figure>` with an SVG that has a text alternative, and the
same numbers as a table for screen readers, so nobody depends on the picture.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#0b5394"
LINE = "#0b5394"
GRID = "#767676"
WIDTH = 480


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _table(chart_id: str, caption: str, items: Sequence[tuple[str, float]], unit: str) -> str:
    rows = "".join(f"<tr><th scope=\"row\">{escape(label)}</th><td>{_fmt(value)}{escape(unit)}"
                   f"</td></tr>" for label, value in items)
    return (f'<table class="visually-hidden" id="{chart_id}-data"><caption>{escape(caption)}'
            f"</caption><tbody>{rows}</tbody></table>")


def bar_chart(chart_id: str, caption: str, items: Sequence[tuple[str, float]],
              unit: str = "", max_value: float | None = None) -> Markup:
    """Horizontal bars with the label on the left and the value at the bar's end."""
    if not items:
        return Markup("")
    top = max_value or max((v for _, v in items), default=0) or 1
    row, label_w, bar_w = 26, 150, WIDTH - 150 - 60
    height = row * len(items) + 8
    parts = [f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-t">'
             f'<title id="{chart_id}-t">{escape(caption)}</title>']
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = max(0.0, min(1.0, value / top)) * bar_w
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(label[:22])}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{BAR}"></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{_fmt(value)}{escape(unit)}</text>')
    parts.append("</svg>")
    return _figure(chart_id, caption, "".join(parts), items, unit)


def line_chart(chart_id: str, caption: str, points: Sequence[tuple[str, float]],
               low: float, high: float, unit: str = "") -> Markup:
    """A line over time with dots; `low`/`high` fix the scale (e.g. 1 to 5 for mood)."""
    if not points:
        return Markup("")
    height, pad_l, pad_b, pad_t = 200, 36, 28, 10
    inner_w, inner_h = WIDTH - pad_l - 10, height - pad_b - pad_t
    step = inner_w / max(len(points) - 1, 1)
    span = (high - low) or 1

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad_l + i * step, pad_t + inner_h - (min(max(v, low), high) - low) / span * inner_h

    parts = [f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-t">'
             f'<title id="{chart_id}-t">{escape(caption)}</title>']
    for tick in (low, (low + high) / 2, high):
        _, y = xy(0, tick)
        parts.append(f'<line x1="{pad_l}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-dasharray="2 4"></line>'
                     f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>')
    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="3">'
                 "</polyline>")
    every = max(1, len(points) // 6)
    for i, ((label, _), (x, y)) in enumerate(zip(points, coords, strict=True)):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{LINE}"></circle>')
        if i % every == 0 or i == len(points) - 1:
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">'
                         f"{escape(label)}</text>")
    parts.append("</svg>")
    return _figure(chart_id, caption, "".join(parts), points, unit)


def _figure(chart_id: str, caption: str, svg: str, items: Sequence[tuple[str, float]],
            unit: str) -> Markup:
    html = (f'<figure class="figure" aria-describedby="{chart_id}-data">{svg}'
            f"<figcaption>{escape(caption)}</figcaption>"
            f"{_table(chart_id, caption, items, unit)}</figure>")
    return Markup(html)  # noqa: S704 - every value in it was escaped above
