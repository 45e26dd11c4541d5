"""Charts as small hand-written SVG (bars and lines), and as PNG for Word.

The SVG is plain vector drawing with text, so it scales in HTML and PDF and
needs no plotting library. Colours have at least 3:1 contrast against white and
every series is also told apart by its legend, its marker shape and the data
table printed beside the chart (WCAG 1.4.1: not colour alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

import typst

from bokslut.document import Chart, ChartKind
from bokslut.render.numbers import format_number

PALETTE = ("#1f4e79", "#c0590c", "#2e7d32", "#6a3d9a")
WIDTH = 640
# A goal assessment is drawn in the colour readers expect (red for not met, amber for
# partly, green for met), each at least 3:1 against white; the category name beside
# the bar says the same in words.
STATUS_COLOUR = {
    "uppfyllt": "#2e7d32",
    "delvis uppfyllt": "#a35a00",
    "ej uppfyllt": "#b3261e",
    "kan inte bedömas": "#6b6b6b",
}
# Value labels of a line chart keep at least this far apart vertically (font size 12).
LABEL_GAP = Decimal(13)
_TEXT = "#222222"
_GRID = "#d0d0d0"


def _nice_step(span: Decimal, ticks: int = 5) -> Decimal:
    raw = span / ticks if span > 0 else Decimal(1)
    exp = raw.adjusted()
    base = Decimal(10) ** exp
    for m in (1, 2, 5, 10):
        if raw <= base * m:
            return base * m
    return base * 10


def _scale(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    lo = min([Decimal(0), *values])
    hi = max([Decimal(0), *values])
    if lo == hi:
        hi = lo + 1
    step = _nice_step(hi - lo)
    lo = (lo / step).to_integral_value(rounding="ROUND_FLOOR") * step
    hi = (hi / step).to_integral_value(rounding="ROUND_CEILING") * step
    return lo, hi, step


def _f(x: Decimal | float | int) -> str:
    """Coordinates with two decimals, so the SVG text is the same on every machine."""
    return f"{Decimal(x).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")


def _el(tag: str, text: str | None = None, **attrs: object) -> str:
    """One SVG element; attribute names use _ for - (text_anchor → text-anchor)."""
    parts = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    if text is None:
        return f"<{tag} {parts}/>"
    return f"<{tag} {parts}>{escape(text)}</{tag}>"


def _label_lines(text: str, width: int = 16) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return lines[:3]


def chart_svg(chart: Chart, font_family: str = "sans-serif") -> str:
    # Many categories do not fit side by side: they are drawn as horizontal bars.
    if chart.kind is ChartKind.HBAR or (chart.kind is ChartKind.BAR and len(chart.categories) > 8):
        body, height = _hbar(chart)
    else:
        body, height = _vertical(chart)
    title_id = f"{chart.anchor}-titel"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{title_id}" '
        f'font-family="{escape(font_family)}" font-size="12" fill="{_TEXT}">'
        f'<title id="{title_id}">{escape(chart.alt)}</title>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>' + body + "</svg>"
    )


def _legend(chart: Chart, y: int) -> list[str]:
    out: list[str] = []
    x = 120
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        if chart.kind is ChartKind.LINE:
            out.append(_el("line", x1=x, y1=y - 4, x2=x + 18, y2=y - 4, stroke=colour, stroke_width=2.5))
            out.append(_marker(i, Decimal(x + 9), Decimal(y - 4), colour))
        else:
            out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 24}" y="{y}">{escape(s.name)}</text>')
        x += 36 + 7 * len(s.name)
    return out


def _marker(i: int, x: Decimal, y: Decimal, colour: str) -> str:
    if i % 2 == 0:
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="{colour}"/>'
    return f'<rect x="{_f(x - 4)}" y="{_f(y - 4)}" width="8" height="8" fill="{colour}"/>'


def _vertical(chart: Chart) -> tuple[str, int]:
    height = 300
    left, right, top, bottom = 72, 16, 34, 52
    plot_w = Decimal(WIDTH - left - right)
    plot_h = Decimal(height - top - bottom)
    values = [v for s in chart.series for v in s.values if v is not None]
    lo, hi, step = _scale(values)

    def y_of(v: Decimal) -> Decimal:
        return Decimal(top) + (hi - v) / (hi - lo) * plot_h

    out: list[str] = _legend(chart, 20)
    tick_decimals = 0 if step >= 1 else max(chart.decimals, 1)
    tick = lo
    while tick <= hi:
        y = y_of(tick)
        out.append(
            _el(
                "line",
                x1=left,
                y1=_f(y),
                x2=WIDTH - right,
                y2=_f(y),
                stroke=_GRID,
                stroke_width=0.6,
            )
        )
        label = format_number(tick, tick_decimals)
        out.append(_el("text", label, x=left - 6, y=_f(y + 4), text_anchor="end"))
        tick += step
    if chart.unit_label:
        out.append(
            _el(
                "text",
                chart.unit_label,
                x=left - 6,
                y=top - 10,
                text_anchor="end",
                font_style="italic",
            )
        )
    n = len(chart.categories)
    band = plot_w / max(n, 1)
    zero = y_of(Decimal(0))
    if chart.kind is ChartKind.BAR:
        k = len(chart.series)
        bar_w = min(band * Decimal("0.8") / k, Decimal(48))
        group_w = bar_w * k
        for j in range(n):
            x0 = Decimal(left) + band * j + (band - group_w) / 2
            for i, s in enumerate(chart.series):
                v = s.values[j]
                if v is None:
                    continue
                y = y_of(v)
                top_y, h = (y, zero - y) if v >= 0 else (zero, y - zero)
                out.append(
                    f'<rect x="{_f(x0 + bar_w * i)}" y="{_f(top_y)}" width="{_f(bar_w - 2)}" '
                    f'height="{_f(max(h, Decimal("0.5")))}" fill="{PALETTE[i % len(PALETTE)]}"/>'
                )
    else:
        labels: dict[int, list[tuple[Decimal, str]]] = {}  # per category: (wanted baseline, text)
        for i, s in enumerate(chart.series):
            colour = PALETTE[i % len(PALETTE)]
            pts = [
                (j, Decimal(left) + band * j + band / 2, y_of(v), v)
                for j, v in enumerate(s.values)
                if v is not None
            ]
            if len(pts) > 1:
                path = " ".join(f"{_f(x)},{_f(y)}" for _, x, y, _ in pts)
                out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            for j, x, y, v in pts:
                out.append(_marker(i, x, y, colour))
                labels.setdefault(j, []).append((y, format_number(v, chart.decimals)))
        for j, points in labels.items():
            x = Decimal(left) + band * j + band / 2
            out.extend(_point_labels(x, sorted(points), Decimal(top), Decimal(height - bottom)))
    out.append(
        _el(
            "line",
            x1=left,
            y1=_f(zero),
            x2=WIDTH - right,
            y2=_f(zero),
            stroke=_TEXT,
            stroke_width=1,
        )
    )
    for j, cat in enumerate(chart.categories):
        cx = Decimal(left) + band * j + band / 2
        for li, line in enumerate(_label_lines(cat)):
            label_y = height - bottom + 18 + 14 * li
            out.append(_el("text", line, x=_f(cx), y=label_y, text_anchor="middle"))
    return "".join(out), height


def _spread(labels: list[tuple[Decimal, str]], top: Decimal, bottom: Decimal) -> list[tuple[Decimal, str]]:
    """Baselines for the labels of one category, each at least LABEL_GAP from the next,
    as near as possible to where each wants to be and inside the plot."""
    ordered = sorted(labels)
    placed: list[tuple[Decimal, str]] = []
    for y, text in ordered:
        if placed and y < placed[-1][0] + LABEL_GAP:
            y = placed[-1][0] + LABEL_GAP
        placed.append((y, text))
    overflow = placed[-1][0] - bottom if placed else Decimal(0)
    if overflow > 0:  # pushed below the plot: move the whole stack up
        placed = [(y - overflow, t) for y, t in placed]
    return [(max(y, top), t) for y, t in placed]


def _point_labels(x: Decimal, points: list[tuple[Decimal, str]], top: Decimal, bottom: Decimal) -> list[str]:
    """The value labels of one category's points (sorted top to bottom): the highest
    above its point, the lowest below it, any between to the right of its point,
    spread so that no two overlap."""
    above = [(points[0][0] - 9, points[0][1])]
    below = [(points[-1][0] + 18, points[-1][1])] if len(points) > 1 else []
    beside = [(y + 4, t) for y, t in points[1:-1]]
    out: list[str] = []
    # A white halo keeps a label readable where a line passes behind it.
    halo = {"paint_order": "stroke", "stroke": "#ffffff", "stroke_width": 3, "stroke_linejoin": "round"}
    for baseline, text in _spread(above, top, bottom) + _spread(below, top, bottom + 14):
        out.append(_el("text", text, x=_f(x), y=_f(baseline), text_anchor="middle", **halo))
    for baseline, text in _spread(beside, top, bottom):
        out.append(_el("text", text, x=_f(x + 9), y=_f(baseline), text_anchor="start", **halo))
    return out


def _hbar(chart: Chart) -> tuple[str, int]:
    """Horizontal bars: one row per category, one bar per series; negatives go left of zero."""
    k = len(chart.series)
    bar_h = 16 if k == 1 else 11
    row_h = k * bar_h + 12
    left, right = 190, 64
    top = 34 if k > 1 else 12
    n = len(chart.categories)
    height = top + n * row_h + 12
    values = [v for s in chart.series for v in s.values if v is not None]
    lo = min([Decimal(0), *values])
    hi = max([Decimal(0), *values])
    if lo == hi:
        hi = lo + 1
    # Room for the value labels of negative bars between the category names and the bars.
    pad = 56 if lo < 0 else 0
    plot_w = Decimal(WIDTH - left - right - pad)

    def x_of(v: Decimal) -> Decimal:
        return Decimal(left + pad) + (v - lo) / (hi - lo) * plot_w

    zero = x_of(Decimal(0))
    out: list[str] = _legend(chart, 20) if k > 1 else []
    for j, cat in enumerate(chart.categories):
        y0 = top + j * row_h
        label_y = y0 + (row_h - 12) // 2 + 10
        out.append(_el("text", cat, x=left - 8, y=label_y, text_anchor="end"))
        for i, series in enumerate(chart.series):
            v = series.values[j]
            if v is None:
                continue
            colour = PALETTE[(i if k > 1 else j) % len(PALETTE)]
            if k == 1:
                colour = STATUS_COLOUR.get(cat.strip().lower(), colour)
            x = x_of(v)
            start, width = (zero, x - zero) if v >= 0 else (x, zero - x)
            y = y0 + 6 + i * bar_h
            out.append(
                _el(
                    "rect",
                    x=_f(start),
                    y=y,
                    width=_f(max(width, Decimal("0.5"))),
                    height=bar_h - 2,
                    fill=colour,
                )
            )
            text = format_number(v, chart.decimals)
            if v >= 0:
                out.append(_el("text", text, x=_f(x + 5), y=y + bar_h - 4, font_size=10))
            else:
                out.append(_el("text", text, x=_f(x - 5), y=y + bar_h - 4, font_size=10, text_anchor="end"))
    out.append(_el("line", x1=_f(zero), y1=top, x2=_f(zero), y2=top + n * row_h, stroke=_TEXT))
    return "".join(out), height


def chart_png(chart: Chart, font_family: str = "Libertinus Serif", ppi: int = 150) -> bytes:
    """The chart as PNG (for Word), drawn by Typst from the same SVG (embedded fonts only)."""
    return charts_png([chart], font_family, ppi)[0]


def charts_png(charts: Sequence[Chart], font_family: str = "Libertinus Serif", ppi: int = 150) -> list[bytes]:
    """:func:`chart_png` of each chart, drawn in one Typst run, one page each: Typst loads
    its fonts once per run, and a page comes out the same as a document of its own."""
    if not charts:
        return []
    pages = []
    for chart in charts:
        svg = chart_svg(chart, font_family)
        height = int(svg.split('height="', 1)[1].split('"', 1)[0])
        pages.append(
            f"#page(width: {WIDTH}pt, height: {height}pt, margin: 0pt, fill: white)"
            f'[#image(bytes("{_typst_string(svg)}"), format: "svg", width: 100%)]\n'
        )
    out = typst.compile("".join(pages).encode("utf-8"), format="png", ppi=ppi, ignore_system_fonts=True)
    if isinstance(out, list):
        return [bytes(page) for page in out]
    assert isinstance(out, bytes)
    return [out]


def _typst_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
