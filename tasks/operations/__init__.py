"""Operations: what runs around the pipeline's stages for the people who use it.

:mod:`~tasks.operations.intake` (find, read, validate, load, quarantine a batch of files),
:mod:`~tasks.operations.quarantine` (the steward's copies and annotations),
:mod:`~tasks.operations.inbox` (the scheduled run's inbox and archive),
:mod:`~tasks.operations.monitoring` (the monthly monitoring), :mod:`~tasks.operations.consolidation`
(the city-level absorption), :mod:`~tasks.operations.artifacts` (what a run publishes in Prefect).
"""
