"""Validate: every rule the data must obey is a Great Expectations expectation (``expectations/``).

:mod:`~tasks.validate.batch` is the entry point (``validate_realizations``,
``validate_indicator_workbooks``); it builds the stacked frames (:mod:`~tasks.validate.frames`), runs
the suites in a per-thread GX context (:mod:`~tasks.validate.context`) and turns failures into the
steward's issues (:mod:`~tasks.validate.results`).
"""
