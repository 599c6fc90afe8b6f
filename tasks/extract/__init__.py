"""Extract: workbooks in, staged typed rows out (see :mod:`tasks.core.staging`).

:mod:`~tasks.extract.reading` is the entry point (``read_workbook`` / ``read_workbooks``); it detects
the kind of each file (:mod:`~tasks.extract.kind`) and runs its reader (:mod:`~tasks.extract.realization`,
:mod:`~tasks.extract.indicators`). The readers open the file (:mod:`~tasks.extract.book`, refused early
beyond :mod:`~tasks.extract.limits`), find the header block (:mod:`~tasks.extract.header_block`) and
the table header (:mod:`~tasks.extract.grid`), and scan the sheet XML where calamine cannot tell
(:mod:`~tasks.extract.sheet_xml`).

Pure extraction: no business rules (subtotals, ranges) beyond what is needed to read types, codes and
the header; those belong to validation.
"""
