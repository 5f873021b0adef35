"""Charts drawn on the server as inline SVG: horizontal bars, columns (side by side, or one small
panel per series) and stacked columns, from a ``dossier.statistics.Chart``.

No script and no library: the SVG carries a viewBox and scales to its card (``width: 100%``),
so the same drawing fits a 1366-pixel desk and a 390-pixel phone. It is an image to assistive
technology (``role="img"`` with ``<title>`` and ``<desc>``); every bar has its own ``<title>``
(its label and value, shown on hover); the table under each chart holds the exact numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from dossier.catalog import zh
from dossier.statistics import Chart

WIDTH = 420  # viewBox units; a desk card shows it at most 520 px wide (~1.25×), a phone at ~0.87×
FONT = 13
SMALL = 11.5
PALETTE = ("#24507f", "#e08a1e", "#2f9e6e", "#b84a62", "#6b5bb5", "#3f9fbf", "#a07a2a", "#7a8794", "#c75d2c")
INK, MUTED, GRID = "#1f2933", "#667085", "#e3e8ef"


def _w(text: str, size: float = FONT) -> float:
    """Estimated width of ``text``: CJK characters are square, Latin ones about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text)


def _fit(text: str, width: float, size: float = FONT) -> str:
    """``text`` cut with an ellipsis to fit ``width`` (the full text goes in a tooltip)."""
    if _w(text, size) <= width:
        return text
    while text and _w(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _value(value: float, unit: str) -> str:
    return f"{_num(value)}{unit}" if unit == "%" else _num(value)


def _nice_top(peak: float, fixed: float | None) -> tuple[float, float]:
    """The axis's top and its step: four round steps that cover ``peak``."""
    if fixed:
        return fixed, fixed / 4
    if peak <= 0:
        return 4, 1
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1)
    return step * math.ceil(peak / step), step


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = FONT,
    anchor: str = "start",
    fill: str = INK,
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(content)}</text>"
    )


def _rect(x: float, y: float, w: float, h: float, colour: str, tip: str) -> str:
    return (
        f'<g class="chart-bar"><title>{escape(tip)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{colour}" rx="1.5"/></g>'
    )


def _legend(names: Sequence[str], y: float) -> tuple[list[str], float]:
    """Swatches and names, wrapped to the width; returns the parts and the height used."""
    parts: list[str] = []
    x, row = 0.0, 0
    for index, name in enumerate(names):
        width = 16 + _w(name, SMALL) + 14
        if x + width > WIDTH and x > 0:
            x, row = 0.0, row + 1
        top = y + row * 18
        parts.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="11" height="11" rx="2" fill="{PALETTE[index % len(PALETTE)]}"/>'
        )
        parts.append(_text(x + 15, top + 10, name, size=SMALL, fill=MUTED))
        x += width
    return parts, (row + 1) * 18 + 6 if names else 0


def _svg(ident: str, title: str, description: str, height: float, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" id="{escape(ident)}" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'aria-labelledby="{escape(ident)}-t {escape(ident)}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(ident)}-t">{escape(title)}</title><desc id="{escape(ident)}-d">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _category_labels(chart: Chart) -> list[tuple[str, str]]:
    """(label, second line) of each category: months as 3月 with the year under January and
    under the first month; anything else as it is."""
    if not chart.months:
        return [(c, "") for c in chart.categories]
    labels = []
    for index, key in enumerate(chart.categories):
        year, month = key.split("-")
        label = zh("statistics.month_label", month=int(month))
        labels.append((label, zh("statistics.year_label", year=year) if index == 0 or month == "01" else ""))
    return labels


def _tip(chart: Chart, index: int, series_name: str, value: float) -> str:
    category = chart.categories[index]
    if chart.months:
        year, month = category.split("-")
        category = zh("statistics.month_full", year=year, month=int(month))
    head = f"{category} · {series_name}" if len(chart.series) > 1 else category
    return f"{head}：{_value(value, chart.unit)}"


# --- horizontal bars --------------------------------------------------------------------------


def _bars(chart: Chart, ident: str, title: str, description: str) -> Markup:
    many = len(chart.series) > 1
    body, top = _legend([s.name for s in chart.series], 0) if many else ([], 0.0)
    label_w = min(140.0, max((_w(c) for c in chart.categories), default=0) + 10)
    value_w = 50.0
    plot_w = WIDTH - label_w - value_w
    bar_h = 18.0 if not many else 13.0
    row_h = bar_h * len(chart.series) + 8
    peak = max((v for s in chart.series for v in s.values), default=0)
    scale_top, _ = _nice_top(peak, chart.max_value)
    for index, category in enumerate(chart.categories):
        y = top + index * row_h
        shown = _fit(category, label_w - 10)
        tip = f"<title>{escape(category)}</title>" if shown != category else ""
        body.append(f"<g>{tip}{_text(label_w - 8, y + row_h / 2 + 4, shown, anchor='end')}</g>")
        for k, series in enumerate(chart.series):
            value = series.values[index]
            width = plot_w * value / scale_top if scale_top else 0
            by = y + 4 + k * bar_h
            body.append(
                f'<rect x="{label_w:.1f}" y="{by:.1f}" width="{plot_w:.1f}" height="{bar_h - 2:.1f}" fill="{GRID}" opacity=".45"/>'
                if chart.max_value
                else ""
            )
            body.append(
                _rect(
                    label_w,
                    by,
                    width,
                    bar_h - 2,
                    PALETTE[k % len(PALETTE)],
                    _tip(chart, index, series.name, value),
                )
            )
            body.append(
                _text(label_w + width + 5, by + bar_h - 5, _value(value, chart.unit), size=SMALL, fill=MUTED)
            )
    height = top + len(chart.categories) * row_h + 4
    return _svg(ident, title, description, height, body)


