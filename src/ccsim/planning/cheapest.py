"""The cheapest plan (``mode=plan``): the lowest-cost combination of candidate levers that meets
every channel's targets, found with common random numbers and checked on another seed.

Every combination of the levers' values is a variant of the base config (the base's other
strategies stay on). All variants run the same replications of the same seed, so their costs
and service levels differ by the levers alone. A variant is feasible when, for every channel,
the one-sided lower confidence bound (at ``planning.targets.confidence``) of its horizon
service level reaches the target and the upper bound of its abandonment stays under the
ceiling. The cheapest feasible variant by mean total cost (fewest levers on at a tie) is the
plan; fresh replications on seed + 1 then say whether it holds and how often a week like these
misses a target (the share of check replications that miss one).

Targets here are over the whole horizon, per channel: levers are coarse, and asking every
interval to meet its target would leave no combination feasible (``mode=staff`` is the per-
interval search).
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import math
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any, Callable

import numpy as np
from omegaconf import OmegaConf

from ccsim.analysis.effects import Effect, paired_effect
from ccsim.analysis.results import RunResult
from ccsim.model.planning import Lever, SearchSpec, StaffingTargets
from ccsim.planning.check import ChannelCheck, channel_check
from ccsim.reports.files import write_json
from ccsim.runs.job import validate_config
from ccsim.runs.replications import run

__all__ = [
    "Variant",
    "PlanSearch",
    "variant_config",
    "combinations",
    "checks_of",
    "search_cheapest",
]

log = logging.getLogger("ccsim")

COST = "cost_total"


@dataclass(frozen=True)
class Variant:
    """One combination of lever values, simulated: per-replication total cost and the channel
    checks of its targets."""

    values: tuple[Any, ...]  # one per lever, in the levers' order
    costs: tuple[float, ...]  # cost_total per replication
    checks: tuple[ChannelCheck, ...]
    delta_h: float  # mean positive demand delta (agent-hours short)

    @property
    def cost(self) -> float:
        return float(np.mean(self.costs))

    @property
    def feasible(self) -> bool:
        return all(c.meets for c in self.checks)

    @property
    def levers_on(self) -> int:
        return sum(not Lever.is_off(v) for v in self.values)


@dataclass(frozen=True)
class PlanSearch:
    """Every variant tried (in enumeration order), the chosen plan (None: no variant met the
    targets), its check on another seed, and its cost against the base (all levers at their
    first value) on those check replications, paired."""

    levers: tuple[Lever, ...]
    variants: tuple[Variant, ...]
    plan: Variant | None
    check: Variant | None
    check_base: Variant | None
    saving: Effect | None  # base cost - plan cost on the check seed (paired)
    seed: int
    check_seed: int

    @property
    def share_missed(self) -> float:
        """Share of check replications in which some target was missed."""
        if self.check is None:
            return float("nan")
        return max((c.share_missed for c in self.check.checks), default=0.0)


def _preset(strategy: str) -> dict[str, Any]:
    """The packaged preset of a strategy (``conf/strategy/NAME.yaml``), or {} (its defaults)."""
    path = files("ccsim.conf").joinpath("strategy").joinpath(f"{strategy}.yaml")
    if not path.is_file():
        return {}
    loaded = OmegaConf.to_container(OmegaConf.create(path.read_text()), resolve=True)
    return {str(k): v for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def variant_config(base: dict[str, Any], levers: tuple[Lever, ...], values: tuple) -> dict:
    """``base`` with each lever set to its value: the strategy switched on (from the base's own
    settings, else its packaged preset) and the lever's key set, or switched off."""
    raw = copy.deepcopy(base)
    strategy = dict(raw.get("strategy") or {})
    on: dict[str, dict[str, Any]] = {}
    for lever, value in zip(levers, values, strict=True):
        if Lever.is_off(value):
            continue
        node = on.setdefault(
            lever.strategy, copy.deepcopy(strategy.get(lever.strategy) or _preset(lever.strategy))
        )
        if lever.path:
            target = node
            for part in lever.path[:-1]:
                target = target.setdefault(part, {})
            target[lever.path[-1]] = value
    for lever in levers:
        strategy[lever.strategy] = on.get(lever.strategy)
    raw["strategy"] = strategy
    raw["mode"] = "run"
    return raw


