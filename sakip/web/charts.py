"""Charts drawn on the server as SVG text: data in, an ``<svg>`` element out, put inline in a page.

The page's Content-Security-Policy forbids inline styles and scripts, so every colour, width and dash
is a presentation attribute (``fill=``, ``stroke=``), never a ``style=`` attribute or a ``<style>``
element. Every text that comes from data (program names, codes) is made printable and XML-escaped.
Each chart is an image for assistive technology: ``role="img"`` with a ``<title>`` and a ``<desc>``
that says in words what it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from sakip.web.pipeline import BULAN, format_percent, format_rupiah, printable, short_rupiah

#: Short month names of the horizontal axis (as the report's charts write them).
MONTH_LABELS = tuple(name[:3] for name in BULAN)
REALISASI_COLOUR = "#0b5cad"
PLAN_COLOUR = "#b35c00"
AXIS_COLOUR = "#5b6673"
GRID_COLOUR = "#d8dee5"
BAR_COLOUR = "#2f7d4f"
BAR_TRACK_COLOUR = "#eef2f6"
FONT = "DejaVu Sans, sans-serif"


@dataclass(frozen=True)
class LineFrame:
    """Where the line chart draws: its size and the plot area inside it (pixels)."""

    width: int = 960
    height: int = 340
    left: int = 72
    right: int = 20
    top: int = 44
    bottom: int = 72

    @property
    def plot_width(self) -> float:
        """Width of the plot area."""
        return self.width - self.left - self.right

    @property
    def plot_bottom(self) -> float:
        """y of the horizontal axis."""
        return self.height - self.bottom

    def x(self, month: int) -> float:
        """Centre of a month's slot (1..12) on the horizontal axis."""
        return self.left + (month - 0.5) * self.plot_width / 12

    def y(self, value: float, top_value: float) -> float:
        """Height of ``value`` on an axis from 0 to ``top_value``."""
        span = self.plot_bottom - self.top
        return self.plot_bottom - (value / top_value) * span if top_value > 0 else self.plot_bottom


@dataclass(frozen=True)
class MonthPoint:
    """One month of the cumulative line chart: realization and plan to the end of the month (rupiah);
    None where the warehouse has none."""

    month: int
    realisasi: float | None
    anggaran_kas: float | None


@dataclass(frozen=True)
class ProgramBar:
    """One program of the serapan bars: its code, its name as in the warehouse, its serapan (%, None
    when it has no budget)."""

    kode: str
    uraian: str
    serapan_pct: float | None


def text(value: object) -> str:
    """Data as SVG text content: printable and XML-escaped."""
    return escape(printable(value))


def attribute(value: object) -> str:
    """Data as the value of a double-quoted XML attribute."""
    return escape(printable(value), {'"': "&quot;"})


def _number(value: float) -> str:
    """A coordinate with at most one decimal (``12.5``, ``40``)."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def _missing(value: float | None) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def nice_ticks(largest: float, count: int = 5) -> list[float]:
    """Ticks from 0 to a round number at or above ``largest`` (steps of 1, 2, 2.5 or 5 × 10^n)."""
    if _missing(largest) or largest <= 0:
        return [0.0, 1.0]
    raw = largest / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    top = step * math.ceil(largest / step - 1e-9)
    return [step * i for i in range(round(top / step) + 1)]


def _path(points: list[tuple[float, float] | None]) -> str:
    """An SVG path through the points, lifted over the gaps (None)."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{_number(point[0])},{_number(point[1])}")
        pen_down = True
    return " ".join(parts)


