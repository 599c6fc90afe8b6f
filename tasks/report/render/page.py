"""The page the report is printed on: A4 with the margins of the usual LKjIP template.

The Word document lays its sections out on it, and the charts are drawn at its text width so that
their lettering prints at the size it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSetup:
    """A4 with the margins of the usual LKjIP template (cm)."""

    width: float = 21.0
    height: float = 29.7
    top: float = 2.5
    bottom: float = 2.5
    left: float = 3.0
    right: float = 2.5

    def text_width(self, landscape: bool = False) -> float:
        """Width between the margins."""
        return (self.height if landscape else self.width) - self.left - self.right

    def text_height(self, landscape: bool = False) -> float:
        """Height between the margins."""
        return (self.width if landscape else self.height) - self.top - self.bottom


PAGE = PageSetup()


def page_of(section) -> PageSetup:
    """The page of a Word document's section (python-docx's ``Section``), in portrait: a template's
    own size and margins (A4 and the usual margins where it sets none)."""

    def cm(length, default: float) -> float:
        return length.cm if length is not None else default

    width, height = cm(section.page_width, PAGE.width), cm(section.page_height, PAGE.height)
    return PageSetup(
        width=min(width, height),
        height=max(width, height),
        top=cm(section.top_margin, PAGE.top),
        bottom=cm(section.bottom_margin, PAGE.bottom),
        left=cm(section.left_margin, PAGE.left),
        right=cm(section.right_margin, PAGE.right),
    )
