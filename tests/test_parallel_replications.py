"""Replications in parallel (issue 22.4): chunks of replications on worker processes give the
same results as one after another, whatever the chunking, and progress counts up to the end.

The choice between serial and parallel depends on timings; these tests force each path (the
cost of starting the workers set to 0 or to a very long time, the pool marked cold or warm) and
check the path taken from the log. How fast each path is lives in benchmarks/bench_parallel.py.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pytest

from ccsim.analysis.results import ReplicationResult, RunResult
from ccsim.model.records import ContactRecords
from ccsim.model.settings import RunSettings
from ccsim.planning import evaluate as evaluate_module
from ccsim.planning.evaluate import evaluate
from ccsim.runs import replications
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config
from ccsim.runs.replications import chunk_ranges, map_in_order, run

REPS = 7
LOGGER = "ccsim.runs.replications"


@pytest.fixture(scope="module")
def tiny():
    job = validate_config(compose_config("erlang_c", ["scenario.horizon_h=1", "run.warmup_min=0"]))
    return job.centre, RunSettings(job.settings.seed, REPS, 1, 0.0, False)


@pytest.fixture(scope="module")
def small_centre():
    return validate_config(compose_config("small_centre", ["run.n_jobs=1"])).centre


@pytest.fixture
def cold(monkeypatch):
    """The workers count as not started, so the first item is timed here."""
    monkeypatch.setitem(replications._pool, "until", -np.inf)


@pytest.fixture(scope="module")
def serial(tiny) -> RunResult:
    centre, settings = tiny
    return run(centre, settings)


def _same_replication(a: ReplicationResult, b: ReplicationResult) -> None:
    """Every field equal, arrays element by element (NaN equal to NaN), exactly."""
    assert a.replication == b.replication
    for field in dataclasses.fields(ReplicationResult):
        np.testing.assert_equal(getattr(a, field.name), getattr(b, field.name), field.name)
    for name in a.intervals:
        assert a.intervals[name].tobytes() == b.intervals[name].tobytes(), name
    for name in a.pools:
        assert a.pools[name].tobytes() == b.pools[name].tobytes(), name


def _same_results(a: list[ReplicationResult], b: list[ReplicationResult]) -> None:
    assert [r.replication for r in a] == [r.replication for r in b] == list(range(REPS))
    for ra, rb in zip(a, b, strict=True):
        _same_replication(ra, rb)


@pytest.mark.parametrize("n, n_chunks", [(1, 1), (7, 1), (7, 3), (7, 7), (7, 20), (1000, 32)])
def test_chunks_are_contiguous_and_even(n, n_chunks):
    chunks = chunk_ranges(5, 5 + n, n_chunks)
    assert len(chunks) == min(n, n_chunks)
    assert [i for c in chunks for i in c] == list(range(5, 5 + n))
    lengths = {len(c) for c in chunks}
    assert max(lengths) - min(lengths) <= 1 and min(lengths) >= 1


@pytest.mark.parametrize("n_chunks", [None, 1, 2, 3, REPS])
def test_parallel_chunks_equal_serial(tiny, serial, cold, n_chunks, caplog):
    centre, settings = tiny
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        got = map_in_order(
            replications._replication,
            (centre, settings),
            range(REPS),
            2,
            start_s=0.0,
            n_chunks=n_chunks,
        )
    assert "on 2 workers" in caplog.text and "run here" not in caplog.text
    _same_results(serial.replications, got)


def test_run_with_two_jobs_equals_serial(tiny, serial, cold, monkeypatch, caplog):
    """``run()`` itself, its estimates included, with the parallel path forced."""
    centre, settings = tiny
    monkeypatch.setattr(replications, "COLD_START_S", 0.0)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        par = run(centre, dataclasses.replace(settings, n_jobs=2))
    assert "on 2 workers" in caplog.text
    _same_results(serial.replications, par.replications)
    assert par.estimates == serial.estimates
    assert par.channel_estimates == serial.channel_estimates
    assert par.pool_estimates == serial.pool_estimates
    assert par.intent_estimates == serial.intent_estimates


def test_warm_workers_take_every_replication(tiny, serial, monkeypatch, caplog):
    """With the workers up, nothing is timed here: all replications go to them."""
    centre, settings = tiny
    monkeypatch.setitem(replications._pool, "n_jobs", 2)
    monkeypatch.setitem(replications._pool, "until", np.inf)
    done = []
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        par = run(centre, dataclasses.replace(settings, n_jobs=2), lambda d, t: done.append(d))
    assert f"{REPS} task(s) in" in caplog.text  # none run here
    assert done == sorted(set(done)) and done[-1] == REPS
    _same_results(serial.replications, par.replications)


def test_a_short_run_stays_serial(tiny, serial, cold, monkeypatch, caplog):
    centre, settings = tiny
    monkeypatch.setattr(replications, "COLD_START_S", 1e9)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        par = run(centre, dataclasses.replace(settings, n_jobs=2))
    assert "run here, not on 2 workers" in caplog.text
    _same_results(serial.replications, par.replications)


@pytest.mark.parametrize(
    "n_jobs, start_s, n_chunks", [(1, None, None), (2, 0.0, None), (2, 0.0, 3), (2, 1e9, None)]
)
def test_progress_counts_up_to_the_total(tiny, cold, n_jobs, start_s, n_chunks):
    centre, settings = tiny
    calls: list[tuple[int, int]] = []
    map_in_order(
        replications._replication,
        (centre, settings),
        range(REPS),
        n_jobs,
        lambda done, total: calls.append((done, total)),
        start_s=start_s,
        n_chunks=n_chunks,
    )
    done = [d for d, _ in calls]
    assert done == sorted(set(done)) and done[0] >= 1
    assert {t for _, t in calls} == {REPS}
    assert calls[-1] == (REPS, REPS)
    if n_chunks is not None:
        assert len(calls) == 1 + n_chunks  # the first replication, timed here, then each chunk


def test_workers_send_back_metrics_not_contact_records(tiny, cold):
    centre, settings = tiny
    (got,) = map_in_order(
        replications._replication, (centre, settings), [0, 1], 2, start_s=0.0, n_chunks=1
    )[1:]
    for field in dataclasses.fields(ReplicationResult):
        assert not isinstance(getattr(got, field.name), ContactRecords)
    assert got.n_contacts > 0 and got.record_bytes > 0


def test_map_in_order_keeps_the_order_of_any_items(cold):
    items = [9, 3, 7, 1, 8, 2, 6]
    got = map_in_order(pow, 2, items, 2, start_s=0.0, n_chunks=3)
    assert got == [2**i for i in items]


@pytest.mark.parametrize("chunks_per_worker", [4, 1])
def test_evaluate_in_parallel_equals_serial(small_centre, cold, monkeypatch, chunks_per_worker):
    """The staffing search's counts: two seeds x 3 replications, on workers or here."""
    a = evaluate(small_centre, [4, 5], 3, 1)
    monkeypatch.setattr(evaluate_module, "ROUND_START_S", 0.0)
    monkeypatch.setattr(replications, "CHUNKS_PER_WORKER", chunks_per_worker)
    b = evaluate(small_centre, [4, 5], 3, 2)
    for name in ("decided", "met", "to_agents", "abandoned", "missed", "busy_h"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape and x.dtype == y.dtype
        assert x.tobytes() == y.tobytes(), name
