"""A workbook with one typed figure, sent through the page: its result starts at the typed cell."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.fixtures.web import make_site, run_queue, sign_in

pytestmark = pytest.mark.prefect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROW = re.compile(r"<tr class=\"(?:error|warning)\">(.*?)</tr>", re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def typo_workbook(source: Path, target: Path) -> tuple[Path, int]:
    """The sample month with 1.000 typed too much in G12 (a sub kegiatan's realization to date).

    Returns the copy and G12's right value.
    """
    shutil.copy(source, target)
    book = openpyxl.load_workbook(target)
    sheet = book["Realisasi"]
    assert sheet["A12"].value == "2.17.01.2.01.01"
    right = sheet["G12"].value
    sheet["G12"] = right + 1000
    book.save(target)
    return target, right


def test_the_result_page_starts_at_the_typed_cell(prefect_server, sample_2022, site_template, tmp_path):
    site = make_site(site_template, tmp_path / "work")
    path, right = typo_workbook(sample_2022.realization[0], tmp_path / "realisasi_2022_01.xlsx")
    client = site.client()
    token = sign_in(client, "dinas")
    answer = client.post(
        "/upload",
        data={"csrf_token": token},
        files=[("files", (path.name, path.read_bytes(), XLSX))],
    )
    assert answer.status_code == 303, answer.text
    run_queue(site)
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    rows = [[cell.strip() for cell in CELL.findall(row)] for row in ROW.findall(page.text)]
    assert rows, page.text
    sheet, cell, message, expected, rule = rows[0]
    shown = f"{right:,}".replace(",", ".")
    assert (sheet, cell, expected) == ("Realisasi", "G12", shown)
    assert rule == "<code>period.month_inconsistent</code>"
    assert message.endswith(f"seharusnya {shown}")
    # the kegiatan's subtotal follows, with nothing in its "Nilai seharusnya"
    assert rows[1][1] == "G11" and "periksa rincian di bawahnya" in rows[1][2] and rows[1][3] == ""
    assert "realisasi_sd_bulan_ini_rp" not in page.text
