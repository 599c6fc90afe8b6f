"""The escaping functions: one per output format, each printing hostile text literally."""

from __future__ import annotations

import html

import pytest

from tasks.core.text import csv_text_cell, html_escape_tree, html_text, markdown_text, visible_text
from tests.fixtures.hostile import ESCAPE, HYPERLINK, IMG, JS_LINK, MATH, PIPE, SCRIPT


def test_visible_text_shows_control_characters_as_excel_writes_them() -> None:
    assert visible_text("Belanja \x1b esc\x00\x7f") == "Belanja _x001B_ esc_x0000__x007F_"
    assert visible_text("a\tb\nc\rd") == "a\tb\nc\rd"  # XML keeps these
    assert visible_text("lone \ud800 \ufffe") == "lone _xD800_ _xFFFE_"
    assert visible_text(None) == "" and visible_text(12.5) == "12.5"
    assert visible_text(MATH) == MATH


def test_html_text_escapes_markup_and_quotes() -> None:
    assert html_text(SCRIPT) == "&lt;script&gt;alert(&#x27;uraian&#x27;)&lt;/script&gt;"
    assert "<" not in html_text(IMG) and '"' not in html_text(IMG)
    assert html.unescape(html_text(IMG)) == IMG
    assert html_text("a\x1bb") == "a_x001B_b"


@pytest.mark.parametrize(
    "text", [SCRIPT, IMG, JS_LINK, PIPE, HYPERLINK, MATH, ESCAPE, "a\nb", "x*y*_z_`c`~s~\\"]
)
def test_markdown_text_is_one_literal_cell(text: str) -> None:
    cell = markdown_text(text)
    assert "\n" not in cell and "<" not in cell
    # no unescaped pipe, bracket, emphasis or code mark is left
    unescaped = cell.replace("\\\\", "").replace("\\|", "").replace("\\[", "").replace("\\]", "")
    unescaped = unescaped.replace("\\*", "").replace("\\_", "").replace("\\`", "").replace("\\~", "")
    assert not set("|[]*_`~") & set(unescaped), cell
    # what a renderer shows: the backslashes go, the entities become their characters again
    shown = html.unescape(cell.replace("\\\\", "\x00").replace("\\", "").replace("\x00", "\\"))
    assert shown == " ".join(visible_text(text).splitlines())


def test_csv_text_cell_neutralises_formula_triggers_only_in_text() -> None:
    for text in (HYPERLINK, "+1+2", "-2+3", "@SUM(A1)", "\tx", "\uff1d1+1", "+62 812", "-A1"):
        assert csv_text_cell(text) == "'" + text
    # a CR would start a new row where the writer leaves the cell unquoted: line breaks become \n
    assert csv_text_cell("\rx") == "'\nx"
    assert csv_text_cell("a\r=1+1\r\nb") == "a\n=1+1\nb"
    for text in ("Belanja modal", "", "2.17.01", "'already", "-", "-1.234,5", "+62"):
        assert csv_text_cell(text) == text
    for value in (-1500.0, -3, None, float("nan")):
        assert csv_text_cell(value) is value


def test_html_escape_tree_reaches_every_text() -> None:
    tree = {"partial_unexpected_list": [SCRIPT, 3, None], IMG: {"file": ("<svg onload=1>.xlsx", 12)}}
    escaped = html_escape_tree(tree)
    assert escaped == {
        "partial_unexpected_list": [html_text(SCRIPT), 3, None],
        html_text(IMG): {"file": [html_text("<svg onload=1>.xlsx"), 12]},
    }
