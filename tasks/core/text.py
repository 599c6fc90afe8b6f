"""Text from the workbooks, made safe wherever it goes: one module for every escaping rule.

- reading: :func:`strip_control_characters` drops the control characters Excel keeps in cells
  (``_x0000_``, ``_x001B_``); PostgreSQL and XML writers refuse them;
- names in messages and logs: :func:`printable` writes control, bidi and line-separator characters as
  escapes (``\\n``, ``\\x1b``, ``\\u202e``), so one name is always one visible run of text;
- outputs: one function per format. Every text a report, page, artifact or spreadsheet shows may come
  from a file a steward received and so may hold anything: markup (``<script>``), markdown (``|``,
  ``[..](javascript:..)``), a spreadsheet formula (``=HYPERLINK(..)``), math text for matplotlib
  (``$x^2$``) or control characters that XML writers refuse:

  - :func:`visible_text` for any renderer (charts, Word, xlsx): control characters shown visibly;
  - :func:`html_text` for html (Data Docs included, see :func:`html_escape_tree`);
  - :func:`markdown_text` for markdown (Prefect artifacts, table artifact cells included);
  - :func:`csv_text_cell` for a CSV text cell (a leading ``'`` before a formula trigger);
- comparing: :func:`loose_text`, text compared without case, ``.``/``,``/``/`` punctuation or spacing.

Spreadsheets written with xlsxwriter or openpyxl write text cells as strings (never formulas), see
:mod:`tasks.report.render.xlsx` and :mod:`tasks.operations.quarantine`; charts never parse math text
(:mod:`tasks.report.render.charts`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

# --- text read from cells
#: C0 controls except tab, line feed and carriage return; DEL; C1 controls
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control_characters(rows: list[list[object]]) -> list[tuple[int, int]]:
    """Remove control characters from the text cells of ``rows`` in place; the (row, col) changed.

    ``str.isprintable`` (C speed) screens out the cells that cannot hold one, nearly all of them.
    """
    changed: list[tuple[int, int]] = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if type(value) is str and not value.isprintable() and CONTROL_CHARACTERS.search(value):
                row[c] = CONTROL_CHARACTERS.sub("", value)
                changed.append((r, c))
    return changed


# --- names in messages and logs

#: Escapes Python itself uses for the common C0 controls.
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Format characters that change how text around them is shown: bidi embeddings, overrides and
#: isolates, directional marks, and the line / paragraph separators some terminals honour.
_INVISIBLE_FORMAT = frozenset(
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
#: Fast path: text made only of these needs no escaping (most names).
_PLAIN = re.compile(r"[\x20-\x7e]*")


def _escape(char: str) -> str:
    """The visible escape of one character (``\\n``, ``\\x1b``, ``\\u202e``)."""
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _needs_escape(char: str) -> bool:
    """Controls (C0, DEL, C1), bidi and line separators, lone surrogates (bytes not valid UTF-8)."""
    return char in _INVISIBLE_FORMAT or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def printable(text: object) -> str:
    """``text`` as one visible line: control, bidi and line-separator characters written as escapes."""
    value = str(text)
    if _PLAIN.fullmatch(value):
        return value
    return "".join(_escape(char) if _needs_escape(char) else char for char in value)


# --- outputs

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
    zero, ``-1.234,5``), which no spreadsheet runs. Line breaks inside the text are written as ``\\n``:
    the CSV writer (lines ending in ``\\n``) quotes a cell holding one, but not a bare CR, which a
    spreadsheet would read as the start of a new row, one that could begin with a formula.
    """
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    if value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + text
    return text


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


def loose_text(text: object) -> str:
    """Text compared without case, ``.``/``,``/``/`` punctuation or spacing differences."""
    return _LOOSE_SEPARATORS.sub(" ", ("" if text is None else str(text)).lower()).strip()


_LOOSE_SEPARATORS = re.compile(r"[\s.,/]+")
