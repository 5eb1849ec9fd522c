"""Engine benchmark: the same M/M/c+M workload through three implementations, in one run.

    python benchmarks/bench_engine.py [--repeats 5] [--contacts 200000]

Workload (per time unit; here the unit is a minute): c = 50 agents, lambda = 48 arrivals,
mu = 1 service completion per agent, theta = 0.5 abandonments per waiting customer (mean
patience 2). Three implementations, alternating, ``--repeats`` times each:

* ``heapq``: a bare event loop over ``heapq`` written here: the floor for pure Python.
* ``ccsim``: ccsim's real engine (``sample_customers`` + ``simulate``, the multichannel
  engine configured as one channel, one intent, one pool), records included.
* ``simpy-process``: the idiomatic SimPy model, one process per contact with
  ``yield request | timeout(patience)``.

All three draw their random numbers the same way (numpy, vectorised), so the comparison is
about the event loop.

A second workload runs the default one-week omnichannel centre (``scenario=default_week``:
four channels, intents, pools on shifts, retries, repeats and chasers) through the same engine,
right after the single queue (the two ccsim workloads run back to back in each repeat, so their
ratio compares the same moments of a shared machine): in each repeat, replications of the week
(~32,000 contacts each) until it has simulated at least ``--contacts`` contacts, as many as
the single queue, so that a burst of load from elsewhere on a shared machine weighs on both runs
alike (a single replication lasted a third of the single-queue run: one burst could double its
time alone). It reports the week's contacts per second, the ratio single-queue/week contacts
per second (the median of each repeat's own ratio: the two runs of a repeat see the same
machine), and the bytes of per-contact records per contact.

Why the week costs more per contact, and what each of the engine's shortcuts was measured to
buy: ``benchmarks/README.md``.

Prints contacts per second (median over repeats) and, last, ``ratio ccsim/heapq: X.XX``:
ccsim's median run time divided by heapq's (lower is better).
"""

from __future__ import annotations

import argparse
import heapq
import statistics
import time
from collections import deque

import numpy as np
import simpy

from ccsim.config.scenario import scenario_from_config
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate

C, LAM, MU, THETA = 50, 48.0, 1.0, 0.5  # per minute


def draw(seed: int, horizon_min: float) -> tuple[list[float], list[float], list[float]]:
    rng = np.random.default_rng(seed)
    n = int(LAM * horizon_min * 1.1) + 100
    arrival = np.cumsum(rng.exponential(1 / LAM, n))
    arrival = arrival[arrival < horizon_min]
    m = len(arrival)
    return (
        arrival.tolist(),
        rng.exponential(1 / MU, m).tolist(),
        rng.exponential(1 / THETA, m).tolist(),
    )


def run_heapq(seed: int, horizon_min: float) -> tuple[int, int]:
    arrival, handle, patience = draw(seed, horizon_min)
    n = len(arrival)
    heap: list[tuple[float, int, int]] = [(arrival[0], 0, 0)]
    free, queue, state = C, deque(), bytearray(n)  # state: 0 new, 1 waiting, 2 served, 3 gone
    answer = [0.0] * n
    served = abandoned = 0
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        t, kind, i = pop(heap)
        if t >= horizon_min:
            break
        if kind == 0:  # arrival
            if i + 1 < n:
                push(heap, (arrival[i + 1], 0, i + 1))
            if free:
                free -= 1
                state[i] = 2
                answer[i] = t
                push(heap, (t + handle[i], 1, i))
            else:
                state[i] = 1
                queue.append(i)
                push(heap, (t + patience[i], 2, i))
        elif kind == 1:  # service end
            served += 1
            while queue:
                j = queue.popleft()
                if state[j] == 1:
                    state[j] = 2
                    answer[j] = t
                    push(heap, (t + handle[j], 1, j))
                    break
            else:
                free += 1
        elif state[i] == 1:  # patience expired while waiting
            state[i] = 3
            abandoned += 1
    return n, abandoned


def run_ccsim(seed: int, horizon_min: float) -> tuple[int, int]:
    scenario = scenario_from_config(
        {
            "horizon_h": horizon_min / 60,
            "interval_min": 60,
            "arrival_rate_per_h": LAM * 60,
            "agents": C,
            "handle_time": {"dist": "exponential", "mean_s": 60 / MU},
            "patience": {"dist": "exponential", "mean_s": 60 / THETA},
        }
    )
    centre = scenario.to_centre()
    streams = RandomStreams(seed)
    records = simulate(centre, sample_customers(centre, streams), streams)
    return len(records), int((records.outcome == 3).sum())


