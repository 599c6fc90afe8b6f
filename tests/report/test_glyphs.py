"""The charts' text cache: a text drawn from it is the text matplotlib rasterizes afresh at that place."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from tasks.report.render import glyphs
from tests.fixtures.hostile import DOLLAR

TEXTS = ["Agu", "2,5", "Realisasi kumulatif (miliar Rp)", DOLLAR, "1.02.01 PROGRAM PENUNJANG URUSAN"]


@pytest.fixture(autouse=True)
def empty_cache():
    glyphs._TEXTS.clear()
    glyphs._SIZES.clear()
    glyphs._HEIGHTS.clear()
    yield
    glyphs._TEXTS.clear()
    glyphs._SIZES.clear()
    glyphs._HEIGHTS.clear()


def pixels(renderer: RendererAgg) -> np.ndarray:
    return np.asarray(renderer.buffer_rgba()).copy()


def draw(renderer: RendererAgg, text: str, x: float, y: float, *, size: float = 7, angle: float = 0) -> None:
    gc = renderer.new_gc()
    gc.set_foreground("#1f5fa8")
    renderer.draw_text(gc, x, y, text, FontProperties(family="DejaVu Sans", size=size), angle)
    gc.restore()


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("angle", [0, 90])
def test_a_text_from_the_cache_is_the_text_rasterized_afresh(text: str, angle: float) -> None:
    """Drawn once at one place (kept), then at another: the pixels are matplotlib's own at the whole
    pixel the cache puts it on."""
    warm = glyphs.TextCachingRenderer(400, 300, 150)
    draw(warm, text, 20.3, 150.6, angle=angle)
    assert len(glyphs._TEXTS) == 1
    cached = glyphs.TextCachingRenderer(400, 300, 150)
    draw(cached, text, 47.71, 233.2, angle=angle)  # from the cache, 27 and 83 pixels away
    assert len(glyphs._TEXTS) == 1
    plain = RendererAgg(400, 300, 150)
    draw(plain, text, 48, 233, angle=angle)  # matplotlib's own, at the whole pixel
    assert pixels(plain).any() and np.array_equal(pixels(cached), pixels(plain))


def test_texts_differing_in_size_or_string_are_kept_apart() -> None:
    renderer = glyphs.TextCachingRenderer(400, 300, 150)
    draw(renderer, "Jan", 10, 50)
    draw(renderer, "Jan", 10, 100, size=9)
    draw(renderer, "Feb", 10, 150)
    assert len(glyphs._TEXTS) == 3
    plain = RendererAgg(400, 300, 150)
    draw(plain, "Jan", 10, 50)
    draw(plain, "Jan", 10, 100, size=9)
    draw(plain, "Feb", 10, 150)
    assert np.array_equal(pixels(renderer), pixels(plain))


def test_sizes_are_matplotlibs_and_measured_once_per_process() -> None:
    font = FontProperties(family="DejaVu Sans", size=7)
    first = glyphs.TextCachingRenderer(400, 300, 150)
    other_figure = glyphs.TextCachingRenderer(900, 500, 150)
    for text in TEXTS:
        expected = RendererAgg(10, 10, 150).get_text_width_height_descent(text, font, False)
        assert first.get_text_width_height_descent(text, font, False) == expected
        assert other_figure.get_text_width_height_descent(text, font, False) == expected
    assert len(glyphs._SIZES) == len(TEXTS)
    # another resolution is another size
    assert glyphs.TextCachingRenderer(10, 10, 300).get_text_width_height_descent("Jan", font, False) != (
        first.get_text_width_height_descent("Jan", font, False)
    )


def test_the_cache_keeps_a_bounded_number_of_texts(monkeypatch) -> None:
    monkeypatch.setattr(glyphs, "MAX_TEXTS", 5)
    renderer = glyphs.TextCachingRenderer(400, 300, 150)
    for number in range(12):
        draw(renderer, str(number), 10, 20 + 20 * number)
    assert len(glyphs._TEXTS) == 5
    assert [key[0] for key in glyphs._TEXTS] == ["7", "8", "9", "10", "11"]


def test_font_heights_from_the_cache_lay_texts_out_as_matplotlib_does() -> None:
    """matplotlib reads a font's ascent, descent and line gap for every text it lays out, unless the
    renderer gives them: given by the cache, every text is placed and sized as without it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=150)
    texts = [
        fig.text(0.1, 0.1 + 0.15 * i, text, fontsize=size, rotation=angle)
        for i, (text, size, angle) in enumerate(
            [("Jan", 6, 0), ("2,5 miliar", 9, 0), (TEXTS[2], 10, 90), ("baris\npertama", 7, 0), ("lp", 8, 45)]
        )
    ]
    plain = RendererAgg(600, 450, 150)
    cached = glyphs.TextCachingRenderer(600, 450, 150)
    for text in texts:
        assert text.get_window_extent(cached).bounds == text.get_window_extent(plain).bounds
    assert glyphs._HEIGHTS  # the heights came from the cache
