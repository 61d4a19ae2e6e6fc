"""Small inline SVG charts: horizontal bars and histograms, no scripts, no external files.

Each chart is an ``<svg class="plot">`` whose marks carry a ``<title>`` (shown on hover), so a
page of them works offline and a reader can check every chart has marks.
"""

import math
from bisect import bisect_right
from collections.abc import Sequence
from html import escape

WIDTH = 640
BAR_HEIGHT = 18
BAR_GAP = 4
LABEL_WIDTH = 220
VALUE_WIDTH = 80
HIST_HEIGHT = 200
MARGIN = 30
COLOURS = ("#3b6ea5", "#d9822b")


def _fmt(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}"


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> str:
    """Horizontal bars, one per (label, value), in the given order."""
    if not items:
        return '<p class="empty">nothing to plot</p>'
    top = max(value for _, value in items) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(items) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    parts = [
        f'<svg class="plot" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for row, (label, value) in enumerate(items):
        y = BAR_GAP + row * (BAR_HEIGHT + BAR_GAP)
        length = max(1.0, span * value / top)
        tip = f"{label}: {_fmt(value)}{unit}"
        parts += [
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" '
            f'font-size="12">{escape(_clip(label))}</text>',
            f'<rect class="mark" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{COLOURS[0]}"><title>{escape(tip)}</title></rect>',
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR_HEIGHT - 5}" '
            f'font-size="11">{_fmt(value)}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def _edges(low: float, high: float, bins: int, log: bool) -> list[float]:
    if log:
        low, high = math.log10(max(low, 1)), math.log10(max(high, 1))
    if high <= low:
        high = low + 1
    step = (high - low) / bins
    edges = [low + i * step for i in range(bins + 1)]
    return [10**e for e in edges] if log else edges


def _counts(values: Sequence[float], edges: list[float]) -> list[int]:
    counts = [0] * (len(edges) - 1)
    last = len(counts) - 1
    for value in values:
        counts[min(max(bisect_right(edges, value) - 1, 0), last)] += 1
    return counts


def histogram(
    series: dict[str, Sequence[float]], *, title: str, bins: int = 30, log: bool = False
) -> str:
    """Overlaid histograms of one or two named series on shared bins (log-spaced if ``log``)."""
    present = {name: [v for v in vals if v is not None] for name, vals in series.items()}
    present = {name: vals for name, vals in present.items() if vals}
    if not present:
        return '<p class="empty">nothing to plot</p>'
    low = min(min(v) for v in present.values())
    high = max(max(v) for v in present.values())
    edges = _edges(low, high, bins, log)
    counted = {name: _counts(vals, edges) for name, vals in present.items()}
    top = max(max(c) for c in counted.values()) or 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HIST_HEIGHT - 2 * MARGIN
    bar_w = plot_w / bins
    height = HIST_HEIGHT + 16 * len(present)
    parts = [
        f'<svg class="plot" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{MARGIN}" y1="{MARGIN + plot_h}" x2="{MARGIN + plot_w}" '
        f'y2="{MARGIN + plot_h}" stroke="#444"/>',
    ]
    for index, (name, counts) in enumerate(counted.items()):
        colour = COLOURS[index % len(COLOURS)]
        for i, count in enumerate(counts):
            if not count:
                continue
            h = max(1.0, plot_h * count / top)
            tip = f"{name}: {_fmt(edges[i])} to {_fmt(edges[i + 1])}: {count}"
            parts.append(
                f'<rect class="mark" x="{MARGIN + i * bar_w:.1f}" y="{MARGIN + plot_h - h:.1f}" '
                f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" fill="{colour}" '
                f'fill-opacity="0.6"><title>{escape(tip)}</title></rect>'
            )
        legend_y = HIST_HEIGHT + 4 + 16 * index
        parts += [
            f'<rect x="{MARGIN}" y="{legend_y}" width="10" height="10" fill="{colour}"/>',
            f'<text x="{MARGIN + 14}" y="{legend_y + 9}" font-size="11">'
            f"{escape(name)} ({len(present[name]):,} values)</text>",
        ]
    parts += [
        f'<text x="{MARGIN}" y="{MARGIN + plot_h + 14}" font-size="11">{_fmt(edges[0])}</text>',
        f'<text x="{MARGIN + plot_w}" y="{MARGIN + plot_h + 14}" text-anchor="end" '
        f'font-size="11">{_fmt(edges[-1])}{" (log scale)" if log else ""}</text>',
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" text-anchor="end" font-size="11">'
        f"{_fmt(top)}</text>",
        "</svg>",
    ]
    return "\n".join(parts)
