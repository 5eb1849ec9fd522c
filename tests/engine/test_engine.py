"""Engine: conservation, determinism, common random numbers, staffing changes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ccsim.analysis.metrics import interval_metrics, total_metrics
from ccsim.config.scenario import scenario_from_config
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.model.records import Outcome
from conftest import mmc_config


def _run(cfg, seed=1, replication=0):
    sc = scenario_from_config(cfg)
    centre, streams = sc.to_centre(), RandomStreams(seed, replication)
    return sc, simulate(centre, sample_customers(centre, streams), streams)


dist = st.sampled_from(
    [
        {"dist": "exponential", "mean_s": 200.0},
        {"dist": "lognormal", "mean_s": 250.0, "cv": 1.2},
        {"dist": "gamma", "mean_s": 150.0, "cv": 0.5},
        {"dist": "deterministic", "mean_s": 180.0},
        {"dist": "empirical", "values_s": [60.0, 120.0, 900.0], "weights": [1.0, 2.0, 0.5]},
    ]
)
patience = st.sampled_from(
    [
        {"dist": "none"},
        {"dist": "exponential", "mean_s": 60.0},
        {"dist": "lognormal", "mean_s": 120.0, "cv": 0.7},
        {"dist": "deterministic", "mean_s": 30.0},
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_intervals=st.integers(1, 8),
    rates=st.lists(st.floats(0.0, 400.0), min_size=8, max_size=8),
    agents=st.lists(st.integers(1, 30), min_size=8, max_size=8),
    handle=dist,
    pat=patience,
    room=st.sampled_from([None, 0, 1, 5]),
    shrinkage=st.sampled_from([0.0, 0.25]),
    seed=st.integers(0, 2**31),
)
def test_conservation_per_interval_and_total(
    n_intervals, rates, agents, handle, pat, room, shrinkage, seed
):
    assume(any(r > 0 for r in rates[:n_intervals]))  # no arrivals at all is refused (empty run)
    cfg = {
        "horizon_h": n_intervals * 0.5,
        "interval_min": 30,
        "arrival_profile_per_h": rates[:n_intervals],
        "agents_per_interval": [max(2, a) for a in agents[:n_intervals]],
        "shrinkage": shrinkage,
        "handle_time": handle,
        "patience": pat,
        "waiting_room": room,
    }
    sc, rec = _run(cfg, seed)
    # Every arrival is in exactly one terminal state (or still in the system).
    assert set(np.unique(rec.outcome)) <= {int(o) for o in Outcome}
    iv = interval_metrics(sc.to_centre(), rec, 0.0)
    parts = iv["handled"] + iv["abandoned"] + iv["blocked"] + iv["in_system_at_end"]
    np.testing.assert_array_equal(iv["offered"], parts)
    assert iv["offered"].sum() == len(rec)
    tot = total_metrics(sc.to_centre(), rec, 0.0, iv)
    assert (
        tot["offered"]
        == tot["handled"] + tot["abandoned"] + tot["blocked"] + tot["in_system_at_end"]
    )
    # Causality and bounds.
    ans = ~np.isnan(rec.answer_s)
    assert np.all(rec.answer_s[ans] >= rec.arrival_s[ans])
    done = ~np.isnan(rec.end_s)
    assert np.all(rec.end_s[done] >= rec.arrival_s[done])
    assert np.all(rec.wait_s >= 0)
    if pat["dist"] == "none":
        assert tot["abandoned"] == 0
    if room is None:
        assert tot["blocked"] == 0
    if room == 0:
        assert np.all(rec.wait_s[ans] == 0)  # a loss system never queues
    # Abandoners waited exactly their patience.
    ab = rec.outcome == Outcome.ABANDONED
    np.testing.assert_allclose(rec.wait_s[ab], rec.patience_s[ab], rtol=1e-9, atol=1e-6)


def test_busy_agents_never_exceed_staffing():
    cfg = mmc_config(600, 300, 40, patience_s=120, horizon_h=4)
    cfg.pop("agents")
    cfg["interval_min"] = 30
    cfg["agents_per_interval"] = [40, 40, 10, 10, 50, 5, 5, 30]
    sc, rec = _run(cfg)
    ans = ~np.isnan(rec.answer_s)
    start, end = rec.answer_s[ans], np.where(np.isnan(rec.end_s[ans]), sc.horizon_s, rec.end_s[ans])
    events = np.concatenate([np.c_[start, np.ones_like(start)], np.c_[end, -np.ones_like(end)]])
    events = events[np.lexsort((events[:, 1], events[:, 0]))]  # ends before starts at ties
    busy = np.cumsum(events[:, 1])
    k = np.minimum((events[:, 0] // sc.interval_s).astype(int), sc.n_intervals - 1)
    starts = events[:, 1] > 0
    # A contact only starts when an agent of the current interval's staffing is free.
    assert np.all(busy[starts] <= np.asarray(cfg["agents_per_interval"])[k[starts]])


def test_same_seed_same_records_and_different_seed_differs():
    cfg = mmc_config(300, 240, 22, patience_s=200, horizon_h=10)
    _, a = _run(cfg, seed=7)
    _, b = _run(cfg, seed=7)
    _, c = _run(cfg, seed=8)
    for col in ("arrival_s", "answer_s", "end_s", "outcome"):
        np.testing.assert_array_equal(getattr(a, col), getattr(b, col))
    assert len(a) != len(c) or not np.array_equal(a.arrival_s, c.arrival_s)


def test_common_random_numbers_customers_keep_their_attributes():
    """Changing staffing changes outcomes, never the customers (arrivals, handle, patience)."""
    base = mmc_config(300, 240, 18, patience_s=200, horizon_h=10)
    more = dict(base, agents=25)
    _, a = _run(base, seed=3)
    _, b = _run(more, seed=3)
    np.testing.assert_array_equal(a.arrival_s, b.arrival_s)
    np.testing.assert_array_equal(a.handle_s, b.handle_s)
    np.testing.assert_array_equal(a.patience_s, b.patience_s)
    assert (a.outcome == Outcome.ABANDONED).sum() > (b.outcome == Outcome.ABANDONED).sum()


def test_replications_are_independent_streams():
    cfg = mmc_config(300, 240, 22, horizon_h=5)
    _, r0 = _run(cfg, seed=1, replication=0)
    _, r1 = _run(cfg, seed=1, replication=1)
    assert not np.array_equal(r0.arrival_s[:50], r1.arrival_s[:50])


def test_distributions_match_their_moments():
    from ccsim.config.values import distribution_from_config

    rng = np.random.default_rng(0)
    for spec in (
        {"dist": "exponential", "mean_s": 200.0},
        {"dist": "lognormal", "mean_s": 250.0, "cv": 1.2},
        {"dist": "gamma", "mean_s": 150.0, "cv": 0.5},
        {"dist": "deterministic", "mean_s": 180.0},
        {"dist": "empirical", "values_s": [60.0, 120.0, 900.0], "weights": [1, 2, 0.5]},
    ):
        d = distribution_from_config(spec, "x.", allow_none=False)
        x = d.sample(rng, 400_000)
        se = np.sqrt(d.var_s2 / x.size)
        assert abs(x.mean() - d.mean_s) <= 5 * se + 1e-9, spec
        if d.var_s2 > 0:
            assert abs(x.var() / d.var_s2 - 1) < 0.1, spec


def test_quantile_functions_are_the_inverse_cdfs():
    """Keyed follow-up durations are q(u) for a keyed uniform u
    (ccsim.engine.draws.CustomerDraws): q must be each family's exact inverse CDF, and
    q(uniform) must follow the distribution that ``sample`` draws from (same mean; for the
    empirical, the same value frequencies)."""
    from scipy import stats

    from ccsim.model.distributions import Deterministic, Empirical, Exponential, Gamma, Lognormal

    u = np.linspace(0.0005, 0.9995, 801)
    s2 = np.log1p(0.8**2)
    for d, ref in (
        (Exponential(200.0), stats.expon(scale=200.0)),
        (Lognormal(330.0, 0.8), stats.lognorm(np.sqrt(s2), scale=np.exp(np.log(330.0) - s2 / 2))),
        (Gamma(150.0, 0.5), stats.gamma(4.0, scale=150.0 / 4.0)),
    ):
        q = d.quantile_function()
        np.testing.assert_allclose([q(x) for x in u.tolist()], ref.ppf(u), rtol=1e-12)
        assert q(0.0) == 0.0  # the lowest uniform is a zero duration, never an error
    assert Deterministic(180.0).quantile_function()(0.37) == 180.0
    emp = Empirical((60.0, 120.0, 900.0), (1.0, 2.0, 1.0))
    q = emp.quantile_function()
    assert [q(x) for x in (0.0, 0.2499, 0.25, 0.7499, 0.75, 0.9999)] == [
        60.0, 60.0, 120.0, 120.0, 900.0, 900.0,
    ]  # fmt: skip
    rng = np.random.default_rng(4)
    drawn = emp.sample(rng, 200_000)
    by_q = np.array([q(x) for x in rng.random(200_000).tolist()])
    for v, p in zip(emp.values, (0.25, 0.5, 0.25), strict=True):
        se = np.sqrt(p * (1 - p) / 200_000)
        assert abs((drawn == v).mean() - p) < 5 * se and abs((by_q == v).mean() - p) < 5 * se


def test_simulate_pauses_the_garbage_collector_and_restores_it():
    import dataclasses
    import gc

    import pytest

    from ccsim.engine.routing import SkillsPriorityRouter

    class Broken(SkillsPriorityRouter):
        def __init__(self, engine):  # type: ignore[no-untyped-def]
            raise RuntimeError("broken router")

    cfg = mmc_config(120, 180, 3, horizon_h=1)
    sc = scenario_from_config(cfg)
    broken = dataclasses.replace(sc.to_centre(), router=Broken)
    enabled = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            _run(cfg, seed=1)
            assert gc.isenabled() is state
            streams = RandomStreams(1)
            with pytest.raises(RuntimeError, match="broken router"):  # fails while building
                simulate(broken, sample_customers(broken, streams), streams)
            assert gc.isenabled() is state
    finally:
        (gc.enable if enabled else gc.disable)()


def test_a_run_leaves_nothing_for_the_garbage_collector(compose_cfg):
    """simulate() frees its engine and calendar by reference counting as it returns: neither is
    left in a reference cycle for the collector to find (a calendar that kept its own bound
    tick would be). SimPy's Environment refers to itself (its bound event classes) whatever
    we do."""
    import gc

    from ccsim.engine.clock import Calendar
    from ccsim.engine.core import Core
    from ccsim.runs.job import validate_config

    centre = validate_config(compose_cfg("scenario=small_centre")).centre
    streams = RandomStreams(4)
    customers = sample_customers(centre, streams)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what the collector finds in gc.garbage
    try:
        assert len(simulate(centre, customers, streams)) > 0
        gc.collect()
        assert [type(o) for o in gc.garbage if isinstance(o, Core | Calendar)] == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        (gc.enable if enabled else gc.disable)()


def test_arrival_counts_follow_the_profile():
    cfg = {
        "horizon_h": 2,
        "interval_min": 30,
        "arrival_profile_per_h": [100, 0, 400, 200],
        "agents": 5,
        "handle_time": {"dist": "exponential", "mean_s": 10},
    }
    sc = scenario_from_config(cfg)
    counts = []
    for rep in range(400):
        arr = sample_customers(sc.to_centre(), RandomStreams(5, rep)).arrival_s
        counts.append(np.bincount((arr // 1800).astype(int), minlength=4))
    mean = np.mean(counts, axis=0)
    expected = np.array([50, 0, 200, 100])
    se = np.sqrt(np.maximum(expected, 1) / 400)
    assert np.all(np.abs(mean - expected) <= 5 * se)
    assert mean[1] == 0


def test_buffered_draws_never_repeat_a_chunk():
    """Regression: follow-up contacts' draws came from a generator re-made at every refill,
    so every chunk of draws was the same chunk again."""
    from ccsim.engine.draws import DRAW_CHUNK as _CHUNK
    from ccsim.engine.draws import PlainDraws as _Draws
    from ccsim.model.distributions import Exponential

    streams = RandomStreams(1)
    draws = _Draws(streams.stream("repeat_delay"), Exponential(600.0).sample)
    values = np.array([draws() for _ in range(3 * _CHUNK)])
    assert not np.array_equal(values[:_CHUNK], values[_CHUNK : 2 * _CHUNK])
    # The same stream read in one piece gives the same sequence: chunking changes nothing.
    whole = Exponential(600.0).sample(RandomStreams(1).stream("repeat_delay"), 3 * _CHUNK)
    np.testing.assert_allclose(values, whole)


def test_day_multiplier_changes_at_midnight():
    """Over-dispersion: one gamma multiplier per calendar day, whatever hour the run starts."""
    from dataclasses import replace

    from ccsim.engine.arrivals import sample_customers

    base = scenario_from_config(mmc_config(100, 60, 5, horizon_h=48)).to_centre()
    centre = replace(base, clock_start_h=20.0, day_volume_cv=0.5)
    counts = []
    for rep in range(200):
        arr = sample_customers(centre, RandomStreams(3, rep)).arrival_s
        counts.append(np.bincount((arr // 3600).astype(int), minlength=48))
    counts = np.array(counts, dtype=float)
    # Hours 0-3 are day 1 (20:00-24:00), hours 4-27 day 2: within a day the hourly counts move
    # together across replications, across midnight they do not.
    within = np.corrcoef(counts[:, 1], counts[:, 2])[0, 1]
    across = np.corrcoef(counts[:, 3], counts[:, 4])[0, 1]
    assert within > 0.3 and abs(across) < 0.2, (within, across)


def test_busy_time_is_each_contacts_overlap_and_exactly_zero_when_idle():
    """busy_time_s against a brute-force overlap sum, with chat weights (1/concurrency),
    contacts still open at the horizon and contacts outside the edges; intervals nobody worked
    in are exactly 0 (no float noise from cumulative sums)."""
    import types

    from ccsim.analysis.metrics import busy_time_s

    rng = np.random.default_rng(3)
    edges = np.arange(0.0, 1001.0, 100.0)
    for _ in range(200):
        m = int(rng.integers(0, 40))
        start = rng.uniform(-50.0, 1100.0, m)
        end = start + rng.exponential(150.0, m)
        start[rng.random(m) < 0.1] = np.nan  # never answered
        end[rng.random(m) < 0.1] = np.nan  # still in service at the horizon
        w = rng.choice([1.0, 0.5, 1.0 / 3.0], m)
        rec = types.SimpleNamespace(answer_s=start, end_s=end, horizon_s=1000.0)
        got = busy_time_s(rec, edges, None, w)  # type: ignore[arg-type]
        expected = np.zeros(len(edges) - 1)
        for i in np.flatnonzero(~np.isnan(start)):
            e = 1000.0 if np.isnan(end[i]) else end[i]
            over = np.minimum(e, edges[1:]) - np.maximum(start[i], edges[:-1])
            expected += w[i] * np.maximum(over, 0.0)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
        assert np.all(got[expected == 0.0] == 0.0)