def combinations(levers: tuple[Lever, ...]) -> list[tuple[Any, ...]]:
    return list(itertools.product(*(lever.values for lever in levers)))


def checks_of(result: RunResult, targets: StaffingTargets) -> tuple[ChannelCheck, ...]:
    """Per channel: the horizon service level and abandonment of each replication against the
    targets (a channel with no contacts meets them)."""
    out = []
    for c, ch in enumerate(result.centre.channels):
        sl = np.array([r.channel_totals[c]["sl_answered_within_t"] for r in result.replications])
        ab = np.array([r.channel_totals[c]["abandon_rate"] for r in result.replications])
        sl, ab = np.nan_to_num(sl, nan=1.0), np.nan_to_num(ab, nan=0.0)
        out.append(channel_check(ch.name, c, sl, ab, targets))
    return tuple(out)


def _simulate(
    base: dict[str, Any],
    levers: tuple[Lever, ...],
    values: tuple,
    targets: StaffingTargets,
    *,
    seed: int,
    replications: int,
) -> Variant:
    raw = variant_config(base, levers, values)
    job = validate_config(raw)
    settings = replace(job.settings, seed=seed, replications=replications)
    result = run(job.centre, settings, scenario=job.scenario, start=job.start)
    costs = tuple(float(r.totals[COST]) for r in result.replications)
    delta = float(np.mean([r.totals["positive_demand_delta_h"] for r in result.replications]))
    return Variant(tuple(values), costs, checks_of(result, targets), delta)


def _variant_json(v: Variant) -> dict[str, Any]:
    return {
        "values": list(v.values),
        "costs": list(v.costs),
        "delta_h": v.delta_h,
        "checks": [c.__dict__ for c in v.checks],
    }


def _variant_from(d: dict[str, Any]) -> Variant:
    return Variant(
        tuple(d["values"]),
        tuple(float(x) for x in d["costs"]),
        tuple(ChannelCheck(**c) for c in d["checks"]),
        float(d["delta_h"]),
    )


def search_cheapest(
    base: dict[str, Any],
    levers: tuple[Lever, ...],
    targets: StaffingTargets,
    spec: SearchSpec,
    *,
    seed: int,
    cache: Path | None = None,
    digest: str = "",
    progress: Callable[[int, int, Variant], None] | None = None,
) -> PlanSearch:
    """Simulate every combination (module docstring); with ``cache``, each finished variant is
    saved there and a rerun with the same ``digest`` simulates only the others."""
    saved: dict[str, Any] = {}
    if cache is not None:
        try:
            d = json.loads(Path(cache).read_text())
            if d.get("digest") == digest:
                saved = dict(d.get("variants", {}))
        except (OSError, ValueError, AttributeError):
            saved = {}
    variants = []
    combos = combinations(levers)
    for i, values in enumerate(combos):
        key = json.dumps(list(values))
        if key in saved:
            v = _variant_from(saved[key])
        else:
            v = _simulate(base, levers, values, targets, seed=seed, replications=spec.replications)
            saved[key] = _variant_json(v)
            if cache is not None:
                write_json(cache, {"digest": digest, "variants": saved})
        variants.append(v)
        if progress:
            progress(i + 1, len(combos), v)
    feasible = [v for v in variants if v.feasible]
    plan = min(feasible, key=lambda v: (v.cost, v.levers_on), default=None)
    check = check_base = saving = None
    if plan is not None:
        reps = spec.check_replications
        check = _simulate(base, levers, plan.values, targets, seed=seed + 1, replications=reps)
        first = tuple(lever.values[0] for lever in levers)
        check_base = _simulate(base, levers, first, targets, seed=seed + 1, replications=reps)
        saving = paired_effect(dict(enumerate(check_base.costs)), dict(enumerate(check.costs)))
    return PlanSearch(levers, tuple(variants), plan, check, check_base, saving, seed, seed + 1)


def label(levers: tuple[Lever, ...], values: tuple) -> str:
    """``voice=4, chatbot=on, callbacks=off``."""

    def show(v: Any) -> str:
        if Lever.is_off(v):
            return "off"
        if v is True:
            return "on"
        if isinstance(v, float) and math.isfinite(v):
            return f"{v:g}"
        return str(v)

    return ", ".join(f"{lever.name}={show(v)}" for lever, v in zip(levers, values, strict=True))
