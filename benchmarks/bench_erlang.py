"""Erlang formulas' speed at planners' sizes: one Erlang A evaluation for 1,000 agents and the
fewest agents for a service-level target of a 1,000-agent Erlang C queue.

    python benchmarks/bench_erlang.py [--repeats 20]

Targets: an Erlang A evaluation well under 5 ms, a staffing search under 0.5 s (a planner
staffs hundreds of intervals at once). Prints the median of ``--repeats`` calls.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ccsim import agents_for_service_level, erlang_a_metrics

AHT_S = 300.0


def timed(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    lam = 1000 / AHT_S
    a = timed(lambda: erlang_a_metrics(lam, AHT_S, 1000, 60.0, 20.0), args.repeats)
    s = timed(lambda: agents_for_service_level(lam, AHT_S, 20.0, 0.8), args.repeats)
    print(f"erlang_a_metrics, 1000 agents: {a * 1e3:.2f} ms (target < 5 ms)")
    print(f"agents_for_service_level, Erlang C, ~1000 agents: {s * 1e3:.3f} ms (target < 500 ms)")


if __name__ == "__main__":
    main()
