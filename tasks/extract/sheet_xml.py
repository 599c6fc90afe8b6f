"""Sheet XML scan, for what calamine cannot tell: a formula cell without a cached value or with a
cached error (calamine shows both as empty), and the number format (style) of a cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.extract.cells import column_index

_XML_TOKEN = re.compile(
    rb"<(?:\w+:)?row\b([^>]*?)/?>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)",
    re.DOTALL,
)
_XML_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_XML_CELL_WITHOUT_REF = re.compile(rb"<(?:\w+:)?c(?:\s(?![^>]*\br=\"[A-Z])[^>]*)?/?>")
_XML_ATTR_R = re.compile(rb'\br="([A-Z]+)?(\d+)"')
_XML_ATTR_T = re.compile(rb'\bt="(\w+)"')
_XML_ATTR_S = re.compile(rb'\bs="(\d+)"')
_XML_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_XML_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_XML_NEEDS_SCAN = re.compile(rb'<(?:\w+:)?f\b|\bt="e"')


@dataclass
class XmlCells:
    """What the sheet XML says that calamine does not: uncached formulas, error values, styles."""

    no_value: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, col)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    styles: dict[tuple[int, int], int] = field(default_factory=dict)


def scan_sheet_xml(xml: bytes, *, styles_for_column: int | None = None) -> XmlCells:
    """Find formula cells without a cached value, cells with an error value, and styles of one column."""
    found = XmlCells()
    if not xml or (styles_for_column is None and not _may_need_scan(xml)):
        return found
    if styles_for_column is None and not _XML_CELL_WITHOUT_REF.search(xml):
        # fast path: every cell carries its reference; look only at cells holding a formula or an error
        for match in _XML_CELL.finditer(xml):
            cell_attrs, content = match.groups()
            if content and (_XML_FORMULA.search(content) or b't="e"' in cell_attrs):
                ref = _XML_ATTR_R.search(cell_attrs)
                _classify(
                    found, int(ref.group(2)) - 1, column_index(ref.group(1).decode()), cell_attrs, content
                )
        return found
    row, col = -1, -1
    for match in _XML_TOKEN.finditer(xml):
        row_attrs, cell_attrs, content = match.groups()
        if row_attrs is not None:
            ref = _XML_ATTR_R.search(row_attrs)
            row = int(ref.group(2)) - 1 if ref else row + 1
            col = -1
            continue
        ref = _XML_ATTR_R.search(cell_attrs)
        if ref and ref.group(1):
            col = column_index(ref.group(1).decode())
            row = int(ref.group(2)) - 1
        else:
            col += 1
        if styles_for_column is not None and col == styles_for_column:
            style = _XML_ATTR_S.search(cell_attrs)
            found.styles[(row, col)] = int(style.group(1)) if style else 0
        if content:
            _classify(found, row, col, cell_attrs, content)
    return found


def _may_need_scan(xml: bytes) -> bool:
    """True when the sheet XML has a formula or an error cell (``_XML_NEEDS_SCAN`` matches).

    Plain substring tests first (fast): the pattern cannot match without ``<f``, ``:f`` (a prefixed
    ``<x:f``) or ``t="e"``, and most sheets have none of them.
    """
    if b"<f" not in xml and b":f" not in xml and b't="e"' not in xml:
        return False
    return _XML_NEEDS_SCAN.search(xml) is not None


def _classify(found: XmlCells, row: int, col: int, cell_attrs: bytes, content: bytes) -> None:
    """Record a cell holding an error value, or a formula without a cached value."""
    kind = _XML_ATTR_T.search(cell_attrs)
    cell_type = kind.group(1) if kind else b"n"
    value = _XML_VALUE.search(content)
    if cell_type == b"e":
        found.errors[(row, col)] = value.group(1).decode() if value else "#ERROR"
    elif _XML_FORMULA.search(content) and not (value and value.group(1)) and cell_type not in (b"str", b"s"):
        found.no_value.add((row, col))
