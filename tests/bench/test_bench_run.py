"""The benchmark's report: what each further file costs, apart from a run's fixed cost."""

from __future__ import annotations

from bench.run import PipelineRun, scaling_table


def run(files: int, seconds: float) -> PipelineRun:
    return PipelineRun(
        files=files,
        rows=0,
        loaded=files,
        seconds={},
        monthly_wall=seconds + 0.5,
        annual_wall=0.0,
        monthly_run=seconds,
    )


def test_per_file_cost_is_what_each_file_adds_to_a_one_file_run():
    runs = {1: run(1, 1.0), 100: run(100, 1.99), 400: run(400, 4.99), 1400: run(1400, 14.99)}
    lines = scaling_table(runs, [100, 400, 1400])
    assert "| 100 | 2.49 | 1.99 | 24.9 | 10.0 |" in lines
    assert "| 1400 | 15.49 | 14.99 | 11.1 | 10.0 |" in lines
    assert lines[-1] == "per-file cost beyond the fixed cost: 10.0 ms ± 0 % over [100, 400, 1400]"


def test_a_cost_growing_faster_than_the_files_shows_as_spread():
    runs = {1: run(1, 1.0), 100: run(100, 1.99), 1400: run(1400, 29.0)}
    assert scaling_table(runs, [100, 1400])[-1].endswith("± 33 % over [100, 1400]")
