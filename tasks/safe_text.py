"""Text from the workbooks printed literally: one escaping function per output format.

Every text a report, page, artifact or spreadsheet shows may come from a file a steward received
(OPD names, uraian, indicator texts, sumber dana, file names) and so may hold anything: markup
(``<script>``), markdown (``|``, ``[..](javascript:..)``), a spreadsheet formula (``=HYPERLINK(..)``),
math text for matplotlib (``$x^2$``) or control characters (Excel's ``_x001B_`` escape) that XML
writers refuse. Each writer passes such text through the function of its format:

- :func:`visible_text` for any renderer (charts, Word, xlsx): control characters shown visibly;
- :func:`html_text` for html (Data Docs included, see :func:`html_escape_tree`);
- :func:`markdown_text` for markdown (Prefect artifacts, table artifact cells included);
- :func:`csv_text_cell` for a CSV text cell (a leading ``'`` before a formula trigger);

Spreadsheets written with xlsxwriter or openpyxl write text cells as strings (never formulas), see
:mod:`tasks.export` and :mod:`tasks.quarantine`; charts never parse math text (:mod:`tasks.charts`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

#: Characters XML 1.0 forbids (C0 controls but tab, newline and return; lone surrogates; U+FFFE/FFFF)
#: and DEL, which no reader shows.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP CSV injection),
#: with their full-width forms, which some spreadsheet programs treat alike.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: A number written as text (``-``, ``-1.234,5``, ``+62``): nothing a spreadsheet could run.
_PLAIN_NUMBER = re.compile(r"-|[+-]?\d[\d.,]*")

#: Markdown characters escaped with a backslash in a table cell: the cell separator, emphasis,
#: code spans, link brackets (no ``[text](javascript:..)`` link), and the escape itself.
_MARKDOWN_SPECIAL = re.compile(r"([\\|`*_\[\]~])")


def visible_text(value: object) -> str:
    """``value`` as text every renderer accepts, control characters shown as Excel writes them.

    ESC prints as ``_x001B_`` (the escape the workbook itself holds), NUL as ``_x0000_``: plain ASCII,
    which every font of every renderer has. Tab, newline and carriage return stay.
    """
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if _INVISIBLE.search(text) is None:
        return text
    return _INVISIBLE.sub(lambda match: f"_x{ord(match.group(0)):04X}_", text)


def html_text(value: object) -> str:
    """Text for html element content or a quoted attribute: escaped, control characters visible."""
    return html.escape(visible_text(value), quote=True)


def markdown_text(value: object) -> str:
    """Text for a markdown table cell or line, shown literally by any markdown renderer.

    Html is escaped as entities (no raw ``<script>``, no autolink ``<javascript:..>``), markdown syntax
    with a backslash (``|`` cannot split the cell, ``[..](..)`` makes no link), line breaks become
    spaces (a table row is one line) and control characters are shown visibly.
    """
    text = " ".join(visible_text(value).splitlines())
    text = html.escape(text, quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def csv_text_cell(value: object) -> object:
    """A CSV text cell a spreadsheet cannot run: a leading ``'`` before ``=``, ``+``, ``-``, ``@``, tab, CR.

    Anything that is not text (numbers, missing values) is returned unchanged: CSV files are for
    machines, and a negative amount stays a number; so is a text that is only a number (``-`` for
    zero, ``-1.234,5``), which no spreadsheet runs.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def html_escape_tree(value: Any) -> Any:
    """``value`` with every text in it (dict keys and values, list items) html-escaped, recursively.

    For JSON-like data (a validation result): tuples come back as lists.
    """
    if isinstance(value, str):
        return html_text(value)
    if isinstance(value, Mapping):
        return {html_escape_tree(key): html_escape_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [html_escape_tree(item) for item in value]
    return value
