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