def run_simpy_process(seed: int, horizon_min: float) -> tuple[int, int]:
    arrival, handle, patience = draw(seed, horizon_min)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=C)
    abandoned = 0

    def customer(i: int):  # type: ignore[no-untyped-def]
        nonlocal abandoned
        with agents.request() as req:
            result = yield req | env.timeout(patience[i])
            if req in result:
                yield env.timeout(handle[i])
            else:
                abandoned += 1

    def source():  # type: ignore[no-untyped-def]
        for i, t in enumerate(arrival):
            yield env.timeout(t - env.now)
            env.process(customer(i))

    env.process(source())
    env.run(until=horizon_min)
    return len(arrival), abandoned


def week_centre():  # type: ignore[no-untyped-def]
    """The default one-week centre, composed exactly as ``ccsim scenario=default_week`` does."""
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    from ccsim.config.schema import register_configs
    from ccsim.runs.job import validate_config

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_module(config_module="ccsim.conf", version_base="1.3"):
        cfg = compose(config_name="config", overrides=["scenario=default_week"])
    GlobalHydra.instance().clear()
    return validate_config(cfg).centre


def run_week(centre, seed: int, min_contacts: int = 1) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Replications 0, 1, ... of the week on ``seed`` until ``min_contacts`` contacts are
    simulated; returns the contacts and the bytes of their records."""
    contacts = nbytes = replication = 0
    while contacts < min_contacts:
        streams = RandomStreams(seed, replication)
        records = simulate(centre, sample_customers(centre, streams), streams)
        contacts += len(records)
        nbytes += records.nbytes
        replication += 1
    return contacts, nbytes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--contacts", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    horizon_min = float(np.ceil(args.contacts / LAM / 60.0) * 60.0)  # whole hours
    week = week_centre()
    impls = {
        "heapq": run_heapq,
        "simpy-process": run_simpy_process,
        # The two ccsim workloads run back to back: their ratio compares the same moments.
        "ccsim": run_ccsim,
        "ccsim-week": lambda seed, _h: run_week(week, seed, args.contacts),
    }
    times: dict[str, list[float]] = {k: [] for k in impls}
    counts: dict[str, tuple[int, int]] = {}
    week_ratios: list[float] = []  # per repeat: single-queue over week contacts per second
    for rep in range(args.repeats):
        for name, fn in impls.items():  # alternate so drift in machine speed hits all alike
            t0 = time.perf_counter()
            counts[name] = fn(args.seed + rep, horizon_min)
            times[name].append(time.perf_counter() - t0)
        week_ratios.append(
            (counts["ccsim"][0] / times["ccsim"][-1])
            / (counts["ccsim-week"][0] / times["ccsim-week"][-1])
        )
    print(
        f"M/M/c+M: c={C} lambda={LAM:g} mu={MU:g} theta={THETA:g} per minute, "
        f"horizon {horizon_min:g} min, {args.repeats} repeats (median)"
    )
    for name in ("heapq", "ccsim", "simpy-process"):
        n, ab = counts[name]
        med = statistics.median(times[name])
        print(
            f"{name:>14}: {n / med:>10,.0f} contacts/s  ({med:.3f} s for {n:,} contacts, "
            f"abandoned {ab / n:.2%}; per repeat {n / max(times[name]):,.0f}-"
            f"{n / min(times[name]):,.0f})"
        )
    n_week, week_bytes = counts["ccsim-week"]
    week_rate = n_week / statistics.median(times["ccsim-week"])
    print(
        f"{'ccsim-week':>14}: {week_rate:>10,.0f} contacts/s  (default_week: {n_week:,} "
        f"contacts in replications of one week, {len(week.channels)} channels, "
        f"{len(week.pools)} pools; per repeat {n_week / max(times['ccsim-week']):,.0f}-"
        f"{n_week / min(times['ccsim-week']):,.0f})"
    )
    print(
        "ratio single-queue/week contacts per second: "
        f"{statistics.median(week_ratios):.2f} (target <= 1.5; per repeat "
        f"{min(week_ratios):.2f}-{max(week_ratios):.2f})"
    )
    print(f"record bytes per contact (week): {week_bytes / n_week:.1f} (target <= 64)")
    for name in ("simpy-process",):
        print(
            f"ratio {name}/heapq: "
            f"{statistics.median(times[name]) / statistics.median(times['heapq']):.2f}"
        )
    print(
        f"ratio ccsim/heapq: "
        f"{statistics.median(times['ccsim']) / statistics.median(times['heapq']):.2f}"
    )


if __name__ == "__main__":
    main()
