"""Charts of the year-end report as PNG files (matplotlib, Agg backend, DejaVu Sans).

- cumulative realization against anggaran kas (RAK) by month, for the OPD and per program;
- capaian of every indicator against 100 %, coloured by category;
- serapan per program, with the narrative's absorption threshold.

Labels are in Bahasa Indonesia with Indonesian number formats. Text from the data (OPD, program and
indicator names) is printed literally: matplotlib never reads it as math text (a ``$x^2$`` or a lone
``$`` in an uraian), and control characters are shown as Excel writes them.
"""

from __future__ import annotations

import functools
import math
import textwrap
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pandas as pd
from cachetools import LRUCache

from tasks.core.calendar import BULAN
from tasks.core.formatting import format_number_id
from tasks.core.scales import ReportScales
from tasks.core.text import visible_text
from tasks.report.render.page import PAGE

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@functools.cache
def _pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend with the report's font, imported when a chart is drawn
    (a second or more: the html page of an ingest's monitoring needs the chart titles, not matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    # no hinting: FreeType's hinter adjusts every glyph to the pixel grid, a fifth of a chart's time;
    # at the charts' 150 dpi the lettering reads the same without it
    pyplot.rcParams.update(
        {"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none", "text.hinting": "no_hinting"}
    )
    return pyplot


class _LazyPyplot:
    """Stands for ``matplotlib.pyplot`` until a chart is drawn."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_pyplot(), name)


plt = _LazyPyplot()


def FuncFormatter(function: Callable[[float, int], str]) -> Any:  # stands for matplotlib's class
    """``matplotlib.ticker.FuncFormatter``, imported with pyplot."""
    _pyplot()
    from matplotlib.ticker import FuncFormatter as formatter

    return formatter(function)


#: File names of the charts, in the order the report shows them.
CHART_FILES = {
    "realisasi_kumulatif": "grafik_realisasi_kumulatif.png",
    "realisasi_kumulatif_program": "grafik_realisasi_kumulatif_program.png",
    "capaian_indikator": "grafik_capaian_indikator.png",
    "serapan_program": "grafik_serapan_program.png",
}
CHART_TITLES = {
    "realisasi_kumulatif": "Realisasi kumulatif dan anggaran kas per bulan",
    "realisasi_kumulatif_program": "Realisasi kumulatif dan anggaran kas per bulan, per program",
    "capaian_indikator": "Capaian indikator kinerja terhadap target (100 %)",
    "serapan_program": "Serapan anggaran per program",
}
#: The charts' resolution: the page's text width (15.5 cm) in 915 pixels, lettering of 6 pt and more
#: sharp in print and on a screen; more would only make the files larger and slower to write.
DPI = 150
#: Charts are drawn at the text width of the portrait page (and no taller than its text, less room
#: for the caption), so that the Word document prints their lettering at the size it is drawn.
_WIDTH_IN = PAGE.text_width() / 2.54
_MAX_HEIGHT_IN = (PAGE.text_height() - 2.0) / 2.54


def _height(inches: float) -> float:
    """A figure height, at most the page's text height."""
    return min(inches, _MAX_HEIGHT_IN)


_REALISASI = "#1f5fa8"
_RAK = "#e08214"

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _literal_text(draw: Callable[_P, _R]) -> Callable[_P, _R]:
    """Draw a chart with math text off: every label is printed as written (``$`` included)."""

    @functools.wraps(draw)
    def drawn(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with plt.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return drawn


def _label(text: str, width: int) -> str:
    """A label from the data, shortened to ``width`` characters, control characters visible."""
    return textwrap.shorten(visible_text(text), width, placeholder="…")


@functools.cache
def _tick_formatter_class() -> type:
    """The tick formatter class, made when the first chart is drawn (it subclasses matplotlib's)."""
    _pyplot()
    from matplotlib.ticker import Formatter

    class TickFormatter(Formatter):
        """Tick labels in a unit (miliar, juta) the Indonesian way, with as many decimals as the ticks
        need to show their own values: steps of 0,25 print ``0,25`` / ``0,50`` / ``0,75``, never ``0,3``."""

        def __init__(self, scale: float) -> None:
            self.scale = scale
            self.decimals = 0

        def set_locs(self, locs) -> None:
            super().set_locs(locs)
            self.decimals = tick_decimals([value / self.scale for value in locs])

        def __call__(self, value, pos=None) -> str:
            return format_number_id(value / self.scale, self.decimals) if value else "0"

    return TickFormatter


def tick_formatter(scale: float) -> Any:
    """A matplotlib formatter printing amounts in ``scale`` with the decimals their ticks need."""
    return _tick_formatter_class()(scale)


def tick_decimals(values: list[float], most: int = 3) -> int:
    """The fewest decimals (up to ``most``) that print every value exactly."""
    for decimals in range(most + 1):
        if all(abs(round(v, decimals) - v) < 1e-9 * max(1.0, abs(v)) for v in values):
            return decimals
    return most


def _amount_axis(ax, top: float) -> str:
    """Format an amount axis in miliar (or juta for small budgets) rupiah; returns the unit name."""
    scale, unit = (1e9, "miliar Rp") if top >= 2e9 else (1e6, "juta Rp")
    ax.yaxis.set_major_formatter(tick_formatter(scale))
    return unit


def _percent(value: float, _pos: object = None) -> str:
    """Axis label in percent."""
    return f"{value:.0f} %"


def _new_figure(width: float, height: float) -> Figure:
    """A figure of this size (inches) at the charts' dpi, on its own Agg canvas, white.

    Not pyplot's: the figure is kept for the next OPD, never closed (see :data:`_PANEL_FIGURES`).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


#: What Pillow is asked for when a chart is saved: zlib's fastest level (flat colours pack about as
#: well at level 1 as at 6, in a fraction of the time).
_PNG_OPTIONS = {"compress_level": 1}


def _save(fig: Figure, path: Path) -> Path:
    """Draw the figure on its canvas and write its pixels as an RGB PNG file with Pillow (the chart is
    opaque: no alpha channel to write), at the charts' density."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.canvas.draw()
    pixels = Image.frombuffer("RGBA", fig.canvas.get_width_height(physical=True), fig.canvas.buffer_rgba())
    pixels.convert("RGB").save(path, format="PNG", dpi=(DPI, DPI), **_PNG_OPTIONS)
    return path


def _margins(
    fig: Figure,
    *,
    left: float,
    right: float,
    top: float,
    bottom: float,
    hspace: float = 0.2,
    wspace: float = 0.2,
) -> None:
    """Fixed margins in inches (gaps between subplots as a fraction of their size).

    Used where the labels' room is known in advance instead of ``tight_layout``, which measures every
    tick label (the larger part of drawing a small-multiples chart).
    """
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        hspace=hspace,
        wspace=wspace,
    )


def _dress_panel(ax, *, small: bool) -> None:
    """What a cumulative chart's axes show for every OPD: grid, tick size, no top and right spines
    (set once, when the figure is made: see :func:`_panel_figure`).

    No tick marks: the amounts have their grid lines, the months their names under the axis (as in
    Excel's line charts); a panel of a dozen months and half a dozen amounts is drawn without a
    score of little lines that say nothing more.
    """
    from matplotlib.ticker import MaxNLocator

    ax.grid(axis="y", color="#dddddd", lw=0.6)
    ax.tick_params(length=0)
    if small:
        ax.tick_params(labelsize=6)
        # four or five amounts up a panel two inches high (matplotlib's default finds room for seven)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        # no axis labels on a panel: their (empty) places need not be measured from the tick labels
        ax.xaxis.set_label_coords(0.5, 0.0)
        ax.yaxis.set_label_coords(0.0, 0.5)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


#: The months each kept panel names under it (the ticks are set again only when they change).
_PANEL_MONTHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


#: The lines and area of each kept panel (anggaran kas, realization, budget, area under the
#: realization): given the next OPD's data instead of made again.
_PANEL_LINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cumulative_axes(ax, series: pd.DataFrame, title: str, *, small: bool = False) -> None:
    """Realization and anggaran kas to date by month on one axes (dressed by :func:`_dress_panel`):
    the axes' lines and area are made for its first OPD and given the next OPD's data (``set_data``)."""
    months = series["bulan"].astype(int).tolist()
    # months as positions with their names as tick labels: the same picture as plotting the names
    # (matplotlib's category axis), without converting names to positions for every line
    positions = list(range(len(months)))
    planned = series["anggaran_kas_sd_bulan_ini_rp"].to_numpy()
    realized = series["realisasi_sd_bulan_ini_rp"].to_numpy()
    budget = float(series["anggaran_rp"].iloc[-1])
    drawn = _PANEL_LINES.get(ax)
    if drawn is None:
        (planned_line,) = ax.plot(
            positions, planned, color=_RAK, marker="o", ms=3, label="Anggaran kas (RAK)"
        )
        (realized_line,) = ax.plot(positions, realized, color=_REALISASI, marker="o", ms=3, label="Realisasi")
        budget_line = ax.axhline(budget, color="#777777", lw=0.8, ls="--", label="Anggaran")
        area = ax.fill_between(positions, realized, color=_REALISASI, alpha=0.12)
        _PANEL_LINES[ax] = (planned_line, realized_line, budget_line, area)
    else:
        planned_line, realized_line, budget_line, area = drawn
        planned_line.set_data(positions, planned)
        realized_line.set_data(positions, realized)
        budget_line.set_ydata([budget, budget])
        area.set_data(positions, realized, 0)
    _limits_from_data(ax, area, budget_line, positions, realized, budget)
    # a small panel names the quarters' last months (triwulan) and its own last month, the whole
    # chart every month
    named = [i for i, m in enumerate(months) if not small or m % 3 == 0 or i == len(months) - 1]
    ticks = (tuple(named), tuple(BULAN[months[i] - 1][:3] for i in named))
    if _PANEL_MONTHS.get(ax) != ticks:
        ax.set_xticks(*ticks)
        _PANEL_MONTHS[ax] = ticks
    if positions:  # every month in view, whichever are named
        ax.xaxis.set_view_interval(positions[0], positions[-1])
    unit = _amount_axis(ax, budget)
    ax.set_ylim(bottom=0)
    # the title's height given (nothing is drawn above the axes): matplotlib otherwise measures every
    # tick label of the axes to place it
    ax.set_title(f"{title} ({unit})" if small else title, fontsize=7 if small else 10, loc="left", y=1.0)
    if not small:
        ax.set_ylabel(unit)


def _limits_from_data(ax, area, budget_line, positions: list[int], realized, budget: float) -> None:
    """The panel's limits from this OPD's lines, area and budget alone, whether they were made now or
    given new data: the same limits either way. The area's and the budget line's extents are added as
    numbers (matplotlib measures them through the axes' current transform, whose rounding would
    carry the previous OPD's limits into this one's)."""
    import numpy as np

    for measured_apart in (area, budget_line):
        measured_apart.remove()
    ax.relim()  # the two lines of the months
    ax.add_collection(area, autolim=False)
    ax.add_artist(budget_line)  # (add_line would measure it)
    shown = np.isfinite(realized)
    x = np.asarray(positions, dtype=float)[shown]
    ax.update_datalim(np.concatenate([np.column_stack([x, realized[shown]]), np.column_stack([x, 0 * x])]))
    if math.isfinite(budget):
        ax.update_datalim([(0.0, budget)], updatex=False)  # a line across: its height only
    ax.set_autoscale_on(True)
    ax.autoscale_view()


@_literal_text
def chart_cumulative_opd(monthly: pd.DataFrame, path: Path, opd_name: str, year: int) -> Path:
    """Cumulative realization against anggaran kas by month for the whole OPD."""
    total = monthly[monthly["level"] == "urusan"].groupby("bulan", as_index=False).sum(numeric_only=True)
    fig, axes = _panel_figure(
        1, 1, small=False, height=3.6, left=0.9, right=0.15, top=0.35, bottom=0.75, extra_right=0.2
    )
    ax = axes[0, 0]
    _cumulative_axes(ax, total, f"{visible_text(opd_name)} {year}")
    if ax.get_legend() is None:  # the same three entries for every OPD
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, frameon=False)
    return _save(fig, path)