def _svg_open(chart_id: str, width: int, height: int, title: str, summary: str) -> list[str]:
    """The opening of an accessible chart: its size, role, title and description."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{attribute(chart_id)}" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{attribute(chart_id)}-title {attribute(chart_id)}-desc" '
        f'font-family="{FONT}" font-size="12">',
        f'<title id="{attribute(chart_id)}-title">{text(title)}</title>',
        f'<desc id="{attribute(chart_id)}-desc">{text(summary)}</desc>',
        f'<text x="{width / 2:g}" y="22" text-anchor="middle" font-size="15" font-weight="bold" '
        f'fill="#1d2733">{text(title)}</text>',
    ]


def cumulative_summary(points: Sequence[MonthPoint]) -> str:
    """The line chart in one sentence: the last month with a realization and its plan."""
    done = [p for p in points if not _missing(p.realisasi)]
    if not done:
        return "Belum ada realisasi yang dimuat."
    last = done[-1]
    sentence = f"Realisasi kumulatif s.d. {BULAN[last.month - 1]} Rp {format_rupiah(last.realisasi)}"
    if not _missing(last.anggaran_kas):
        sentence += f", anggaran kas s.d. bulan itu Rp {format_rupiah(last.anggaran_kas)}"
    planned = [p for p in points if not _missing(p.anggaran_kas)]
    if planned and planned[-1].month != last.month:
        sentence += (
            f"; anggaran kas s.d. {BULAN[planned[-1].month - 1]} Rp {format_rupiah(planned[-1].anggaran_kas)}"
        )
    return sentence + "."


def cumulative_chart(
    points: Sequence[MonthPoint],
    title: str,
    chart_id: str = "grafik-kumulatif",
    frame: LineFrame = LineFrame(),
) -> str:
    """Two lines over January–December: cumulative realization and cumulative anggaran kas, with a
    rupiah axis (``1,2 M``), month labels and a legend."""
    by_month = {p.month: p for p in points if 1 <= p.month <= 12}
    values = [
        v
        for p in by_month.values()
        for v in (p.realisasi, p.anggaran_kas)
        if not _missing(v) and v is not None
    ]
    ticks = nice_ticks(max(values, default=0.0))
    top_value = ticks[-1]
    out = _svg_open(chart_id, frame.width, frame.height, title, cumulative_summary(points))
    for tick in ticks:
        y = _number(frame.y(tick, top_value))
        out.append(
            f'<line x1="{frame.left}" y1="{y}" x2="{frame.width - frame.right}" y2="{y}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{frame.left - 8}" y="{y}" dy="4" text-anchor="end" fill="{AXIS_COLOUR}">'
            f"{text(short_rupiah(tick))}</text>"
        )
    axis_y = _number(frame.plot_bottom)
    out.append(
        f'<line x1="{frame.left}" y1="{axis_y}" x2="{frame.width - frame.right}" y2="{axis_y}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    for month, label in enumerate(MONTH_LABELS, start=1):
        out.append(
            f'<text x="{_number(frame.x(month))}" y="{_number(frame.plot_bottom + 18)}" text-anchor="middle" '
            f'fill="{AXIS_COLOUR}">{label}</text>'
        )
    series = (
        ("anggaran_kas", "Anggaran kas kumulatif", PLAN_COLOUR, ' stroke-dasharray="6 4"'),
        ("realisasi", "Realisasi kumulatif", REALISASI_COLOUR, ""),
    )
    for field, label, colour, dash in series:
        coordinates: list[tuple[float, float] | None] = []
        for month in range(1, 13):
            value = getattr(by_month[month], field) if month in by_month else None
            coordinates.append(None if _missing(value) else (frame.x(month), frame.y(value, top_value)))
        drawn = [c for c in coordinates if c is not None]
        if not drawn:
            continue
        out.append(f'<g class="series" data-series="{field}">')
        out.append(f'<path d="{_path(coordinates)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for month, point in enumerate(coordinates, start=1):
            if point is None:
                continue
            tip = f"{label} s.d. {BULAN[month - 1]}: Rp {format_rupiah(getattr(by_month[month], field))}"
            out.append(
                f'<circle cx="{_number(point[0])}" cy="{_number(point[1])}" r="3.5" fill="{colour}">'
                f"<title>{text(tip)}</title></circle>"
            )
        out.append("</g>")
    legend_y = frame.height - 20
    x = frame.left
    for _, label, colour, dash in reversed(series):
        out.append(
            f'<line x1="{x}" y1="{legend_y}" x2="{x + 28}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
        out.append(f'<text x="{x + 34}" y="{legend_y}" dy="4" fill="#1d2733">{label}</text>')
        x += 230
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class BarFrame:
    """Where the serapan bars draw: width, a row per program (its name above its bar)."""

    width: int = 960
    top: int = 44
    row: int = 46
    left: int = 8
    bar_height: int = 16
    label_room: int = 90  # right of the longest bar, for its percentage

    @property
    def bar_width(self) -> float:
        """Length of a bar at the scale's end."""
        return self.width - self.left - self.label_room

    def height(self, rows: int) -> int:
        """Height of a chart of ``rows`` bars."""
        return self.top + max(rows, 1) * self.row + 12


def bars_summary(bars: Sequence[ProgramBar]) -> str:
    """The bars in words: the lowest and the highest serapan."""
    known = [b for b in bars if not _missing(b.serapan_pct)]
    if not known:
        return "Belum ada serapan per program."
    low = min(known, key=lambda b: b.serapan_pct or 0.0)
    high = max(known, key=lambda b: b.serapan_pct or 0.0)
    return (
        f"{len(bars)} program; serapan terendah {printable(low.uraian)} "
        f"{format_percent(low.serapan_pct)} %, tertinggi {printable(high.uraian)} "
        f"{format_percent(high.serapan_pct)} %."
    )


def serapan_bars(
    bars: Sequence[ProgramBar], title: str, chart_id: str = "grafik-serapan", frame: BarFrame = BarFrame()
) -> str:
    """A horizontal bar per program in the order given, its serapan written at its end; the scale runs
    to 100 % (further when a program spent more than its budget)."""
    known = [b.serapan_pct for b in bars if not _missing(b.serapan_pct)]
    scale = max([100.0, *[v for v in known if v is not None]])
    height = frame.height(len(bars))
    out = _svg_open(chart_id, frame.width, height, title, bars_summary(bars))
    for index, bar in enumerate(bars):
        y = frame.top + index * frame.row
        label = f"{bar.kode} {bar.uraian}".strip()
        out.append(f'<g class="bar" data-kode="{attribute(bar.kode)}">')
        out.append(f'<text x="{frame.left}" y="{y + 12}" fill="#1d2733">{text(label)}</text>')
        bar_y = y + 18
        out.append(
            f'<rect x="{frame.left}" y="{bar_y}" width="{_number(frame.bar_width * 100 / scale)}" '
            f'height="{frame.bar_height}" fill="{BAR_TRACK_COLOUR}"/>'
        )
        if _missing(bar.serapan_pct) or bar.serapan_pct is None:
            words, length = "tanpa anggaran", 0.0
        else:
            words = f"{format_percent(bar.serapan_pct) if bar.serapan_pct else '0,00'} %"
            length = frame.bar_width * max(bar.serapan_pct, 0.0) / scale
        out.append(
            f'<rect class="value" x="{frame.left}" y="{bar_y}" width="{_number(max(length, 1.0))}" '
            f'height="{frame.bar_height}" fill="{BAR_COLOUR}">'
            f"<title>{text(label)}: {text(words)}</title></rect>"
        )
        out.append(
            f'<text x="{_number(frame.left + length + 6)}" y="{bar_y + 12}" fill="#1d2733" '
            f'font-weight="bold">{text(words)}</text>'
        )
        out.append("</g>")
    if not bars:
        out.append(
            f'<text x="{frame.left}" y="{frame.top + 16}" fill="{AXIS_COLOUR}">Belum ada program.</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
