"""The report's sentence on the machine's load, from the readings in the result files: quiet
under 0.75 per core, shared with the jobs above that named, unknown for schema v1 files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import machine_load
from suites.results import ResultFile


def _file(suite: str, start: float | None, end: float | None, cores: int = 2,
          run: tuple[float, float] | None = (0.5, 0.6)) -> tuple[Path, ResultFile]:
    load: dict[str, list[float]] = {}
    if start is not None:
        load["start"] = [start, 0.0, 0.0]
    if end is not None:
        load["end"] = [end, 0.0, 0.0]
    if run is not None and load:
        load["run_start"], load["run_end"] = [run[0], 1.0, 1.0], [run[1], 1.0, 1.0]
    return Path(f"{suite}.json"), ResultFile(suite, {"cores": cores}, load=load)


def test_quiet_run_says_so_with_its_range_and_the_rule():
    text = machine_load.sentence(machine_load.of_files([_file("micro", 0.4, 0.9), _file("e2e", 0.9, 1.49)]))
    assert text.startswith("The machine was quiet: the 1-minute load average ranged from 0.40 to 1.49")
    assert "6 readings: the run's start and end, and the start and end of the job behind each of its 2" in text
    assert "under 1.5, 0.75 per core on its 2 cores" in text


def test_shared_run_names_the_jobs_above_the_line_busiest_first_with_their_readings():
    files = [_file("micro", 0.4, 0.9), _file("e2e", 1.2, 5.25), _file("laps", 8.0, 3.1)]
    text = machine_load.sentence(machine_load.of_files(files))
    assert text.startswith("The machine was shared with other work: the 1-minute load average "
                           "ranged from 0.40 to 8.00")
    assert "2 of 3 jobs started or ended above it: laps (8.00 → 3.10); e2e (1.20 → 5.25)." in text
    assert "micro (" not in text


def test_the_line_scales_with_the_cores():
    files = [_file("e2e", 2.5, 2.9, cores=4)]
    run = machine_load.of_files(files)
    assert run.limit == 3.0 and run.quiet
    assert "under 3, 0.75 per core on its 4 cores" in machine_load.sentence(run)


def test_a_reading_at_the_line_is_not_quiet():
    assert machine_load.of_files([_file("e2e", 1.5, 1.0)]).quiet is False


def test_only_the_run_reading_above_the_line():
    text = machine_load.sentence(machine_load.of_files([_file("micro", 0.4, 0.5, run=(2.0, 0.5))]))
    assert "No job started or ended above it (the run's own start or end did)." in text


def test_many_busy_jobs_are_cut_short():
    files = [_file(f"job{i}", 4.0, 4.0) for i in range(9)]
    text = machine_load.sentence(machine_load.of_files(files))
    assert "9 of 9 jobs" in text and "job5 (4.00 → 4.00); and 3 more." in text and "job6" not in text


def test_files_without_load_say_it_is_unknown():
    files = [(Path("old.json"), ResultFile("micro", {"cores": 2}))]
    run = machine_load.of_files(files)
    assert run.quiet is None
    assert machine_load.sentence(run).startswith("The machine's load was not recorded")
    assert machine_load.cell(files[0][1]) == "not recorded"


@pytest.mark.parametrize("load,cell", [({"start": [1.234, 0, 0], "end": [2.0, 0, 0]}, "1.23 → 2.00"),
                                       ({"end": [2.0, 0, 0]}, "? → 2.00")])
def test_machine_table_cell(load, cell):
    assert machine_load.cell(ResultFile("s", {}, load=load)) == cell