#: The cumulative charts' figures of this process, by size and grid, drawn again for each OPD (one
#: chart at a time per process: the report writer holds a lock while it draws).
#: At most this many figures of each kind are kept (the least recently used goes first): a worker
#: writing a province's agencies meets many bar-chart heights, and each figure holds its pixels.
_KEPT_FIGURES = 12
_PANEL_FIGURES: LRUCache[tuple, tuple[Figure, Any]] = LRUCache(maxsize=_KEPT_FIGURES)


def _panel_figure(
    nrows: int, ncols: int, *, small: bool, height: float, extra_right: float, right: float, **margins: float
) -> tuple[Figure, Any]:
    """The figure and axes grid of a cumulative chart of this grid and layout, made once per process.

    The figure is ``extra_right`` inches wider than the text, kept free on the right, for a long title
    that runs past its axes. An OPD's report draws its lines on the axes left by the previous OPD's
    (see :func:`_cumulative_axes`): matplotlib's axes and their ticks, which cost more to make than to
    draw, are made once. The file is the same as a fresh figure's, whatever was drawn before (tested).
    """
    key = (nrows, ncols, small, height, extra_right, right, *sorted(margins.items()))
    kept = _PANEL_FIGURES.get(key)
    if kept is None:
        fig = _new_figure(_WIDTH_IN + extra_right, height)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat:
            _dress_panel(ax, small=small)
        _margins(fig, right=right + extra_right, **margins)
        _PANEL_FIGURES[key] = kept = (fig, axes)
    return kept