# --- columns ----------------------------------------------------------------------------------

PANEL_H = 150.0
LEFT, RIGHT, BOTTOM = 40.0, 4.0, 36.0


def _axis(top: float, plot_h: float, scale_top: float, step: float, unit: str) -> list[str]:
    parts = []
    ticks = int(round(scale_top / step))
    for t in range(ticks + 1):
        value = step * t
        y = top + plot_h - plot_h * value / scale_top
        parts.append(
            f'<line x1="{LEFT:.1f}" x2="{WIDTH - RIGHT:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(LEFT - 5, y + 4, _value(value, unit), size=SMALL, anchor="end", fill=MUTED))
    return parts


def _x_labels(chart: Chart, y: float, slot: float) -> list[str]:
    labels = _category_labels(chart)
    widest = max((_w(a, SMALL) for a, _ in labels), default=0) + 6
    every = max(1, math.ceil(widest / slot)) if slot else 1
    parts = []
    for index, (label, second) in enumerate(labels):
        x = LEFT + slot * (index + 0.5)
        if index % every == 0:
            parts.append(_text(x, y + 14, label, size=SMALL, anchor="middle", fill=MUTED))
        if second:
            parts.append(_text(x, y + 30, second, size=SMALL, anchor="middle", fill=MUTED))
    return parts


def _column_panel(
    chart: Chart, series_index: Sequence[int], top: float, stacked: bool, heading: str | None
) -> tuple[list[str], float]:
    """One plot: the chosen series side by side (or stacked) over the categories."""
    body: list[str] = []
    if heading:
        body.append(_text(0, top + 12, heading, size=FONT, fill=INK, extra=' font-weight="600"'))
        top += 20
    count = len(chart.categories) or 1
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / count
    if stacked:
        peak = max(
            (sum(chart.series[k].values[i] for k in series_index) for i in range(len(chart.categories))),
            default=0,
        )
    else:
        peak = max(
            (chart.series[k].values[i] for k in series_index for i in range(len(chart.categories))), default=0
        )
    scale_top, step = _nice_top(peak, chart.max_value)
    plot_h = PANEL_H - BOTTOM
    body += _axis(top, plot_h, scale_top, step, chart.unit)
    base = top + plot_h
    group = min(slot * 0.72, 56.0 if stacked or len(series_index) == 1 else 36.0 * len(series_index))
    bar_w = group if stacked else group / len(series_index)
    for i in range(len(chart.categories)):
        x0 = LEFT + slot * i + (slot - group) / 2
        height_so_far = 0.0
        for n, k in enumerate(series_index):
            series = chart.series[k]
            value = series.values[i]
            h = plot_h * value / scale_top if scale_top else 0
            colour = PALETTE[k % len(PALETTE)]
            if stacked:
                if value:
                    body.append(
                        _rect(
                            x0, base - height_so_far - h, bar_w, h, colour, _tip(chart, i, series.name, value)
                        )
                    )
                height_so_far += h
            else:
                x = x0 + n * bar_w
                body.append(_rect(x, base - h, bar_w - 1, h, colour, _tip(chart, i, series.name, value)))
                if value and bar_w >= _w(_num(value), 9.5) + 2:
                    body.append(
                        _text(x + bar_w / 2, base - h - 3, _num(value), size=9.5, anchor="middle", fill=MUTED)
                    )
        if (
            stacked
            and height_so_far
            and slot >= _w(_num(sum(chart.series[k].values[i] for k in series_index)), 9.5) + 2
        ):
            total = sum(chart.series[k].values[i] for k in series_index)
            body.append(
                _text(
                    x0 + bar_w / 2,
                    base - height_so_far - 3,
                    _num(total),
                    size=9.5,
                    anchor="middle",
                    fill=MUTED,
                )
            )
    body.append(
        f'<line x1="{LEFT:.1f}" x2="{WIDTH - RIGHT:.1f}" y1="{base:.1f}" y2="{base:.1f}" stroke="{MUTED}"/>'
    )
    body += _x_labels(chart, base, slot)
    return body, top + PANEL_H


def _columns(chart: Chart, ident: str, title: str, description: str) -> Markup:
    stacked = chart.kind == "stacked"
    if chart.panels:
        body: list[str] = []
        top = 0.0
        for k, series in enumerate(chart.series):
            part, top = _column_panel(chart, [k], top, False, series.name)
            body += part
            top += 10
        return _svg(ident, title, description, top, body)
    many = len(chart.series) > 1
    body, top = _legend([s.name for s in chart.series], 0) if many else ([], 0.0)
    part, bottom = _column_panel(chart, range(len(chart.series)), top + 6, stacked, None)
    return _svg(ident, title, description, bottom + 2, body + part)


def chart_svg(chart: Chart, ident: str, title: str, description: str) -> Markup:
    """The chart as an inline ``<svg>`` (``ident`` is its element id)."""
    if chart.kind == "bars":
        return _bars(chart, ident, title, description)
    return _columns(chart, ident, title, description)
