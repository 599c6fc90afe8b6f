"""Hostile workbooks, generated: a far cell, zip bombs, and text fields carrying payloads.

- :func:`far_cell_workbook`: a good workbook plus one value in ``XFD1048576`` (a few KB; a reader that
  allocates the used range from A1 asks for 17 billion cells);
- :func:`zip_bomb_workbook`: a good workbook whose shared strings (or sheet) part inflates to 1 GiB,
  built from one compressed MiB repeated, so it takes a second to write; the archive may declare the
  true size or lie about it;
- :data:`PAYLOADS` and :func:`hostile_sample`: the 2022 sample with every text field (OPD name, uraian,
  sumber dana, indicator texts) replaced by markup, markdown, formula, math-text and control-character
  payloads, the way a received file could carry them.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from sakip.sample import SampleFiles

GIB = 1 << 30
MIB = 1 << 20

#: Text payloads, each aimed at one renderer (some at several).
SCRIPT = "<script>alert('uraian')</script>"
IMG = '<img src=x onerror="alert(1)">'
JS_LINK = "[klik](javascript:alert(1))"
PIPE = "Belanja | Modal | Tiga"
HYPERLINK = '=HYPERLINK("http://evil.example","klik")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS_FORMULA = "+1+2"
MINUS_FORMULA = "-2+3"
MATH = r"Belanja $x^2$ \frac{a}{b} $\frac{1}$"  # math text matplotlib cannot parse
DOLLAR = "Biaya $ 100 tunai"  # one dollar sign alone
ESCAPE = "Belanja _x001B_ dengan ESC"  # Excel's escape: the cell reads ESC (\x1b)
SVG_FILE_NAME = "<svg onload=alert(1)>.xlsx"

#: Strings that must never appear as they are in html (escaped forms are fine).
LIVE_HTML = ("<script", "<img", "<svg", "javascript:alert")


@dataclass(frozen=True)
class _Part:
    """One part of a hand-built zip archive: raw (deflated or stored) data and its declared sizes."""

    name: str
    data: bytes
    method: int
    crc: int
    file_size: int


def _deflate(data: bytes, *, final: bool) -> bytes:
    """Raw deflate of ``data`` from a fresh compressor: a piece that can be concatenated with others."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _write_zip(path: Path, parts: list[_Part]) -> Path:
    """Write a zip archive of already compressed parts (local headers, central directory, end record)."""
    body = bytearray()
    central = bytearray()
    for part in parts:
        name = part.name.encode()
        offset = len(body)
        fields = (20, 0, part.method, 0, 0x21, part.crc, len(part.data), part.file_size, len(name), 0)
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields) + name + part.data
        central += (
            struct.pack("<4sH", b"PK\x01\x02", 20)
            + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, offset)
            + name
        )
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + end))
    return path