@_literal_text
def chart_cumulative_programs(monthly: pd.DataFrame, path: Path) -> Path:
    """Small multiples: cumulative realization against anggaran kas per program."""
    programs = monthly[monthly["level"] == "program"]
    codes = list(dict.fromkeys(programs["kode"]))
    ncols = 2 if len(codes) > 1 else 1
    nrows = max(1, math.ceil(len(codes) / ncols))
    fig, axes = _panel_figure(
        nrows,
        ncols,
        small=True,
        height=_height(2.1 * nrows + 0.3),
        left=0.45,
        right=0.1,
        top=0.3,
        bottom=0.6,
        hspace=0.36,
        wspace=0.12,
        extra_right=0.3,
    )
    for ax, code in zip(axes.flat, codes, strict=False):
        ax.set_visible(True)
        series = programs[programs["kode"] == code]
        name = _label(f"{code} {series['uraian'].iloc[0]}", 38)
        _cumulative_axes(ax, series, name, small=True)
    for ax in list(axes.flat)[len(codes) :]:
        ax.set_visible(False)
    if not fig.legends:  # the same three entries for every OPD
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=8)
    return _save(fig, path)


#: The bar charts' figures of this process, by chart and height, drawn again for each OPD.
_BAR_FIGURES: LRUCache[tuple[str, float], tuple[Figure, Any]] = LRUCache(maxsize=_KEPT_FIGURES)


