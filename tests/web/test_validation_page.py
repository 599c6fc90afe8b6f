"""sakip's own page of a validation run, and the validations lists: through HTTP, for each role."""

from __future__ import annotations

import pytest

from tests.fixtures.validations import Validated, validate_months
from tests.fixtures.web import AGENCY, OTHER_AGENCY, make_site, sign_in

#: The name the failing workbook was sent under, as the page must show it
ESCAPED_NAME = "Realisasi &lt;img src=x onerror=alert(1)&gt; Februari 2022.xlsx"


@pytest.fixture(scope="module")
def validated(sample_2022, site_template, tmp_path_factory) -> Validated:
    folder = tmp_path_factory.mktemp("web-validation-page")
    return validate_months(make_site(site_template, folder / "work"), sample_2022, folder)


def _row(html: str, check: str) -> str:
    """The table row of the expectation whose check reads ``check``."""
    return html.split(check, 1)[1].split("</tr>", 1)[0]


def test_the_run_page_shows_each_expectation_in_indonesian_with_the_failing_cell(validated: Validated):
    steward = validated.site.client()
    sign_in(steward, "steward")
    answer = steward.get(f"/validations/{validated.key(validated.bad)}")
    assert answer.status_code == 200
    page = answer.text
    assert ESCAPED_NAME in page and "<img" not in page
    assert AGENCY in page and "Februari 2022" in page and "realisasi_bulanan" in page
    assert "tidak lulus" in page and "23 dari 24 pemeriksaan lulus" in page
    failed = _row(page, "Realisasi s.d. bulan ini tidak melebihi anggaran")
    assert "gagal" in failed and "1 baris tidak sesuai" in failed
    assert "Realisasi, " in failed and '<span class="cell">G12</span>: 2.000.000' in failed
    passed = _row(page, "Tidak ada kode yang muncul dua kali dalam satu berkas")
    assert "lulus" in passed and "semua baris sesuai" in passed and "G12" not in passed
    assert f'href="{validated.docs_path(validated.bad)}">Rincian teknis (Great Expectations)' in page
    assert "<script" not in page and " style=" not in page


def test_without_a_web_upload_the_cells_are_the_rows_gx_names(validated: Validated):
    from sakip.web.validation_view import run_details

    details = run_details(
        validated.site.settings.workdir, validated.bad.data_docs_url, validated.bad.file_name, None
    )
    failed = [e for e in details.expectations if not e.success]
    assert [e.rule for e in failed] == ["amount.realization_over_budget"]
    assert [(c.sheet, c.cell, c.value) for c in failed[0].cells] == [
        ("", "baris 12, kolom Realisasi s.d. Bulan Ini", "2.000.000")
    ]


def test_a_passing_run_page_and_a_pruned_result(validated: Validated, tmp_path):
    steward = validated.site.client()
    sign_in(steward, "steward")
    page = steward.get(f"/validations/{validated.key(validated.good)}").text
    assert "realisasi_2022_01.xlsx" in page and "24 dari 24 pemeriksaan lulus" in page
    assert 'class="badge ditolak"' not in page
    from sakip.web.validation_view import run_details

    gone = run_details(tmp_path, validated.good.data_docs_url, validated.good.file_name, None)
    assert not gone.kept and gone.expectations == ()


def test_an_agency_sees_its_own_runs_only(validated: Validated):
    mine, theirs = validated.site.client(), validated.site.client()
    sign_in(mine, "dinas")
    sign_in(theirs, "lain")
    key = validated.key(validated.bad)
    assert mine.get(f"/validations/{key}").status_code == 200
    assert theirs.get(f"/validations/{key}").status_code == 403
    assert validated.site.client().get(f"/validations/{key}").status_code == 303  # signed out
    own_list = mine.get(f"/agencies/{AGENCY}/validations")
    assert own_list.status_code == 200 and f"/validations/{key}" in own_list.text
    assert mine.get(f"/agencies/{OTHER_AGENCY}/validations").status_code == 403
    assert theirs.get(f"/agencies/{OTHER_AGENCY}/validations").text.count("/validations/") == 0


@pytest.mark.parametrize(
    "key", ["1", "abc", "{run}", "{run}-999999", "{run}-0", "{wrong}-{row}", "{row}", "x" * 300, "%00"]
)
def test_a_key_that_names_no_run_is_404(validated: Validated, key: str):
    steward = validated.site.client()
    sign_in(steward, "steward")
    wrong = "f" * 32 if validated.bad.run_id != "f" * 32 else "e" * 32  # a run id of no batch
    key = key.format(run=validated.bad.run_id, row=validated.bad.id, wrong=wrong)
    assert steward.get(f"/validations/{key}").status_code == 404


