"""Properties of the budget-code hierarchy: short codes expand under their parents, a code's parents are
its prefixes and sort before it, and the subtotals of the report add up their children.

Trees are drawn as a workbook prints them (Permendagri 90/2019): a full urusan and program code, short
kegiatan (``2.01``) and sub kegiatan (``01`` / ``0001``) codes under them, full account codes below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from tasks.core.codes import expand_codes, level_of, sub_kegiatan_width
from tasks.core.hierarchy import leaf_accounts, node_keys, parent_codes
from tasks.report.inputs import roll_up_frame, sort_key

LEVEL_ABOVE = {"program": "urusan", "kegiatan": "program", "sub_kegiatan": "kegiatan"}


@dataclass(frozen=True)
class Row:
    """One printed row: the code as written and what it must expand to."""

    printed: str
    full: str
    level: str
    sub_kegiatan: str = ""


def _two(n: int) -> str:
    return f"{n:02d}"


@st.composite
def accounts(draw: st.DrawFn) -> list[str]:
    """Account codes of one sub kegiatan, some nested in others (``5.1.02`` encloses ``5.1.02.01``)."""
    segments = st.lists(st.sampled_from(["01", "02", "1", "0024"]), min_size=0, max_size=4)
    paths = draw(st.lists(st.tuples(st.sampled_from(["1", "2"]), segments), max_size=4))
    codes = {".".join(["5", head, *tail]) for head, tail in paths}
    return sorted(codes, key=sort_key)


@st.composite
def budget_trees(draw: st.DrawFn) -> list[Row]:
    """A workbook's code column in document order, with the expansion each row must get."""
    urusan = f"{draw(st.integers(1, 8))}.{_two(draw(st.integers(1, 40)))}"
    width = draw(st.sampled_from([2, 4]))
    rows = [Row(urusan, urusan, "urusan")]
    for program_no in sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=2))):
        program = f"{urusan}.{_two(program_no)}"
        rows.append(Row(program, program, "program"))
        kegiatan_nos = draw(st.sets(st.tuples(st.integers(1, 2), st.integers(1, 99)), min_size=1, max_size=2))
        for group, number in sorted(kegiatan_nos):
            short = f"{group}.{_two(number)}"
            kegiatan = f"{program}.{short}"
            rows.append(Row(short, kegiatan, "kegiatan"))
            for sub_no in sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=3))):
                short_sub = f"{sub_no:0{width}d}"
                sub = f"{kegiatan}.{short_sub}"
                rows.append(Row(short_sub, sub, "sub_kegiatan", sub))
                rows.extend(Row(code, code, "rekening", sub) for code in draw(accounts()))
    return rows


def lines_of(rows: list[Row]) -> pd.DataFrame:
    """The staged lines of a tree: full code, level, owning sub kegiatan."""
    return pd.DataFrame(
        {
            "kode": [row.full for row in rows],
            "level": [row.level for row in rows],
            "sub_kegiatan_kode": [row.sub_kegiatan for row in rows],
        }
    )


def segments(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


@given(budget_trees())
def test_short_codes_expand_under_their_parents(rows: list[Row]) -> None:
    expanded = expand_codes([row.printed for row in rows])
    assert [(e.full_code, e.level, e.sub_kegiatan_code, e.problem) for e in expanded] == [
        (row.full, row.level, row.sub_kegiatan, "") for row in rows
    ]
    for row in rows:
        assert level_of(row.full) == row.level
        if row.level == "sub_kegiatan":
            assert sub_kegiatan_width(row.full) == len(row.printed)


@given(budget_trees())
def test_a_codes_parent_is_its_prefix_one_level_up_and_comes_before_it(rows: list[Row]) -> None:
    lines = lines_of(rows)
    keys = node_keys(lines).tolist()
    parents = parent_codes(lines).tolist()
    position = {key: index for index, key in enumerate(keys)}
    assert len(position) == len(keys)  # every node key names one row
    for index, (row, parent) in enumerate(zip(rows, parents, strict=True)):
        if row.level == "urusan":
            assert parent == ""
            continue
        assert position[parent] < index  # the parent is printed above
        if row.level == "rekening":  # the nearest enclosing account of the same sub kegiatan, else it
            sub, _, enclosing = parent.partition("/")
            assert sub == row.sub_kegiatan
            assert not enclosing or row.full.startswith(enclosing + ".")
            nearer = [
                other.full
                for other in rows
                if other.level == "rekening"
                and other.sub_kegiatan == sub
                and row.full.startswith(other.full + ".")
                and len(other.full) > len(enclosing)
            ]
            assert nearer == []
            continue
        assert row.full.startswith(parent + ".")
        assert rows[position[parent]].level == LEVEL_ABOVE[row.level]
        assert segments(parent) < segments(row.full) and sort_key(parent) < sort_key(row.full)


@given(budget_trees())
def test_leaf_accounts_are_those_nothing_is_nested_under(rows: list[Row]) -> None:
    leaf = leaf_accounts(lines_of(rows)).tolist()
    for row, is_leaf in zip(rows, leaf, strict=True):
        nested = any(
            other.level == "rekening"
            and other.sub_kegiatan == row.sub_kegiatan
            and other.full.startswith(row.full + ".")
            for other in rows
        )
        assert is_leaf == (row.level == "rekening" and not nested)


@given(budget_trees(), st.randoms(use_true_random=False))
def test_sorting_codes_restores_the_document_order(rows: list[Row], rnd: random.Random) -> None:
    codes = [row.full for row in rows if row.level != "rekening"]
    shuffled = codes.copy()
    rnd.shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == codes


CODES = st.lists(st.integers(0, 99_999).map(str), min_size=1, max_size=6).map(".".join)


@given(CODES, CODES)
def test_sort_key_orders_codes_by_their_numbers_parents_first(a: str, b: str) -> None:
    assert (sort_key(a) < sort_key(b)) == (segments(a) < segments(b))
    assert (sort_key(a) == sort_key(b)) == (segments(a) == segments(b))


@given(budget_trees(), st.data())
def test_subtotals_are_the_sums_of_their_sub_kegiatan(rows: list[Row], data: st.DataObject) -> None:
    subs = [row.full for row in rows if row.level == "sub_kegiatan"]
    amounts = st.integers(0, 10**12)
    frame = pd.DataFrame(
        {
            "kode": subs,
            "uraian": [f"Sub {code}" for code in subs],
            "anggaran": data.draw(st.lists(amounts, min_size=len(subs), max_size=len(subs))),
            "realisasi": data.draw(st.lists(amounts, min_size=len(subs), max_size=len(subs))),
        }
    ).sample(frac=1.0, random_state=0)  # the order the warehouse hands them back in does not matter
    table = roll_up_frame(frame, ["anggaran", "realisasi"], {}, by=[])

    tree = [(row.full, row.level) for row in rows if row.level != "rekening"]
    assert list(zip(table["kode"], table["level"], strict=True)) == tree  # parents first, document order
    by_code = frame.set_index("kode")
    for _, line in table.iterrows():
        children = by_code[by_code.index.str.startswith(line["kode"] + ".") | (by_code.index == line["kode"])]
        assert line["anggaran"] == children["anggaran"].sum()
        assert line["realisasi"] == children["realisasi"].sum()
    urusan = table[table["level"] == "urusan"]
    assert urusan["anggaran"].sum() == frame["anggaran"].sum()