def _bar_figure(chart: str, height: float) -> tuple[Figure, Any]:
    """The figure and axes of a bar chart of this height, made once per process, emptied of the
    previous OPD's bars, labels and legend (the file is the same as a fresh figure's, tested)."""
    key = (chart, height)
    kept = _BAR_FIGURES.get(key)
    if kept is None:
        fig = _new_figure(_WIDTH_IN, height)  # its renderer measures the labels as they are drawn
        _BAR_FIGURES[key] = kept = (fig, fig.subplots())
    fig, ax = kept
    for legend in list(fig.legends):
        legend.remove()
    for container in list(ax.containers):
        container.remove()
    for artist in [*ax.patches, *ax.texts, *ax.lines, *ax.collections]:
        artist.remove()
    ax.relim()
    ax.set_autoscale_on(True)
    return fig, ax


#: Bar labels' text size (pt), and the room (inches) a bar chart keeps below its axes for the
#: percent ticks and the legend under them, above them, and on the right for the value of a bar.
_BAR_LABEL_PT = 7
_BAR_BOTTOM_IN = 0.62
_BAR_TOP_IN = 0.12
_BAR_RIGHT_IN = 0.2


def _bar_layout(fig: Figure, ax, labels: list[str]) -> None:
    """A horizontal bar chart's margins, from the width of its longest label.

    The labels' room is measured once, text by text, instead of ``tight_layout`` and a cropped save,
    which lay every text of the chart out twice more and draw the whole chart once more to crop it.
    """
    from matplotlib.font_manager import FontProperties

    ax.tick_params(axis="y", labelsize=_BAR_LABEL_PT, length=0)  # a label per bar, no tick mark
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    renderer = fig.canvas.get_renderer()
    font = FontProperties(size=_BAR_LABEL_PT)
    widths = [renderer.get_text_width_height_descent(label, font, ismath=False)[0] for label in labels]
    widest = max(widths, default=0.0)
    # the label, its pad (3.5 pt), and the room a cropped save would leave
    left = widest / fig.dpi + 3.5 / 72 + 0.15
    _margins(fig, left=left, right=_BAR_RIGHT_IN, top=_BAR_TOP_IN, bottom=_BAR_BOTTOM_IN)


def _bars(ax, labels: list[str], values: pd.Series, colors: list[str]) -> Any:
    """Horizontal bars, one per label from the bottom up, labels as the y ticks (two equal labels keep a
    bar each, which matplotlib's category axis would draw on one place)."""
    positions = list(range(len(labels)))
    bars = ax.barh(positions, values.to_numpy(), color=colors, edgecolor="#555555", lw=0.4)
    ax.set_yticks(positions, labels)
    return bars


def _rectangle(color: str) -> Any:
    """A legend's colour patch."""
    from matplotlib.patches import Rectangle

    return Rectangle((0, 0), 1, 1, color=color)


