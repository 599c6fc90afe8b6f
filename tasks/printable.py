"""Names shown to people, with every control character made visible.

A file name may hold a newline, a carriage return, an ANSI escape or a bidirectional override; printed
as is, it could forge a line of output (``x.xlsx\\nrealisasi_2022_09.xlsx: dimuat (38)``), clear the
terminal or show its text reversed. :func:`printable` writes such characters as escapes (``\\n``,
``\\x1b``, ``\\u202e``), so one name is always one visible run of text. Every message, summary and log
line that names a file, sheet or other user-supplied text goes through it; storage keeps the real name.
"""

from __future__ import annotations

import re
import unicodedata

#: Escapes Python itself uses for the common C0 controls.
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Format characters that change how text around them is shown: bidi embeddings, overrides and
#: isolates, directional marks, and the line / paragraph separators some terminals honour.
_INVISIBLE = frozenset(
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
    return char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def printable(text: object) -> str:
    """``text`` as one visible line: control, bidi and line-separator characters written as escapes."""
    value = str(text)
    if _PLAIN.fullmatch(value):
        return value
    return "".join(_escape(char) if _needs_escape(char) else char for char in value)
