"""Text of the charts laid out and rasterized once per process: an Agg renderer with a text cache.

A year-end run draws the same lettering again and again: the month names under every panel, the
amount and percent ticks, the legends, the program names agencies share. matplotlib's Agg renderer
lays each text out and rasterizes its glyphs every time it is drawn, and measures it again for every
new figure: the larger part of drawing a chart. :class:`TextCachingRenderer` does each once per
process:

- a text's size (width, height, descent) is kept by string, font and resolution, for every figure of
  the process (matplotlib keeps it per figure, and the bar charts' figures differ by height);
- a text is put down at a whole pixel, and the glyph images it was rasterized into are kept by
  string, font, angle and resolution: the next time the same text is drawn, anywhere, the same images
  are put down again, shifted by whole pixels (FreeType rasterizes an outline moved by whole pixels
  into the same pixels, moved). Up to matplotlib 3.10 Agg placed every text at a whole pixel too;
  3.11 places it at a fraction of one, a difference of less than half a pixel nobody sees in a
  chart, and the one that would make every position a new rasterization.

What a text looks like is the same whether it comes from the cache or not (tested).
Imported when a chart is drawn (it imports matplotlib).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag

from tasks.core.caches import keep_bounded

#: Texts (and sizes) kept per process, the least recently used let go first: a province's worth of
#: labels is a few thousand, each text keeping its glyph images (a few hundred bytes a glyph).
MAX_TEXTS = 20_000

#: One glyph image of a text: grey levels, its place from the text's origin, the angle it is drawn at.
_Glyph = tuple[np.ndarray, int, int, float]
_TEXTS: OrderedDict[tuple, tuple[_Glyph, ...]] = OrderedDict()
_SIZES: OrderedDict[tuple, tuple[float, float, float]] = OrderedDict()
_HEIGHTS: dict[tuple, tuple[float | None, float | None, float | None]] = {}


def _font_key(prop: Any, dpi: float) -> tuple:
    """What decides how a font draws a text, besides the text: its properties, the resolution and
    the settings matplotlib renders text with."""
    return (
        prop.copy(),  # hashed and compared by its properties, as matplotlib's own text cache does
        dpi,
        get_hinting_flag(),
        mpl.rcParams["text.hinting_factor"],
        mpl.rcParams["text.kerning_factor"],
    )


class _Recorder:
    """Stands for the Agg renderer's core while a text is drawn: keeps a copy of every glyph image it
    is given, and passes everything on."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self.glyphs: list[tuple[np.ndarray, int, int, float]] = []
        self.other = False

    def draw_text_image(self, image: np.ndarray, x: int, y: int, angle: float, gc: Any) -> None:
        self.glyphs.append((np.array(image, copy=True), x, y, angle))
        self.core.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name: str) -> Any:  # anything else drawn with the text: it is not kept
        self.other = True
        return getattr(self.core, name)


def font_height_metrics(prop: Any, dpi: float) -> tuple[float | None, float | None, float | None]:
    """The ascent, descent and line gap (pixels) of the font of ``prop`` at ``dpi``, from its OS/2 or
    hhea table: what matplotlib 3.11 reads from the font file for every text it lays out (``Text.
    _get_layout``), unless the renderer gives them (``_get_font_height_metrics``); (None, None, None)
    when the font has neither table (matplotlib then measures the text "lp")."""
    from matplotlib.font_manager import fontManager, get_font

    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap_key, ascent_key, descent_key in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


class TextCachingRenderer(RendererAgg):
    """matplotlib's Agg renderer, its plain texts measured and rasterized once per process."""

    def _get_font_height_metrics(self, prop):
        """A font's ascent, descent and line gap, read from its file once per process (matplotlib
        asks the renderer for them before reading them itself, for every text it lays out)."""
        key = _font_key(prop, self.dpi)
        metrics = _HEIGHTS.get(key)
        if metrics is None:
            metrics = _HEIGHTS[key] = font_height_metrics(prop, self.dpi)
        return metrics

    def get_text_width_height_descent(self, s, prop, ismath):
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, *_font_key(prop, self.dpi))
        size = _SIZES.get(key)
        if size is None:
            size = super().get_text_width_height_descent(s, prop, ismath)
            keep_bounded(_SIZES, key, size, MAX_TEXTS)
        return size

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        left, top = round(x), round(y)
        key = (
            s,
            *_font_key(prop, self.dpi),
            angle,
            gc.get_antialiased(),
            mtext.get_fontfeatures() if mtext is not None else None,
            mtext.get_language() if mtext is not None else None,
        )
        glyphs = _TEXTS.get(key)
        if glyphs is not None:
            _TEXTS.move_to_end(key)
            for image, dx, dy, image_angle in glyphs:
                self._renderer.draw_text_image(image, left + dx, top + dy, image_angle, gc)
            return None
        core, recorder = self._renderer, _Recorder(self._renderer)
        self._renderer = recorder
        try:
            super().draw_text(gc, left, top, s, prop, angle, ismath, mtext)
        finally:
            self._renderer = core
        if not recorder.other:
            glyphs = tuple((image, x0 - left, y0 - top, a) for image, x0, y0, a in recorder.glyphs)
            keep_bounded(_TEXTS, key, glyphs, MAX_TEXTS)
        return None


class TextCachingCanvas(FigureCanvasAgg):
    """An Agg canvas drawing with :class:`TextCachingRenderer`."""

    def get_renderer(self):
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextCachingRenderer(width, height, self.figure.dpi)
            self._lastKey = key
        return self.renderer
