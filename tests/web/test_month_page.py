"""The steward's month page: every agency's figures in one table, lowest serapan first, sortable by
links; the figures read for all agencies at once."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, insert

from sakip.web.accounts import add_user
from tasks.extract.realization import read_realization
from tasks.load.realization import load_realization
from tests.fixtures.dashboard import UPLOADED_AT, load_months, load_sample_plan, record_upload
from tests.fixtures.web import AGENCY, OTHER_AGENCY, WebSite, sign_in
from warehouse.models import ValidationRun
from warehouse.queries import month_figures, month_last_sent_names

THIRD = "3.01.0.00.0.00.01.0000"
EMPTY = "4.01.0.00.0.00.01.0000"
ROW = re.compile(r'<tr data-code="([^"]+)">')


def codes(html: str) -> list[str]:
    """The agency codes of the month table, top to bottom."""
    return ROW.findall(html)


@pytest.fixture
def month_site(site: WebSite, sample_2022) -> WebSite:
    """January and February 2022 of three agencies spending 100 %, 50 % and 80 % of the sample's
    realization (the first's February sent through the web), and a fourth agency (a user, nothing
    loaded)."""
    months = sample_2022.realization[:2]
    _, february = load_months(site.engine, months)
    record_upload(site.engine, [("Realisasi Februari 2022 (Dinas).xlsx", "loaded", february.sha256)])
    load_months(site.engine, months, OTHER_AGENCY, "Dinas Pendidikan", 0.5)
    load_months(site.engine, months, THIRD, "Dinas Kesehatan", 0.8)
    add_user(site.engine, "kosong", "kata-sandi-kosong", "opd", EMPTY)
    return site


def _month_page(site: WebSite, query: str = "") -> str:
    client = site.client()
    sign_in(client, "steward")
    answer = client.get(f"/steward?year=2022&month=2{query}")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_lowest_serapan_first_by_default_nothing_loaded_last(month_site: WebSite):
    html = _month_page(month_site)
    assert codes(html) == [OTHER_AGENCY, THIRD, AGENCY, EMPTY]
    assert 'aria-sort="ascending"' in html
    # each column heading is a link that sorts by it; the sorted one turns its direction
    assert 'href="/steward?year=2022&amp;month=2&amp;sort=serapan&amp;dir=desc"' in html
    assert 'href="/steward?year=2022&amp;month=2&amp;sort=kode&amp;dir=asc"' in html
    assert "4,90" in html and "2,45" in html  # serapan of AGENCY and of OTHER_AGENCY (half)


def test_sort_by_serapan_both_ways_and_by_other_columns(month_site: WebSite):
    assert codes(_month_page(month_site, "&sort=serapan&dir=asc")) == [OTHER_AGENCY, THIRD, AGENCY, EMPTY]
    descending = _month_page(month_site, "&sort=serapan&dir=desc")
    assert codes(descending) == [AGENCY, THIRD, OTHER_AGENCY, EMPTY]
    assert 'aria-sort="descending"' in descending
    assert 'href="/steward?year=2022&amp;month=2&amp;sort=serapan&amp;dir=asc"' in descending
    assert codes(_month_page(month_site, "&sort=kode&dir=desc")) == [EMPTY, THIRD, AGENCY, OTHER_AGENCY]
    assert codes(_month_page(month_site, "&sort=status&dir=asc")) == [EMPTY, OTHER_AGENCY, AGENCY, THIRD]
    assert codes(_month_page(month_site, "&sort=realisasi&dir=desc"))[:3] == [AGENCY, THIRD, OTHER_AGENCY]
    # anything else: the default order, no error
    assert codes(_month_page(month_site, "&sort=%3Cscript%3E&dir=sideways")) == [
        OTHER_AGENCY,
        THIRD,
        AGENCY,
        EMPTY,
    ]


def test_each_row_has_its_figures_and_badge(month_site: WebSite):
    html = _month_page(month_site)
    row = re.search(rf'<tr data-code="{re.escape(AGENCY)}">.*?</tr>', html, re.S).group(0)
    assert "26.163.067.000" in row  # anggaran
    assert "1.283.296.548" in row  # realisasi s.d. Februari
    assert "1.515.538.123" in row  # anggaran kas s.d. Februari (the workbook's own column)
    assert "-0,89" in row  # deviasi in points
    assert '<span class="badge level-merah"' in row and ">Sangat Rendah</span>" in row
    assert "dimuat" in row
    assert "Realisasi Februari 2022 (Dinas).xlsx" in row and "realisasi_2022_02.xlsx" not in row
    other = re.search(rf'<tr data-code="{re.escape(OTHER_AGENCY)}">.*?</tr>', html, re.S).group(0)
    assert "realisasi_2022_02.xlsx" in other  # not sent through the web: the name it was read under
    empty = re.search(rf'<tr data-code="{re.escape(EMPTY)}">.*?</tr>', html, re.S).group(0)
    assert "belum dikirim" in empty and "level-" not in empty


def test_month_figures_read_every_agency_in_one_query_and_fill_the_plan_from_the_cash_plan(
    warehouse: Engine, sample_2022, tmp_path: Path
):
    february = read_realization(sample_2022.realization[1])
    own_plan = float(
        february.lines.loc[february.lines["level"] == "sub_kegiatan", "anggaran_kas_sd_bulan_ini_rp"].sum()
    )
    without = february.lines.copy()
    without["anggaran_kas_sd_bulan_ini_rp"] = math.nan  # a month whose workbook has no RAK column
    load_realization(warehouse, replace(february, lines=without, sha256="tanpa-rak"))
    load_months(warehouse, [sample_2022.realization[1]], OTHER_AGENCY, "Dinas Pendidikan", 0.5)

    statements: list[str] = []
    event.listen(warehouse, "before_cursor_execute", lambda *args: statements.append(args[2]))
    before = month_figures(warehouse, 2022, 2).set_index("opd_code")
    assert len([s for s in statements if "fact_realization" in s]) == 1  # one query, every agency
    assert math.isnan(before.loc[AGENCY, "anggaran_kas"])  # no plan anywhere yet
    assert before.loc[OTHER_AGENCY, "anggaran_kas"] == pytest.approx(own_plan)

    load_sample_plan(warehouse, sample_2022.realization, tmp_path / "rak_2022.xlsx")
    after = month_figures(warehouse, 2022, 2).set_index("opd_code")
    assert after.loc[AGENCY, "anggaran_kas"] == pytest.approx(own_plan)  # January + February of the plan
    assert after.loc[AGENCY, "realisasi"] == pytest.approx(2 * after.loc[OTHER_AGENCY, "realisasi"], rel=1e-6)
    assert list(month_figures(warehouse, 2022, 3).index) == []

    other = load_months(warehouse, [sample_2022.realization[0]], OTHER_AGENCY, "Dinas Pendidikan", 0.5)[0]
    record_upload(warehouse, [("Januari Dinas Pendidikan.xlsx", "loaded", other.sha256)], username="lain")
    load_months(warehouse, [sample_2022.realization[0]])  # January of AGENCY, not sent through the web
    assert month_last_sent_names(warehouse, 2022, 1) == {OTHER_AGENCY: "Januari Dinas Pendidikan.xlsx"}


def test_sizes_are_written_the_indonesian_way_on_the_pages(site: WebSite):
    folder = site.settings.quarantine_dir / "2022" / "02"
    folder.mkdir(parents=True)
    (folder / "besar.xlsx").write_bytes(b"\0" * (2 * 1024 * 1024))
    (folder / "kecil.xlsx").write_bytes(b"\0" * (512 * 1024))
    client = site.client()
    sign_in(client, "steward")
    listing = client.get("/steward/quarantine").text
    assert '<td class="num">2,0 MB</td>' in listing and '<td class="num">512 KB</td>' in listing
    form = client.get("/upload").text
    assert "masing-masing 20,0 MB" in form and "20.0" not in form


def test_the_validations_list_names_files_as_they_were_sent(site: WebSite):
    sha256 = "ab" * 32
    record_upload(site.engine, [("realisasi Februari <OPD>.xlsx", "rejected", sha256)])
    with site.engine.begin() as conn:
        for name, digest in (
            ("realisasi_Februari_OPD.xlsx", sha256),
            ("dari_baris_perintah.xlsx", "cd" * 32),
        ):
            conn.execute(
                insert(ValidationRun).values(
                    run_id=digest[:8],
                    file_name=name,
                    sha256=digest,
                    suite="realization",
                    success=False,
                    evaluated=10,
                    failed=1,
                    opd_code=AGENCY,
                    validated_at=UPLOADED_AT,
                )
            )
    client = site.client()
    sign_in(client, "steward")
    page = client.get("/steward/validations").text
    assert "realisasi Februari &lt;OPD&gt;.xlsx" in page and "realisasi_Februari_OPD.xlsx" not in page
    assert "dari_baris_perintah.xlsx" in page  # not sent through the web: the name it was read under