def far_cell_workbook(source: Path, target: Path, sheet: str = "Realisasi") -> Path:
    """A copy of a good workbook with one more value, in the last cell of the sheet (``XFD1048576``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.load_workbook(source)
    book[sheet]["XFD1048576"] = 1
    book.save(target)
    return target


def zip_bomb_workbook(
    source: Path,
    target: Path,
    *,
    part: str = "xl/sharedStrings.xml",
    inflated: int = GIB,
    declared: int | None = None,
) -> Path:
    """A copy of a good workbook whose ``part`` gains ``inflated`` bytes of ``A`` text (one shared string,
    or an XML comment at the end of a sheet), still well-formed XML.

    ``declared`` is the uncompressed size the archive states (default: the true one). The CRC is the
    true one up to 64 MiB and 0 above (a second per GiB to compute; nothing checks it before inflating).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as archive:
        originals = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = originals[part]
    if part.endswith("sharedStrings.xml"):
        closing = xml.rindex(b"</sst>")
        head, tail = xml[:closing] + b"<si><t>", b"</t></si>" + xml[closing:]
    else:
        closing = xml.rindex(b"</worksheet>")
        head, tail = xml[:closing] + b"<!--", b"-->" + xml[closing:]
    block = b"A" * MIB
    repeats = max(1, (inflated - len(head) - len(tail)) // MIB)
    data = _deflate(head, final=False) + _deflate(block, final=False) * repeats + _deflate(tail, final=True)
    size = len(head) + repeats * MIB + len(tail)
    crc = 0
    if size <= 64 * MIB:
        crc = zlib.crc32(head)
        for _ in range(repeats):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(tail, crc)
    parts = [
        _Part(name, data, zipfile.ZIP_DEFLATED, crc, size if declared is None else declared)
        if name == part
        else _Part(
            name, _deflate(content, final=True), zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
        )
        for name, content in originals.items()
    ]
    return _write_zip(target, parts)


# --------------------------------------------------------------------------------------------------
# text payloads in every text field


class _Payloads:
    """Each distinct original text gets the next payload of a cycle, the same one in every file."""

    def __init__(self, payloads: tuple[str, ...]):
        self.payloads = payloads
        self.given: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        """The payload, then the original text (so rows stay tellable apart)."""
        if text not in self.given:
            self.given[text] = f"{self.payloads[len(self.given) % len(self.payloads)]} {text}"
        return self.given[text]


def _set_text(cell, text: str) -> None:
    """Put text in a cell as text (a typed ``=...`` is a string cell in the file, not a formula)."""
    cell.value = text
    cell.data_type = "s"


def _set_opd_name(ws) -> None:
    """The OPD name of the header block (``SKPD : <code> <name>``) becomes a HYPERLINK formula."""
    for row in ws.iter_rows(min_row=1, max_row=6):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip().upper().startswith("SKPD"):
                code = cell.value.split(":", 1)[1].split()[0]
                cell.value = f"SKPD : {code} {HYPERLINK}"


def hostile_sample(sample: SampleFiles, out_dir: Path, *, months: tuple[int, ...] = (1, 2, 3)) -> SampleFiles:
    """The sample's workbooks of ``months`` (and the indicator workbook) with payloads in every text.

    Realization: the OPD name becomes a HYPERLINK formula; program uraian carry script, math text,
    image, pipe, link and ESC payloads; kegiatan and sub kegiatan uraian math text, ESC, formula
    triggers and a lone dollar; sumber dana a formula. Indicators: all payloads in Uraian and
    Indikator (both sheets alike).
    The first month's file is named ``<svg onload=alert(1)>.xlsx``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    programs = _Payloads((SCRIPT, MATH, IMG, PIPE, JS_LINK, ESCAPE))
    lower = _Payloads((MATH, ESCAPE, HYPERLINK, AT_FORMULA, PLUS_FORMULA, MINUS_FORMULA, DOLLAR))
    realization: list[Path] = []
    for month in months:
        source = sample.realization[month - 1]
        target = out_dir / (SVG_FILE_NAME if month == months[0] else source.name)
        book = openpyxl.load_workbook(source)
        ws = book["Realisasi"]
        _set_opd_name(ws)
        header = _header_columns(ws, ("Kode", "Uraian", "Sumber Dana"))
        for r in range(header["row"] + 1, ws.max_row + 1):
            code = ws.cell(row=r, column=header["Kode"]).value
            uraian = ws.cell(row=r, column=header["Uraian"])
            if not isinstance(code, str) or not isinstance(uraian.value, str):
                continue
            depth = code.count(".")
            if depth == 2:
                _set_text(uraian, programs(uraian.value))
            elif depth >= 4:
                _set_text(uraian, lower(uraian.value))
            funding = ws.cell(row=r, column=header["Sumber Dana"])
            if isinstance(funding.value, str) and funding.value.strip():
                _set_text(funding, f"=1+1 {funding.value}")
        book.save(target)
        realization.append(target)
    indicators = out_dir / sample.indicators.name
    book = openpyxl.load_workbook(sample.indicators)
    texts = _Payloads(
        (SCRIPT, MATH, IMG, JS_LINK, PIPE, ESCAPE, HYPERLINK, AT_FORMULA, PLUS_FORMULA, MINUS_FORMULA, DOLLAR)
    )
    for ws in book.worksheets:
        _set_opd_name(ws)
        header = _header_columns(ws, ("Uraian", "Indikator"))
        for r in range(header["row"] + 1, ws.max_row + 1):
            for label in ("Uraian", "Indikator"):
                cell = ws.cell(row=r, column=header[label])
                if isinstance(cell.value, str) and cell.value.strip():
                    _set_text(cell, texts(cell.value))
    book.save(indicators)
    return SampleFiles(realization=realization, indicators=indicators)


def _header_columns(ws, labels: tuple[str, ...]) -> dict[str, int]:
    """The header row of a table and the column of each label (first match in the top 15 rows)."""
    for row in ws.iter_rows(min_row=1, max_row=15):
        found = {
            label: cell.column
            for cell in row
            for label in labels
            if isinstance(cell.value, str) and " ".join(cell.value.split()) == label
        }
        if len(found) == len(labels):
            return {"row": row[0].row, **found}
    raise LookupError(f"no header row with {labels} in sheet {ws.title}")
