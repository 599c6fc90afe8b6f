"""Text read from worksheet cells, made storable: control characters removed where they were found.

Excel keeps characters such as NUL or ESC in text as ``_x0000_`` / ``_x001B_`` escapes, which the reader
turns back into the characters. They are invisible to the person who typed them, PostgreSQL refuses
NUL in text and XML writers (Word, xlsx) refuse the others, so they are dropped at read time and the
cells they were in are reported. Tab, line feed and carriage return are kept: they are white space.
"""

from __future__ import annotations

import re

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
