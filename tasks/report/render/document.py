"""The report as one sequence of blocks (headings, paragraphs, lists, tables, charts, signatures), the
same for the Word document and the html page: both walk :data:`tasks.report.model.OUTLINE` and print
under each heading what the office wrote there (``OfficeTexts``), then its own narrative, then the
tables whose ``place`` is that heading (in REGISTRY order), each with the office's text for its number
and the narrative before it, the narrative after it and the charts after it. A heading with nothing
under it is not printed. Tables and charts are numbered per chapter in the order printed
(``Tabel 3. 8``, ``Gambar 3. 1``), as the document numbers them.

Section III.A (how capaian is measured) is written here from the configured formulas and the
category scale, so it always says what the tables apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from tasks.core.formatting import format_number_id
from tasks.core.outline import TABLE_KEYS, OfficeTexts
from tasks.core.scales import ReportScales
from tasks.report.model import APPENDIX, HEADINGS, OUTLINE, chapter_number
from tasks.report.render.charts import CHART_TITLES
from tasks.report.render.narrative import Narrative
from tasks.report.render.printed import PrintedTable
from tasks.report.render.wording import ITEM, agency_name
from tasks.report.tables import TABLES


@dataclass(frozen=True)
class Block:
    """One part of the report, in order.

    ``kind``: ``heading`` (``level`` 1-3, ``text``), ``paragraph`` (``text``), ``items`` (a bulleted
    list, ``items``), ``formula`` (``text``, a centred line), ``table`` (``table`` and the ``source``
    line under it), ``chart`` (``chart_id``, ``number`` such as ``3. 1`` and ``text``, its title) or
    ``signature`` (``items``: the lines of a signature block, printed in the right half of the page:
    place and date, the position's lines, an empty line or more for the signature, the name, the
    rank, ``NIP. ...``).
    """

    kind: str
    text: str = ""
    level: int = 0
    items: tuple[str, ...] = ()
    table: PrintedTable | None = None
    source: str = ""
    chart_id: str = ""
    number: str = ""
    #: the outline key the block belongs to
    place: str = ""


@dataclass
class _Counter:
    """Figure numbers per chapter."""

    counts: dict[int, int] = field(default_factory=dict)

    def next(self, chapter: int) -> str:
        self.counts[chapter] = self.counts.get(chapter, 0) + 1
        return f"{chapter}. {self.counts[chapter]}"


def _bound(value: float) -> str:
    """A scale bound as printed (``90``, ``62,5``)."""
    return format_number_id(value, 0 if float(value).is_integer() else 2).replace("-", "0")


def scale_items(scale: tuple[tuple[float, str], ...]) -> list[str]:
    """The category scale as the document lists it: ``x > 90 : Sangat Tinggi`` … ``x ≤ 50 : ...``."""
    items: list[str] = []
    finite = [(b, label) for b, label in scale if b != float("-inf")]
    last = next((label for b, label in scale if b == float("-inf")), None)
    for i, (bound, label) in enumerate(finite):
        if i == 0:
            items.append(f"x > {_bound(bound)} : {label}")
        else:
            items.append(f"{_bound(finite[i - 1][0])} ≥ x > {_bound(bound)} : {label}")
    if last is not None:
        items.append(f"x ≤ {_bound(finite[-1][0])} : {last}" if finite else f"semua capaian : {last}")
    return items


def method_blocks(scales: ReportScales, opd_name: str, year: int) -> list[Block]:
    """Section III.A: the capaian formulas and the category scale the report applies."""
    return [
        Block(
            "paragraph",
            f"Capaian kinerja {opd_name} Tahun {year} diukur dengan membandingkan realisasi terhadap target "
            "setiap indikator kinerja, dengan perhitungan sebagai berikut:",
        ),
        Block("paragraph", "Indikator kinerja yang semakin tinggi realisasinya semakin tinggi capaiannya:"),
        Block("formula", "Capaian = Realisasi / Target × 100"),
        Block("paragraph", "Indikator kinerja yang semakin tinggi realisasinya semakin rendah capaiannya:"),
        Block("formula", "Capaian = (2 × Target − Realisasi) / Target × 100"),
        Block(
            "paragraph",
            "atau, untuk indikator yang ditetapkan demikian, Capaian = (Target − Realisasi) / Target × 100.",
        ),
        Block(
            "paragraph",
            "Capaian kinerja (x, dalam persen) kemudian dikelompokkan dalam skala nilai peringkat capaian "
            "kinerja sebagai berikut:",
        ),
        Block("items", items=tuple(scale_items(scales.capaian_scale))),
    ]


_NUMBER = re.compile(r"^(?P<word>Tabel|Table)\s+\d+\.\s*\d+$")
#: Roles of the tables that open the Lampiran (the signed forms), before the other appended tables.
_FORMS = ("pk_form", "pk_programs")


def numbered(table: PrintedTable, chapter: int, number: int, lang_ix: int = 0) -> PrintedTable:
    """The table captioned with its number in the chapter (``Tabel 3. 8``): its own number line
    replaced, or one put before its titles when it has none."""
    titles = list(table.titles)
    match = _NUMBER.match(titles[0]) if titles else None
    word = match["word"] if match else ("Tabel", "Table")[lang_ix]
    line = f"{word} {chapter}. {number}" if word == "Tabel" else f"{word} {chapter}.{number}"
    titles = [line, *titles[1:]] if match else [line, *titles]
    return replace(table, titles=tuple(titles))


def paragraph_blocks(paragraphs: list[str] | tuple[str, ...]) -> list[Block]:
    """Paragraphs as blocks, consecutive items (paragraphs starting with ``- ``) as one bulleted list."""
    blocks: list[Block] = []
    for text in paragraphs:
        if text.startswith(ITEM):
            item = text[len(ITEM) :]
            if blocks and blocks[-1].kind == "items":
                blocks[-1] = replace(blocks[-1], items=(*blocks[-1].items, item))
            else:
                blocks.append(Block("items", items=(item,)))
        else:
            blocks.append(Block("paragraph", text))
    return blocks


def report_blocks(
    printed: list[PrintedTable],
    narrative: Narrative,
    charts: Mapping[str, Path],
    *,
    opd_name: str,
    year: int,
    source: str,
    scales: ReportScales | None = None,
    lang_ix: int = 0,
    texts: OfficeTexts | None = None,
    government: str = "",
) -> list[Block]:
    """Every block of the report in document order (see the module docstring).

    ``texts``: what the office wrote itself, printed under its heading (or before its table) before
    what sakip writes there; ``government``: the government's line of the OPD's workbooks
    (``PEMERINTAH KOTA SEMARANG``), which names the agency in full (``... Kota Semarang``), in the
    text and in the ``Sumber Data`` line when that names the OPD. The tables of chapters I-IV are
    numbered per chapter in the order printed; the Lampiran's are not. Chapter IV closes with the
    closing words and the signature block (``scales.signature``); so does each signed form of the
    Lampiran.
    """
    texts = texts or OfficeTexts()
    scales = scales or ReportScales()
    agency = agency_name(opd_name, government)
    if not source or source == opd_name:
        source = agency
    sections = dict(narrative.sections)
    if texts.under("III.D.1"):  # the office says what its revenue is
        sections.pop("pendapatan", None)
    own: dict[str, list[Block]] = {key: paragraph_blocks(ps) for key, ps in sections.items()}
    by_place: dict[str, list[PrintedTable]] = {}
    for table in printed:
        known = TABLES.get(table.table_id)
        place = known.place if known is not None and known.place in HEADINGS else APPENDIX
        by_place.setdefault(place, []).append(table)
    if APPENDIX in by_place:  # the signed forms first, as the document appends them

        def form_first(table: PrintedTable) -> int:
            known = TABLES.get(table.table_id)
            return 0 if known is not None and (known.role in _FORMS or known.signed) else 1

        by_place[APPENDIX].sort(key=form_first)
    if any(chapter_number(key) == 3 for key in by_place):
        own["metode"] = method_blocks(scales, agency, year)
    signature = Block("signature", items=scales.signature.lines(f"Kepala {agency}"))

    # the numbers the body's tables get, per chapter in the order printed; an office's text for a
    # number no table takes is printed at the end of its chapter rather than lost
    counted = _Counter()
    printed_numbers = {
        counted.next(chapter).replace(" ", "")
        for heading in OUTLINE
        if (chapter := chapter_number(heading.key)) is not None
        for _ in by_place.get(heading.key, [])
    }
    leftover: dict[int, list[str]] = {}
    for key in texts.sections:
        if key in TABLE_KEYS and key not in printed_numbers and texts.under(key):
            leftover.setdefault(int(key.split(".")[0]), []).append(key)

    def content(key: str) -> bool:
        heading = HEADINGS[key]
        if by_place.get(key) or texts.under(key) or any(own.get(k) for k in heading.narrative):
            return True
        if heading.level == 1 and chapter_number(key) in leftover:
            return True
        return any(content(h.key) for h in OUTLINE if h.key.startswith(key + "."))

    def finish(chapter: int | None, place: str) -> list[Block]:
        """What ends a chapter: the office's texts for tables it does not print, then (BAB IV) the
        closing words and the signature."""
        ending = [b for key in leftover.get(chapter or 0, []) for b in paragraph_blocks(texts.under(key))]
        if chapter == 4:
            ending += [*own.get("penutup", []), signature]
        return [_placed(b, place) for b in ending]

    blocks: list[Block] = []
    figures = _Counter()
    tables = _Counter()
    chapter_open: tuple[int | None, str] | None = None  # the chapter printing, and its last place
    for heading in OUTLINE:
        key = heading.key
        if not content(key):
            continue
        chapter = chapter_number(key)
        if heading.level == 1 and chapter_open is not None:
            blocks += finish(*chapter_open)
        chapter_open = (chapter, key)
        blocks.append(Block("heading", heading.text(year, lang_ix), level=heading.level, place=key))
        blocks += [_placed(b, key) for b in paragraph_blocks(texts.under(key))]
        blocks += [_placed(b, key) for k in heading.narrative for b in own.get(k, [])]
        for table in by_place.get(key, []):
            known = TABLES.get(table.table_id)
            before = known.narrative_before if known is not None else ()
            after = known.narrative_after if known is not None else ()
            if chapter is not None:
                number = tables.next(chapter)
                table = numbered(table, chapter, int(number.split(". ")[1]), lang_ix)
                blocks += [_placed(b, key) for b in paragraph_blocks(texts.under(number.replace(" ", "")))]
            blocks += [_placed(b, key) for k in before for b in own.get(k, [])]
            blocks.append(Block("table", table=table, source=source, place=key))
            if known is not None and known.signed:
                blocks.append(_placed(signature, key))
            blocks += [_placed(b, key) for k in after for b in own.get(k, [])]
            for chart_id in known.charts_after if known is not None else ():
                if chart_id in charts:
                    number = figures.next(chapter or 0)
                    title = CHART_TITLES.get(chart_id, chart_id)
                    blocks.append(Block("chart", title, chart_id=chart_id, number=number, place=key))
    if chapter_open is not None:
        blocks += finish(*chapter_open)
    return blocks


def _placed(block: Block, key: str) -> Block:
    """The block with its outline key."""
    return replace(block, place=key)
