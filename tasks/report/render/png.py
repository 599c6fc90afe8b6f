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


def png_bytes(rgb: np.ndarray, dpi: float) -> bytes:
    """An 8-bit RGB PNG of ``rgb`` (height x width x 3, uint8: any strides, such as the RGB of an RGBA
    buffer, copied once into the PNG's rows), its pixel density ``dpi``."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected height x width x 3 uint8 pixels, got {rgb.shape} {rgb.dtype}")
    height, width, _ = rgb.shape
    rows = np.empty((height, width * 3 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:].reshape(height, width, 3)[...] = rgb
    per_metre = round(dpi / 0.0254)
    return b"".join(
        [
            _SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"IDAT", zlib.compress(rows, _LEVEL)),  # the array's buffer, not a copy of it
            _chunk(b"IEND", b""),
        ]
    )


def write_png(path: Path, rgb: np.ndarray, dpi: float) -> Path:
    """Write ``rgb`` as a PNG file at ``path`` (see :func:`png_bytes`)."""
    path.write_bytes(png_bytes(rgb, dpi))
    return path
