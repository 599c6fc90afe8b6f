"""The office's Word template: its styles, page setup, headers and footers and its own pages (cover,
Kata Pengantar) kept, the report placed where a paragraph reads ``{{ LKJIP }}``.

``sakip report --template FILE.docx`` (or ``SAKIP_REPORT_TEMPLATE``) names it. A template is a Word
document (.docx): a .dotx or .docm is refused with the advice to save it as .docx, and so is a file
python-docx cannot open. The report is written at the end of the template's body and then moved to
the placeholder (which is removed); without one it stays after the template's body. Styles the
report uses and the template lacks (Word writes only the styles a document uses) are added, plain,
on the template's Normal.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml.etree import XMLSyntaxError

#: The paragraph the report replaces: ``{{ LKJIP }}``, spaces inside the braces optional.
PLACEHOLDER = re.compile(r"^\s*\{\{\s*LKJIP\s*\}\}\s*$", re.IGNORECASE)


class TemplateError(ValueError):
    """A template the report cannot use; ``reason`` says why (Bahasa Indonesia)."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{path}: {reason}")


def open_template(path: Path):
    """The template as a python-docx ``Document``; :class:`TemplateError` when it is not one."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".dotx", ".dotm", ".docm", ".doc"):
        raise TemplateError(path, "templat harus dokumen Word .docx: buka di Word dan simpan sebagai .docx")
    if not path.is_file():
        raise TemplateError(path, "berkas tidak ditemukan")
    try:
        return Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as error:
        raise TemplateError(path, "bukan dokumen Word .docx yang dapat dibaca") from error
    except OSError as error:
        raise TemplateError(path, f"tidak dapat dibaca ({error.strerror or error})") from error


def check_template(path: Path) -> None:
    """Refuse a template the report cannot use (:class:`TemplateError`), before any report runs."""
    open_template(path)


def _text(element) -> str:
    """The text of a ``w:p`` element."""
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def find_placeholder(doc):
    """The body's ``{{ LKJIP }}`` paragraph (its element), or None."""
    for child in doc.element.body.iterchildren(qn("w:p")):
        if PLACEHOLDER.match(_text(child)):
            return child
    return None


def body_length(doc) -> int:
    """How many blocks the body holds before its closing section properties."""
    return sum(1 for child in doc.element.body.iterchildren() if child.tag != qn("w:sectPr"))


def place_report(doc, start: int) -> None:
    """Move what was written after the body's first ``start`` blocks to the placeholder and remove
    the placeholder (its section break, if it ends a section, stays in an empty paragraph)."""
    anchor = find_placeholder(doc)
    if anchor is None:
        return
    blocks = [child for child in doc.element.body.iterchildren() if child.tag != qn("w:sectPr")]
    for block in blocks[start:]:
        anchor.addprevious(block)
    properties = anchor.find(qn("w:pPr"))
    if properties is not None and properties.find(qn("w:sectPr")) is not None:
        for child in list(anchor):
            if child is not properties:
                anchor.remove(child)
    else:
        anchor.getparent().remove(anchor)


def _outline_level(style, level: int) -> None:
    """``w:outlineLvl`` on a paragraph style: Word's table of contents takes it at that level."""
    properties = style.element.get_or_add_pPr()
    mark = OxmlElement("w:outlineLvl")
    mark.set(qn("w:val"), str(level - 1))
    properties.append(mark)


def ensure_styles(doc) -> None:
    """The styles the report writes with, added where the document lacks them: Heading 1–3 (bold,
    on Normal, with their outline level), Caption, List Bullet (indented: a template's own has its
    bullet numbering)."""
    styles = doc.styles
    have = {style.name for style in styles if style.type == WD_STYLE_TYPE.PARAGRAPH}
    for level, size in ((1, 14), (2, 12), (3, 12)):
        name = f"Heading {level}"
        if name not in have:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.font.bold, style.font.size = True, Pt(size)
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)
            _outline_level(style, level)
    if "Caption" not in have:
        style = styles.add_style("Caption", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.bold = True
        style.paragraph_format.keep_with_next = True
    if "List Bullet" not in have:
        style = styles.add_style("List Bullet", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.paragraph_format.left_indent = Cm(0.75)
