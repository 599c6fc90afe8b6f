"""The government's line of a workbook and its name in title form, as the LKjIP's titles print it."""

from __future__ import annotations

import pytest

from tasks.core.government import government_line, government_title


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("PEMERINTAH KOTA SEMARANG", "Kota Semarang"),
        ("PEMERINTAH KABUPATEN TANAH DATAR", "Kabupaten Tanah Datar"),
        ("PEMERINTAH PROVINSI DKI JAKARTA", "Provinsi DKI Jakarta"),
        ("PEMERINTAH DAERAH PROVINSI JAWA TENGAH", "Provinsi Jawa Tengah"),
        ("PEMERINTAH KABUPATEN BANGKA BELITUNG DAN SEKITARNYA", "Kabupaten Bangka Belitung dan Sekitarnya"),
        ("PEMERINTAH KOTA TANJUNG-PINANG", "Kota Tanjung-Pinang"),
        ("Pemerintah Kota Tanjungpinang", "Kota Tanjungpinang"),  # mixed case: kept as written
        ("PEMERINTAH KOTA", ""),
        ("URUSAN PEMERINTAHAN BIDANG KOPERASI", ""),
        ("", ""),
    ],
)
def test_government_title(line: str, title: str) -> None:
    assert government_title(line) == title
    assert government_line(f"  {line}  ") == (" ".join(line.split()) if title else "")