def test_the_uploaded_file_leads_to_its_run_for_its_agency_only(validated: Validated):
    mine, theirs = validated.site.client(), validated.site.client()
    sign_in(mine, "dinas")
    sign_in(theirs, "lain")
    answer = mine.get(f"/validations/file/{validated.upload_file_id}")
    assert (
        answer.status_code == 303
        and answer.headers["location"] == f"/validations/{validated.key(validated.bad)}"
    )
    assert theirs.get(f"/validations/file/{validated.upload_file_id}").status_code == 403
    assert mine.get("/validations/file/0").status_code == 404


def test_the_validations_list_shows_names_as_sent_escaped_with_both_links(validated: Validated):
    steward = validated.site.client()
    sign_in(steward, "steward")
    page = steward.get("/steward/validations").text
    assert ESCAPED_NAME in page and "<img" not in page
    assert "realisasi_2022_02.xlsx" not in page  # the stored name gives way to the name as sent
    assert "realisasi_2022_01.xlsx" in page  # no web upload: the stored name
    assert f'href="/validations/{validated.key(validated.bad)}">Hasil validasi' in page
    assert f'href="{validated.docs_path(validated.bad)}">Rincian teknis (Great Expectations)' in page
    failed_only = steward.get("/steward/validations?failed=1").text
    assert "realisasi_2022_01.xlsx" not in failed_only and ESCAPED_NAME in failed_only


def test_the_agency_page_links_its_validations(validated: Validated):
    mine = validated.site.client()
    sign_in(mine, "dinas")
    assert f'href="/agencies/{AGENCY}/validations"' in mine.get(f"/agencies/{AGENCY}").text


def test_gx_page_of_a_batch_with_another_agency_is_linked_for_the_steward_only(validated: Validated):
    from datetime import UTC, datetime

    from sqlalchemy import delete, insert

    from warehouse.models import ValidationRun

    bad = validated.bad
    with validated.site.engine.begin() as conn:
        other = conn.execute(
            insert(ValidationRun).values(
                run_id=bad.run_id, file_name="lain.xlsx", sha256="1" * 64, suite=bad.suite, success=False,
                evaluated=1, failed=1, data_docs_url=bad.data_docs_url, opd_code=OTHER_AGENCY,
                validated_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]  # fmt: skip
    try:
        mine, steward = validated.site.client(), validated.site.client()
        sign_in(mine, "dinas")
        sign_in(steward, "steward")
        key = validated.key(bad)
        assert "Rincian teknis" not in mine.get(f"/validations/{key}").text
        assert mine.get(validated.docs_path(bad)).status_code == 403  # it holds the other agency's rows
        assert "Rincian teknis (Great Expectations)" in steward.get(f"/validations/{key}").text
        assert "gagal" in mine.get(f"/validations/{key}").text  # sakip's page: only its own file's rows
    finally:
        with validated.site.engine.begin() as conn:
            conn.execute(delete(ValidationRun).where(ValidationRun.id == other))


def test_a_run_of_a_file_naming_no_agency_belongs_to_the_agency_that_sent_it(validated: Validated):
    from datetime import UTC, datetime

    from sqlalchemy import delete, insert

    from warehouse.models import ValidationRun

    page = validated.site.settings.workdir / "data-docs" / "validations" / "x" / "y" / "tanpa-opd.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("<p>tanpa kode OPD</p>", encoding="utf-8")
    with validated.site.engine.begin() as conn:
        row = conn.execute(
            insert(ValidationRun).values(
                run_id="c" * 32, file_name="tanpa-opd.xlsx", sha256=validated.bad.sha256,
                suite="realisasi_bulanan", success=False, evaluated=1, failed=1,
                data_docs_url=page.resolve().as_uri(), opd_code="", validated_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]  # fmt: skip
    try:
        mine, theirs = validated.site.client(), validated.site.client()
        sign_in(mine, "dinas")
        sign_in(theirs, "lain")
        key = f"{'c' * 32}-{row}"
        assert mine.get(f"/validations/{key}").status_code == 200
        assert f"/validations/{key}" in mine.get(f"/agencies/{AGENCY}/validations").text
        assert mine.get("/data-docs/validations/x/y/tanpa-opd.html").status_code == 200
        assert theirs.get(f"/validations/{key}").status_code == 403
        assert theirs.get("/data-docs/validations/x/y/tanpa-opd.html").status_code == 403
        assert f"/validations/{key}" not in theirs.get(f"/agencies/{OTHER_AGENCY}/validations").text
    finally:
        with validated.site.engine.begin() as conn:
            conn.execute(delete(ValidationRun).where(ValidationRun.id == row))
