"""Report: the LKjIP tables of a year and the files they are written to.

One module per table in :mod:`~tasks.report.tables` (computation, printed layout, reconciliation
rule, place in the report), registered once; :mod:`~tasks.report.build` computes them from the
inputs (:mod:`~tasks.report.inputs`), :mod:`~tasks.report.writer` writes them with the renderers of
:mod:`~tasks.report.render` (csv, xlsx, docx, html, charts, narrative), and
:mod:`~tasks.report.reconcile` compares a published report with them.
"""
