"""Load: staged workbooks into the warehouse, one file one transaction, idempotent.

:mod:`~tasks.load.realization` loads one monthly workbook (its partition replaced, the old rows kept
by :mod:`~tasks.load.revisions`), :mod:`~tasks.load.bulk` the new months of many clean files at once,
:mod:`~tasks.load.indicators` an indicator workbook; :mod:`~tasks.load.budgets` rebuilds the yearly
budget, :mod:`~tasks.load.batches` records every file offered. Reads live in :mod:`warehouse.queries`.
"""
