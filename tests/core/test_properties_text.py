"""Properties of the CSV neutraliser (OWASP CSV injection): no text cell a spreadsheet would run as a
formula, and the text a person sees kept, through :func:`csv_text_cell` and the report's CSV writer."""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from tasks.core.text import FORMULA_TRIGGERS, csv_text_cell
from tasks.report.render.csv import write_csv_tables

#: What a spreadsheet may read as a formula when a cell starts with it (OWASP), full-width forms too.
TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
#: Text that is only a number (``-`` for zero, ``-1.234,5``, ``+62``): nothing a spreadsheet runs.
NUMBER_TEXT = re.compile(r"-|[+-]?[0-9][0-9.,]*")

#: Cell text with a good chance of starting with a trigger, followed by anything.
CELL_TEXT = st.one_of(
    st.text(max_size=20),
    st.builds(lambda head, tail: head + tail, st.sampled_from(TRIGGERS), st.text(max_size=20)),
    st.builds(
        lambda sign, digits: sign + digits,
        st.sampled_from(["-", "+", ""]),
        st.from_regex(r"[0-9][0-9.,]{0,8}", fullmatch=True),
    ),
)


def shown(text: str) -> str:
    """The text as a person sees it: line breaks are line breaks, whichever characters wrote them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_formula(cell: str) -> bool:
    """True when a spreadsheet could run the cell: a trigger first and not a plain number."""
    return cell.startswith(tuple(TRIGGERS)) and not NUMBER_TEXT.fullmatch(cell)


def test_the_triggers_are_the_owasp_ones() -> None:
    assert set(FORMULA_TRIGGERS) == set(TRIGGERS)


@given(CELL_TEXT)
@example('=HYPERLINK("http://x","klik")')
@example("-2+3")
@example("\t=1")
@example("-")
@example("Belanja\r=HYPERLINK(1)")
def test_a_neutralised_cell_never_runs_and_keeps_its_text(text: str) -> None:
    cell = csv_text_cell(text)
    assert isinstance(cell, str)
    assert not is_formula(cell)
    if is_formula(text):
        assert cell == "'" + shown(text)  # one apostrophe before, the visible text unchanged after it
    else:
        assert cell == shown(text)  # nothing else is touched
    assert "\r" not in cell  # the CSV writer does not quote a bare CR: it would start a new row
    assert csv_text_cell(cell) == cell  # neutralising twice adds nothing


@given(st.one_of(st.integers(), st.floats(), st.none()))
def test_numbers_and_missing_values_pass_unchanged(value: object) -> None:
    assert csv_text_cell(value) is value


@given(st.lists(st.tuples(CELL_TEXT, st.integers(-(10**12), 10**12)), min_size=1, max_size=8))
def test_the_report_csv_holds_no_formula_and_every_text(rows: list[tuple[str, int]]) -> None:
    """Written by the report's CSV writer and read back as a spreadsheet would split it."""
    table = pd.DataFrame({"uraian": [text for text, _ in rows], "anggaran": [amount for _, amount in rows]})
    with tempfile.TemporaryDirectory() as folder:
        [path] = write_csv_tables({"tabel_3_6": table}, Path(folder))
        with path.open(encoding="utf-8", newline="") as handle:
            header, *lines = list(csv.reader(handle))
    assert header == ["uraian", "anggaran"]
    assert len(lines) == len(rows)
    for (cell, amount_cell), (text, amount) in zip(lines, rows, strict=True):
        assert not is_formula(cell)
        assert cell.removeprefix("'") == shown(text) if is_formula(text) else cell == shown(text)
        assert int(amount_cell) == amount  # amounts stay plain numbers, negative ones included
