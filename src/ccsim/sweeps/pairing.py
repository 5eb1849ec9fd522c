"""Pair the jobs of a sweep or study for comparison: each strategy job with the baseline job
that saw the same customers (same seed, same replications, same other overrides), its effects
estimated with a paired confidence interval (:mod:`ccsim.analysis.effects`); and chains of
cumulative strategies ([], [a], [a, b], ...) as waterfalls. Data only: the outputs are written
by :mod:`ccsim.sweeps.compare`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ccsim.analysis.effects import Effect, independent_effect, paired_effect
from ccsim.sweeps.collect import Collection, Job, is_strategy_key
from ccsim.sweeps.costs import money_effects

__all__ = [
    "EFFECT_METRICS",
    "RATE_METRICS",
    "Comparison",
    "Waterfall",
    "ComparisonReport",
    "pair_jobs",
    "chain_waterfalls",
    "added_strategy",
]

# Effects are reported for the whole centre (channel "all").
EFFECT_METRICS = (
    "demand_delta_h",
    "positive_demand_delta_h",
    "unmet_contacts",
    "sl_answered_within_t",
    "asa_s",
    "abandon_rate",
    "occupancy",
)
# Shares, shown in percentage points.
RATE_METRICS = ("sl_answered_within_t", "sl_wait_le_t", "abandon_rate", "occupancy", "p_wait")


@dataclass(frozen=True)
class Comparison:
    """A strategy job against its baseline: ``effects`` paired by replication (same seed);
    ``independent`` against a baseline run on another seed, when there is one."""

    job: Job
    baseline: Job | None
    effects: dict[str, Effect]
    other_baseline: Job | None = None
    independent: dict[str, Effect] = field(default_factory=dict)
    money: dict[str, Effect] = field(default_factory=dict)  # ccsim.sweeps.costs (paired)


@dataclass(frozen=True)
class Waterfall:
    """Cumulative strategies on one seed: ``chain[0]`` is the baseline, each next job adds one
    strategy; ``steps[i]`` is chain[i+1] minus chain[i], ``total`` the last minus the first;
    ``money_steps`` and ``money_total`` the same in money (empty for results without costs)."""

    label: str  # the swept values and seed the chain was run at
    chain: list[Job]
    steps: list[dict[str, Effect]]
    total: dict[str, Effect]
    money_steps: list[dict[str, Effect]] = field(default_factory=list)
    money_total: dict[str, Effect] = field(default_factory=dict)


@dataclass(frozen=True)
class ComparisonReport:
    """Everything a comparison found, and the files written from it."""

    collection: Collection
    baseline: frozenset[str]  # the baseline's strategies (empty: none)
    comparisons: list[Comparison]
    waterfalls: list[Waterfall]
    out_dir: Path
    files: list[Path]


def _cell(job: Job) -> tuple:
    """Jobs that differ only in strategies (and their parameters) and seed share a cell."""
    others = tuple(
        sorted(
            (k, v) for k, v in job.overrides.items() if k != "run.seed" and not is_strategy_key(k)
        )
    )
    return others, job.replications


def _label(coll: Collection, job: Job, with_seed: bool = True) -> str:
    parts = [f"{k}={job.overrides.get(k, '-')}" for k in coll.params]
    if with_seed:
        parts.append(f"seed {job.seed}")
    return ", ".join(parts)


def _effects(a: Job, b: Job, independent: bool = False) -> dict[str, Effect]:
    fn = independent_effect if independent else paired_effect
    # asa_h (asa_s in hours) for centres whose channels are all async (ccsim.sweeps.units).
    metrics = (*EFFECT_METRICS, "asa_h")
    return {m: fn(a.replication_values(m), b.replication_values(m)) for m in metrics}


def pair_jobs(coll: Collection, baseline: frozenset[str]) -> list[Comparison]:
    """Every job whose strategies are not ``baseline``'s, against the baseline job of its cell
    on the same seed (paired) and on another seed (independent), when there are such jobs."""
    out = []
    for job in coll.jobs:
        if frozenset(job.strategies) == baseline:
            continue
        bases = [
            b for b in coll.jobs if frozenset(b.strategies) == baseline and _cell(b) == _cell(job)
        ]
        same = [b for b in bases if b.seed == job.seed]
        other = sorted(
            (b for b in bases if b.seed != job.seed), key=lambda b: (str(b.seed), b.name)
        )
        base = same[0] if same else None
        other_base = other[0] if other else None
        out.append(
            Comparison(
                job,
                base,
                _effects(job, base) if base else {},
                other_base,
                _effects(job, other_base, independent=True) if other_base else {},
                money_effects(job, base) if base else {},
            )
        )
    return out


def _longest_chain(by_set: dict[frozenset[str], Job], base: frozenset[str]) -> list[frozenset[str]]:
    """The longest sequence base < S1 < S2 ... of strategy sets present, each adding one
    strategy. Preferred: the prefixes of a job's own strategy list (the order it names them);
    else any such path (first in sorted order)."""
    finals = sorted(
        (s for s in by_set if base < s and len(s) - len(base) >= 2),
        key=lambda s: (-len(s), by_set[s].name),
    )
    for s in finals:  # the job's own order
        extra = [x for x in by_set[s].strategies if x not in base]
        sets = [base | frozenset(extra[:i]) for i in range(len(extra) + 1)]
        if all(x in by_set for x in sets):
            return sets
    best: list[frozenset[str]] = []

    def walk(path: list[frozenset[str]]) -> None:
        nonlocal best
        if len(path) > len(best):
            best = list(path)
        last = path[-1]
        for s in sorted((s for s in by_set if last < s and len(s) == len(last) + 1), key=sorted):
            walk([*path, s])

    walk([base])
    return best if len(best) >= 3 else []


def added_strategy(job: Job, previous: Job) -> str:
    """The strategy ``job`` has and ``previous`` has not (a waterfall step)."""
    return "+".join(s for s in job.strategies if s not in previous.strategies)


def chain_waterfalls(coll: Collection, baseline: frozenset[str]) -> list[Waterfall]:
    """One waterfall per cell and seed holding a chain of at least two added strategies."""
    cells: dict[tuple, dict[frozenset[str], Job]] = {}
    for job in coll.jobs:  # sorted by name: the first job of a variant in a cell is kept
        cells.setdefault((_cell(job), str(job.seed)), {}).setdefault(frozenset(job.strategies), job)
    out = []
    for key in sorted(cells, key=str):
        by_set = cells[key]
        if baseline not in by_set:
            continue
        sets = _longest_chain(by_set, baseline)
        if not sets:
            continue
        chain = [by_set[s] for s in sets]
        pairs = [(chain[i + 1], chain[i]) for i in range(len(chain) - 1)]
        money = [money_effects(a, b) for a, b in pairs]
        out.append(
            Waterfall(
                _label(coll, chain[0]),
                chain,
                [_effects(a, b) for a, b in pairs],
                _effects(chain[-1], chain[0]),
                money if all(money) else [],
                money_effects(chain[-1], chain[0]) if all(money) else {},
            )
        )
    return out
