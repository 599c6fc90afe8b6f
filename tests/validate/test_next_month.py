"""A month arriving after the month that follows it: both must agree, whatever the order of arrival.

Every two consecutive months loaded agree: the later month's realization is the change of the
realization to date. A month is checked against the month before it (from the batch or the
warehouse) and, where the month after it is already loaded, against that one too
(``period.next_month_inconsistent``). A correction keeps its right to lower the realization to date,
but the month after it, already loaded, must still agree: when it would not, that month has to come
corrected in the same batch. On the local PostgreSQL (the rules do not depend on the database).
"""

from __future__ import annotations

import pytest

from tasks.settings import load_settings
from tests.fixtures.agency_year import (
    assert_consecutive_months_agree,
    figures,
    month_file,
    preload,
    rules,
    spent,
    to_date,
)
from tests.fixtures.staged import NAN, ingest_batch, staged


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """Settings of a work folder whose GX project every test of the module shares."""
    return load_settings(str(tmp_path_factory.mktemp("work")))


#: the rules do not depend on the database: on the production one
ON_POSTGRESQL = pytest.mark.parametrize(
    "warehouse", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


# --------------------------------------------------------------------------------------------------
# a month arriving after the month that follows it


@ON_POSTGRESQL
def test_a_month_above_the_following_month_already_loaded_is_rejected(warehouse, settings):
    preload(warehouse, (1, 2, 3, 5))
    code = "2.17.02.2.01.01"
    too_high = to_date(code, 5) + 1000.0
    april = month_file(4, changed={code: (too_high - to_date(code, 3), too_high)})
    (outcome,) = ingest_batch(warehouse, [staged(april)], settings, workers=8)
    assert outcome.status == "rejected"
    issues = [i for i in outcome.issues if i.rule == "period.next_month_inconsistent"]
    row = int(april.lines.loc[april.lines["kode"] == code, "row"].iloc[0])
    assert [i.cell for i in issues] == [f"G{row}"]
    assert "05/2022" in issues[0].message() and "sudah dimuat" in issues[0].message()
    assert "already loaded" in issues[0].describe("en")
    assert sorted({m for m, _ in figures(warehouse)}) == [1, 2, 3, 5]
    (good,) = ingest_batch(warehouse, [staged(month_file(4))], settings)
    assert good.status == "loaded"
    assert_consecutive_months_agree(warehouse)


@ON_POSTGRESQL
def test_a_month_giving_only_its_month_column_is_checked_against_the_following_month(warehouse, settings):
    preload(warehouse, (1, 2, 3, 5))
    code = "2.17.01.2.01.01"
    april = month_file(4, "month", changed={code: (spent(code, 4) + 500.0, NAN)})
    (outcome,) = ingest_batch(warehouse, [staged(april)], settings)
    assert outcome.status == "rejected"
    row = int(april.lines.loc[april.lines["kode"] == code, "row"].iloc[0])
    # the file has no to-date column: the cell named is the month realization it was derived from
    assert [(i.rule, i.cell) for i in outcome.issues if i.rule.startswith("period.")] == [
        ("period.next_month_inconsistent", f"F{row}")
    ]


@ON_POSTGRESQL
def test_one_batch_never_loads_two_months_that_disagree(warehouse, settings):
    """Month 3 gives only its month column and overshoots month 4's to date: month 4 is refused."""
    preload(warehouse, (1, 2))
    code = "2.17.02.2.01.01"
    march = month_file(3, "month", changed={code: (spent(code, 3) + spent(code, 4) + 700.0, NAN)})
    outcomes = ingest_batch(warehouse, [staged(month_file(4)), staged(march)], settings, workers=2)
    assert [(o.month, o.status) for o in outcomes] == [(4, "rejected"), (3, "loaded")]
    assert "period.cumulative_decreased" in rules(outcomes[0])
    assert_consecutive_months_agree(warehouse)


@ON_POSTGRESQL
def test_a_month_is_checked_against_the_loaded_month_when_the_batch_copy_of_it_is_rejected(
    warehouse, settings
):
    """Month 5 is loaded; a batch brings a bad month 4 and month 5 again: neither may load."""
    preload(warehouse, (1, 2, 3, 5))
    code = "2.17.01.2.01.02"
    high = to_date(code, 5) + 300.0
    april = month_file(4, changed={code: (high - to_date(code, 3), high)})
    outcomes = ingest_batch(warehouse, [staged(april), staged(month_file(5))], settings)
    assert [o.status for o in outcomes] == ["rejected", "rejected"]
    assert "period.next_month_inconsistent" in rules(outcomes[0])
    assert "period.cumulative_decreased" in rules(outcomes[1])
    assert sorted({m for m, _ in figures(warehouse)}) == [1, 2, 3, 5]


@ON_POSTGRESQL
def test_a_correction_of_an_earlier_month_must_keep_the_later_month_right(warehouse, settings):
    """A correction may lower its to date, but a later month already loaded must still agree with it:
    either the correction leaves it right, or the later month comes corrected in the same batch."""
    preload(warehouse, range(1, 6))
    code = "2.17.01.2.01.01"
    lower = to_date(code, 4) - 2000.0
    fix_4 = {code: (spent(code, 4) - 2000.0, lower)}
    alone = month_file(4, name="realisasi_2022_04_koreksi.xlsx", changed=fix_4)
    (outcome,) = ingest_batch(warehouse, [staged(alone)], settings)
    assert outcome.status == "rejected"
    assert rules(outcome) == ["period.next_month_inconsistent"]
    fix_5 = {code: (spent(code, 5) + 2000.0, to_date(code, 5))}
    both = [
        staged(month_file(5, name="realisasi_2022_05_koreksi.xlsx", changed=fix_5)),
        staged(month_file(4, name="realisasi_2022_04_koreksi.xlsx", changed=fix_4)),
    ]
    assert [o.status for o in ingest_batch(warehouse, both, settings, workers=2)] == ["loaded", "loaded"]
    assert figures(warehouse)[(4, code)] == pytest.approx((spent(code, 4) - 2000.0, lower))
    assert figures(warehouse)[(5, code)] == pytest.approx((spent(code, 5) + 2000.0, to_date(code, 5)))
    assert_consecutive_months_agree(warehouse)
