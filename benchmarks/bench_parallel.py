"""Parallel replications against serial (issue 22.4): the cost of sending replications to
worker processes, old scheme and new, in one run.

    python benchmarks/bench_parallel.py [--repeats 5] [--cold-repeats 3] [--n-jobs 2]

Three workloads: 1,000 replications of a tiny single queue (``erlang_c``, one hour, no
warm-up; ~3 ms each), 20 of ``default_day`` (~16 ms each) and 5 of ``default_week``
(~0.25 s each). Each is run by five schemes, in an order that rotates from repeat to repeat:

* ``serial``: one replication after another in this process (``n_jobs=1``);
* ``old``: the scheme before issue 22.4, one joblib task per replication
  (``Parallel(return_as="generator")`` over ``delayed(run_replication)``, joblib's automatic
  batch size), kept here as :func:`old_scheme`;
* ``joblib-batch``: one task per replication with joblib's ``batch_size`` set to the new
  scheme's chunk length;
* ``chunks``: the new scheme's contiguous chunks, always in parallel
  (``map_in_order(..., start_s=0)``);
* ``new``: what ``run()`` does now (``map_in_order``): chunks, or serial when starting the
  workers would cost more than they save.

Warm: joblib keeps its worker processes between calls, so every scheme is run once before the
timed repeats and the workers are up for all of them. Cold: each timed call is the first of a
fresh Python process (``--one``), as on the command line: the parallel schemes start their
workers, which import ccsim, and the serial one runs its first replication with cold caches.
Only the replications are timed (the estimates are the same for every scheme).

Prints, per workload and scheme, the wall time per replication (median over repeats and the
range), the ratio to serial (medians), and the fixed cost per replication: the time beyond
a perfect split over the workers, ``(t - t_serial / n_jobs) / R``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from joblib import Parallel, delayed

from ccsim.analysis.results import ReplicationResult
from ccsim.model.centre import Centre
from ccsim.model.settings import RunSettings
from ccsim.runs import replications
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config
from ccsim.runs.replications import map_in_order, run_replication

WORKLOADS: dict[str, tuple[str, list[str], int]] = {
    "tiny": ("erlang_c", ["scenario.horizon_h=1", "run.warmup_min=0"], 1000),
    "day": ("default_day", [], 20),
    "week": ("default_week", [], 5),
}
SCHEMES = ("serial", "old", "joblib-batch", "chunks", "new")

Scheme = Callable[[Centre, RunSettings, int], list[ReplicationResult]]


def old_scheme(centre: Centre, settings: RunSettings, n_jobs: int) -> list[ReplicationResult]:
    """``run()``'s replications before issue 22.4: one joblib task per replication."""
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    reps = range(settings.replications)
    return list(parallel(delayed(run_replication)(centre, settings, r) for r in reps))


def _chunk_len(reps: int, n_jobs: int) -> int:
    """The new scheme's chunk length when its workers are up (all replications to them)."""
    n_chunks = max(
        replications.CHUNKS_PER_WORKER * n_jobs, math.ceil(reps / replications.MAX_CHUNK)
    )
    return math.ceil(reps / min(n_chunks, reps))


def joblib_batch(centre: Centre, settings: RunSettings, n_jobs: int) -> list[ReplicationResult]:
    reps = settings.replications
    parallel = Parallel(n_jobs=n_jobs, batch_size=_chunk_len(reps, n_jobs), return_as="generator")
    return list(parallel(delayed(run_replication)(centre, settings, r) for r in range(reps)))


def _map(
    centre: Centre, settings: RunSettings, n_jobs: int, **kw: float
) -> list[ReplicationResult]:
    return map_in_order(
        replications._replication, (centre, settings), range(settings.replications), n_jobs, **kw
    )


SCHEME_FUNCS: dict[str, Scheme] = {
    "serial": lambda c, s, j: _map(c, s, 1),
    "old": old_scheme,
    "joblib-batch": joblib_batch,
    "chunks": lambda c, s, j: _map(c, s, j, start_s=0.0),
    "new": _map,
}


def _load(workload: str) -> tuple[Centre, RunSettings]:
    preset, overrides, reps = WORKLOADS[workload]
    job = validate_config(compose_config(preset, overrides))
    s = job.settings
    settings = RunSettings(s.seed, reps, 1, s.warmup_s, False)
    return job.centre, settings


def _time(workload: str, scheme: str, n_jobs: int, loaded: tuple[Centre, RunSettings]) -> float:
    centre, settings = loaded
    t0 = time.perf_counter()
    out = SCHEME_FUNCS[scheme](centre, settings, n_jobs)
    elapsed = time.perf_counter() - t0
    assert [r.replication for r in out] == list(range(settings.replications))
    return elapsed


def _cold(workload: str, scheme: str, n_jobs: int) -> float:
    """One call, the first of a fresh process."""
    cmd = [sys.executable, __file__, "--one", workload, scheme, "--n-jobs", str(n_jobs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def _row(name: str, times: list[float], serial: list[float], reps: int, n_jobs: int) -> str:
    med = statistics.median(times)
    ser = statistics.median(serial)
    per = 1000 * med / reps
    lo, hi = 1000 * min(times) / reps, 1000 * max(times) / reps
    fixed = "" if name == "serial" else f"{1000 * (med - ser / n_jobs) / reps:+.2f}"
    return f"| {name} | {per:.2f} ({lo:.2f}-{hi:.2f}) | {med / ser:.2f} | {fixed} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="warm repeats")
    ap.add_argument("--cold-repeats", type=int, default=3, help="fresh processes per scheme")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--workloads", nargs="*", default=list(WORKLOADS))
    ap.add_argument("--one", nargs=2, metavar=("WORKLOAD", "SCHEME"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        workload, scheme = args.one
        print(_time(workload, scheme, args.n_jobs, _load(workload)))
        return
    for workload in args.workloads:
        reps = WORKLOADS[workload][2]
        loaded = _load(workload)
        cold: dict[str, list[float]] = {s: [] for s in SCHEMES}
        for i in range(args.cold_repeats):
            for scheme in SCHEMES[i % 5 :] + SCHEMES[: i % 5]:
                cold[scheme].append(_cold(workload, scheme, args.n_jobs))
        for scheme in SCHEMES:  # start the workers, for every scheme
            _time(workload, scheme, args.n_jobs, loaded)
        warm: dict[str, list[float]] = {s: [] for s in SCHEMES}
        for i in range(args.repeats):
            for scheme in SCHEMES[i % 5 :] + SCHEMES[: i % 5]:
                warm[scheme].append(_time(workload, scheme, args.n_jobs, loaded))
        for label, times in (("cold", cold), ("warm", warm)):
            print(f"\n{workload}: {reps} replications, n_jobs={args.n_jobs}, {label}")
            print("| scheme | ms per replication, median (range) | / serial | fixed ms/rep |")
            print("| --- | ---: | ---: | ---: |")
            for scheme in SCHEMES:
                print(_row(scheme, times[scheme], times["serial"], reps, args.n_jobs))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