@_literal_text
def chart_capaian(indicators: pd.DataFrame, path: Path, config: ReportScales) -> Path:
    """Capaian of every tujuan, sasaran and program indicator against 100 %, coloured by category."""
    frame = indicators.dropna(subset=["capaian"]).iloc[::-1]
    labels = [
        _label(f"{j.capitalize()} {n}: {t}", 50)
        for j, n, t in zip(frame["jenis"], frame["no"], frame["indikator"], strict=True)
    ]
    colors = [config.color(k) for k in frame["kategori"]]
    fig, ax = _bar_figure("capaian", _height(max(2.5, 0.32 * len(frame) + 1.2)))
    bars = _bars(ax, labels, frame["capaian"], colors)
    ax.axvline(100, color="#333333", lw=1, ls="--")
    for bar, value in zip(bars, frame["capaian"], strict=True):
        ax.text(
            bar.get_width() + 2,
            bar.get_y() + bar.get_height() / 2,
            format_number_id(value, 2),
            va="center",
            fontsize=7,
        )
    ax.xaxis.set_major_formatter(FuncFormatter(_percent))
    ax.set_xlim(0, max(110.0, float(frame["capaian"].max()) * 1.12) if len(frame) else 110.0)
    used = list(dict.fromkeys(frame["kategori"].iloc[::-1]))
    handles = [_rectangle(config.color(k)) for k in used]
    fig.legend(handles, used, loc="lower center", ncol=5, fontsize=7, frameon=False)
    _bar_layout(fig, ax, labels)
    return _save(fig, path)


@_literal_text
def chart_serapan_program(lines: pd.DataFrame, path: Path, config: ReportScales) -> Path:
    """Serapan per program, programs under the threshold in the lowest category colour."""
    programs = lines[lines["level"] == "program"].iloc[::-1]
    labels = [_label(f"{k} {u}", 50) for k, u in zip(programs["kode"], programs["uraian"], strict=True)]
    threshold = config.absorption_threshold_pct
    low, high = config.color(config.warning_below), config.color(config.warning_labels[0])
    colors = [low if v < threshold else high for v in programs["serapan"]]
    fig, ax = _bar_figure("serapan", _height(max(2.5, 0.42 * len(programs) + 1.2)))
    bars = _bars(ax, labels, programs["serapan"], colors)
    ax.axvline(threshold, color="#333333", lw=1, ls="--", label=f"batas {format_number_id(threshold, 0)} %")
    for bar, value in zip(bars, programs["serapan"], strict=True):
        ax.text(
            bar.get_width() + 1,
            bar.get_y() + bar.get_height() / 2,
            format_number_id(value, 2),
            va="center",
            fontsize=7,
        )
    ax.set_xlim(0, 110)
    ax.xaxis.set_major_formatter(FuncFormatter(_percent))
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", fontsize=7, frameon=False)
    _bar_layout(fig, ax, labels)
    return _save(fig, path)


#: How each chart a table's rows give (``LkjipTable.charts_from``) is drawn, by chart id.
TABLE_CHARTS: dict[str, Callable[[pd.DataFrame, Path, ReportScales], Path]] = {
    "capaian_indikator": chart_capaian,
    "serapan_program": chart_serapan_program,
}


def write_charts(
    tables: dict[str, pd.DataFrame],
    monthly: pd.DataFrame,
    out_dir: Path,
    config: ReportScales,
    *,
    opd_name: str,
    year: int,
) -> dict[str, Path]:
    """Every chart the data supports, keyed by chart id (see CHART_FILES): the cumulative charts from
    the monthly series, the others from the tables that name them in the registry."""
    from tasks.report.tables import REGISTRY

    out_dir = Path(out_dir)
    charts: dict[str, Path] = {}
    if not monthly.empty:
        charts["realisasi_kumulatif"] = chart_cumulative_opd(
            monthly, out_dir / CHART_FILES["realisasi_kumulatif"], opd_name, year
        )
        if (monthly["level"] == "program").any():
            charts["realisasi_kumulatif_program"] = chart_cumulative_programs(
                monthly, out_dir / CHART_FILES["realisasi_kumulatif_program"]
            )
    for table in REGISTRY:
        frame = tables.get(table.table_id)
        for spec in table.charts_from if frame is not None else ():
            if spec.takes(frame):
                charts[spec.chart_id] = TABLE_CHARTS[spec.chart_id](
                    frame, out_dir / CHART_FILES[spec.chart_id], config
                )
    return {chart_id: charts[chart_id] for chart_id in CHART_FILES if chart_id in charts}
