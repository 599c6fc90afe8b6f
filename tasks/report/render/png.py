"""PNG files of the report's charts, written from their pixels.

The charts are flat colour on white: zlib packs their rows as well without a PNG row filter as with
one, so every row is written unfiltered (filter type 0) and the pixels go to zlib as they are. Pillow,
which matplotlib saves with, tries every filter on every row: four fifths of the time of writing a
chart, and files a little larger.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: zlib level 3: as fast as level 1 on these images, a few percent smaller.
_LEVEL = 3


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


#: PNG colour type by channels: RGB, RGBA.
_COLOUR_TYPES = {3: 2, 4: 6}


def png_bytes(pixels: np.ndarray, dpi: float) -> bytes:
    """An 8-bit RGB or RGBA PNG of ``pixels`` (height x width x 3 or 4, uint8), its pixel density ``dpi``.

    A chart's canvas is RGBA: written as it is, its rows are copied into the PNG's in one block; the
    alpha channel (opaque everywhere) costs zlib less than taking it out costs numpy.
    """
    if pixels.ndim != 3 or pixels.shape[2] not in _COLOUR_TYPES or pixels.dtype != np.uint8:
        raise ValueError(f"expected height x width x 3 or 4 uint8 pixels, got {pixels.shape} {pixels.dtype}")
    height, width, channels = pixels.shape
    rows = np.empty((height, width * channels + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:].reshape(height, width, channels)[...] = pixels
    per_metre = round(dpi / 0.0254)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[channels], 0, 0, 0)
    return b"".join(
        [
            _SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"IDAT", zlib.compress(rows, _LEVEL)),  # the array's buffer, not a copy of it
            _chunk(b"IEND", b""),
        ]
    )


def write_png(path: Path, pixels: np.ndarray, dpi: float) -> Path:
    """Write ``pixels`` as a PNG file at ``path`` (see :func:`png_bytes`)."""
    path.write_bytes(png_bytes(pixels, dpi))
    return path
