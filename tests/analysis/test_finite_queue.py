"""Tests for ccsim.analysis.finite_queue (M/M/c/K, M/M/c/K+M) and ccsim.analysis.loss_staffing.

Independent references implemented here, none of which uses the module's formulas:

1. The stationary distribution: the generator matrix of the birth-death chain of the number in
   system, its balance equations ``pi Q = 0, sum(pi) = 1`` solved by LU (``numpy.linalg``),
   and entrywise the relative residual of the local balance ``pi_n lambda = pi_{n+1} d_{n+1}``.
2. Waiting times: the absorbing chain of a tagged admitted customer (position in queue,
   "served" and "abandoned"), its transient probabilities by the action of the matrix
   exponential (``scipy.sparse.linalg.expm_multiply``) and its means by linear solves.
3. The existing Erlang B, C and A functions in the limits K = c, K -> infinity, theta -> 0,
   and the M/M/1/K closed form of Gross & Harris.
"""

from __future__ import annotations

import math
import time
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.linalg import expm_multiply
from scipy.stats import poisson

from ccsim.analysis.erlang import erlang_b, erlang_c_metrics
from ccsim.analysis.erlang_a import erlang_a_metrics
from ccsim.analysis.erlang_staffing import agents_for_service_level
from ccsim.analysis.finite_queue import (
    FiniteQueueResult,
    mmck_m_metrics,
    mmck_metrics,
    stationary_probabilities,
)
from ccsim.analysis.loss_staffing import (
    agents_for_abandonment,
    agents_for_blocking,
    load_for_blocking,
)

AHT = 120.0
SCALAR_FIELDS = (
    "p_block",
    "p_wait",
    "p_wait_admitted",
    "p_abandon",
    "p_abandon_admitted",
    "mean_wait_s",
    "mean_wait_answered_s",
    "mean_queue",
    "mean_in_system",
    "mean_virtual_wait_s",
    "occupancy",
)
TARGET_FIELDS = ("sl_answered_within_t", "sl_wait_le_t", "virtual_wait_le_t")
ERLANG_A_FIELDS = (
    "p_wait",
    "p_abandon",
    "mean_wait_s",
    "mean_wait_answered_s",
    "sl_answered_within_t",
    "sl_wait_le_t",
    "occupancy",
)


# =============================================================================== references


def _death_rates(mu: float, c: int, k: int, theta: float) -> np.ndarray:
    n = np.arange(k + 1)
    return np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta


def _stationary_reference(lam: float, mu: float, c: int, k: int, theta: float) -> np.ndarray:
    """Solve pi Q = 0, sum pi = 1 for the (K+1)-state generator by LU."""
    n = np.arange(k + 1)
    q = np.zeros((k + 1, k + 1))
    q[n[:-1], n[:-1] + 1] = lam
    q[n[1:], n[1:] - 1] = _death_rates(mu, c, k, theta)[1:]
    q[n, n] = -q.sum(axis=1)
    a = q.T.copy()
    a[-1, :] = 1.0  # replace one (redundant) balance equation by the normalisation
    b = np.zeros(k + 1)
    b[-1] = 1.0
    return np.linalg.solve(a, b)


def _tagged_reference(
    c_mu: float, theta: float, places: int, targets: list[float], *, abandons: bool
) -> dict:
    """Absorbing chain of a tagged customer that starts with j = 0..places-1 others ahead.

    From ``i`` ahead it moves to ``i - 1`` (or into service from 0) at rate
    ``c mu + i theta`` and, if ``abandons``, leaves at rate ``theta``.
    """
    if places == 0:
        empty = np.zeros(0)
        by_t = [(empty, empty)] * len(targets)
        return {"served": empty, "mean": empty, "mean_served": empty, "by_t": by_t}
    size = places + 2
    served, gone = places, places + 1
    i = np.arange(places)
    rows = np.concatenate((i, i))
    cols = np.concatenate((np.where(i > 0, i - 1, served), np.full(places, gone)))
    vals = np.concatenate((c_mu + i * theta, np.full(places, theta if abandons else 0.0)))
    q = sparse.csr_matrix((vals, (rows, cols)), shape=(size, size))
    q = (q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())).tocsc()
    q_tt = -q[:places, :places].toarray()
    p_served = np.linalg.solve(q_tt, q[:places, served].toarray().ravel())
    by_t = []
    for t in targets:
        cols_t = []
        for target in (served, gone):
            e = np.zeros(size)
            e[target] = 1.0
            cols_t.append(expm_multiply(q * t, e)[:places] if t > 0 else np.zeros(places))
        by_t.append(tuple(cols_t))
    return {
        "served": p_served,
        "mean": np.linalg.solve(q_tt, np.ones(places)),
        "mean_served": np.linalg.solve(q_tt, p_served),  # E[T 1{served}]
        "by_t": by_t,
    }


def _chains(aht: float, c: int, room: int, patience: float, targets) -> tuple[dict, dict]:
    """The tagged customer's chain (it may abandon) and the virtual one (it never does)."""
    theta = 0.0 if math.isinf(patience) else 1.0 / patience
    tag = _tagged_reference(c / aht, theta, room, targets, abandons=True)
    virt = _tagged_reference(c / aht, theta, room, targets, abandons=False)
    return tag, virt


def _aggregate(pi: np.ndarray, load: float, c: int, tag: dict, virt: dict) -> dict:
    """Every measure of FiniteQueueResult from a distribution and the chains (PASTA)."""
    k = len(pi) - 1
    q = pi[c:k]
    no_wait = pi[:c].sum()
    admitted = pi[:k].sum()
    p_abandon = float(q @ (1.0 - tag["served"]))
    p_served = no_wait + float(q @ tag["served"])
    n = np.arange(k + 1)
    out = {
        "p_block": pi[k],
        "p_wait": q.sum(),
        "p_wait_admitted": q.sum() / admitted,
        "p_abandon": p_abandon,
        "p_abandon_admitted": p_abandon / admitted,
        "mean_wait_s": float(q @ tag["mean"]) / admitted,
        "mean_wait_answered_s": float(q @ tag["mean_served"]) / p_served,
        "mean_queue": float(np.maximum(n - c, 0) @ pi),
        "mean_in_system": float(n @ pi),
        "mean_virtual_wait_s": float(q @ virt["mean"]) / admitted,
        # rate balance: carried load = load x P(served) = mean busy agents
        "occupancy": load * p_served / c,
    }
    out["sl_answered_within_t"] = [no_wait + float(q @ s) for s, _ in tag["by_t"]]
    out["sl_wait_le_t"] = [(no_wait + float(q @ (s + a))) / admitted for s, a in tag["by_t"]]
    out["virtual_wait_le_t"] = [(no_wait + float(q @ s)) / admitted for s, _ in virt["by_t"]]
    return out


def _assert_close(got: float, want: float, rel: float, abs_: float, what: str = "") -> None:
    assert math.isfinite(got), f"{what}: got {got}"
    assert abs(got - want) <= max(rel * abs(want), abs_), f"{what}: got {got!r}, want {want!r}"


def _assert_measures(got, ref: dict, i: int, rel: float, floors: dict, what: str) -> None:
    for field in SCALAR_FIELDS + TARGET_FIELDS:
        want = ref[field][i] if field in TARGET_FIELDS else ref[field]
        floor = floors.get(field, floors["probability"])
        _assert_close(getattr(got, field), want, rel, floor, f"{what}: {field}")


def _check_against_reference(lam, c, room, patience, targets, rel=1e-9):
    """Two comparisons with the chains.

    1. End to end: the LU distribution with the tagged chains, to ``rel``, with absolute
       floors at LU's own rounding level (1e-13 for probabilities, 1e-13 (c + room) contacts,
       1e-13 AHT seconds): LU is accurate in absolute terms only.
    2. Relative, for every value however small: the module's distribution, first checked
       entry by entry against the generator's balance equations (``_assert_balance``), with
       the tagged chains: this checks the waiting-time formulas to ``rel`` even at 1e-80.
    """
    theta = 0.0 if math.isinf(patience) else 1.0 / patience
    load = lam * AHT
    pi_lu = _stationary_reference(lam, 1.0 / AHT, c, c + room, theta)
    tag, virt = _chains(AHT, c, room, patience, targets)
    lu_floors = {"probability": 1e-13, "mean_queue": 1e-13 * (c + room)}
    lu_floors["mean_in_system"] = lu_floors["mean_queue"]
    for field in ("mean_wait_s", "mean_wait_answered_s", "mean_virtual_wait_s"):
        lu_floors[field] = 1e-13 * AHT
    for i, t in enumerate(targets):
        got = mmck_m_metrics(lam, AHT, c, room, patience, t)
        p = got.state_probabilities
        assert p.shape == pi_lu.shape
        assert np.max(np.abs(p - pi_lu)) <= 1e-13
        big = pi_lu > 1e-3 * pi_lu.max()
        assert np.max(np.abs(p[big] / pi_lu[big] - 1.0)) <= rel
        if i == 0:
            _assert_balance(p, lam, c, theta)
            end_to_end = _aggregate(pi_lu, load, c, tag, virt)
            relative = _aggregate(np.array(p), load, c, tag, virt)
        _assert_measures(got, end_to_end, i, rel, lu_floors, f"LU t={t}")
        _assert_measures(got, relative, i, rel, {"probability": 1e-300}, f"balance t={t}")
    return got


def _assert_balance(p: np.ndarray, lam: float, c: int, theta: float, rel: float = 1e-11):
    """pi_n lambda = pi_{n+1} d_{n+1}, entry by entry, wherever both are normal numbers."""
    d = _death_rates(1.0 / AHT, c, len(p) - 1, theta)
    lhs, rhs = p[:-1] * lam, p[1:] * d[1:]
    ok = (p[:-1] > 1e-290) & (p[1:] > 1e-290)
    assert ok.sum() >= min(len(p) - 1, c // 4)
    assert np.max(np.abs(lhs[ok] / rhs[ok] - 1.0)) <= rel
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-14)


# =============================================================================== vs the chains

SMALL_GRID = [
    (c, rho, room, pm)
    for c in (1, 2, 5)
    for rho in (0.5, 0.9, 1.0, 1.5)
    for room in (0, 1, 4, 30)
    for pm in (math.inf, 0.5, 3.0)
]


@pytest.mark.parametrize("agents, rho, room, patience_mult", SMALL_GRID)
def test_small_systems_match_the_chains(agents, rho, room, patience_mult):
    lam = rho * agents / AHT
    targets = [0.0, 0.2 * AHT, 1.0 * AHT]
    _check_against_reference(lam, agents, room, patience_mult * AHT, targets)


LARGE_GRID = [
    (c, room, rho, pm)
    for c, room in ((200, 100), (1000, 200))
    for rho in (0.5, 0.95, 1.0, 1.5)
    for pm in (math.inf, 0.5, 2.0)
]


@pytest.mark.parametrize("agents, room, rho, patience_mult", LARGE_GRID)
def test_large_systems_match_the_chains(agents, room, rho, patience_mult):
    lam = rho * agents / AHT
    _check_against_reference(lam, agents, room, patience_mult * AHT, [5.0, 20.0])


def test_largest_case_is_fast_and_overflow_free():
    # c = 1000, K = 1200 (and K = 5000 in overload): no warning, a few milliseconds each
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for room, rho, patience in ((200, 1.2, 60.0), (4000, 1.5, math.inf), (4000, 3.0, 30.0)):
            lam = rho * 1000 / AHT
            start = time.perf_counter()
            r = mmck_m_metrics(lam, AHT, 1000, room, patience, 20.0)
            elapsed = time.perf_counter() - start
            assert elapsed < 1.0
            for field in SCALAR_FIELDS + TARGET_FIELDS:
                v = getattr(r, field)
                assert math.isfinite(v) and v >= 0.0, (field, v)
            theta = 0.0 if math.isinf(patience) else 1.0 / patience
            _assert_balance(r.state_probabilities, lam, 1000, theta)
        # 5000 agents and 20000 places, infinitely patient and overloaded: almost all blocked
        r = mmck_metrics(2.0 * 5000 / AHT, AHT, 5000, 20_000, 20.0)
        assert r.p_block == pytest.approx(0.5, rel=1e-12)
        assert r.occupancy == pytest.approx(1.0, abs=1e-12)


# =============================================================================== limits


@pytest.mark.parametrize("agents", [1, 5, 50, 1000, 5000])
@pytest.mark.parametrize("rho", [0.5, 1.0, 1.5, 3.0])
def test_no_waiting_room_is_erlang_b(agents, rho):
    load = rho * agents
    for patience in (math.inf, 60.0):
        r = mmck_m_metrics(load / AHT, AHT, agents, 0, patience, 20.0)
        b = erlang_b(load, agents)  # itself accurate to ~5e-12 (test_erlang.py: 1e-11)
        _assert_close(r.p_block, b, 1e-11, 0.0, "p_block")
        assert r.p_wait == r.p_abandon == r.mean_wait_s == r.mean_queue == 0.0
        _assert_close(r.sl_answered_within_t, 1.0 - b, 1e-11, 0.0, "sl")
        assert r.sl_wait_le_t == r.virtual_wait_le_t == 1.0
        _assert_close(r.occupancy, load * (1.0 - b) / agents, 1e-11, 0.0, "occupancy")
        if agents <= 50:  # Erlang B's truncated Poisson distribution
            n = np.arange(agents + 1)
            want = poisson.pmf(n, load) / poisson.cdf(agents, load)
            np.testing.assert_allclose(r.state_probabilities, want, rtol=1e-12, atol=0.0)


@pytest.mark.parametrize(
    "agents, rho", [(1, 1.5), (5, 3.0), (1000, 0.5), (1000, 1.0), (1000, 1.5), (5000, 1.5)]
)
def test_no_waiting_room_blocking_is_exact(agents, rho):
    # Erlang B's recursion B_k = a B_{k-1} / (k + a B_{k-1}) in 60-digit decimal arithmetic
    with localcontext() as ctx:
        ctx.prec = 60
        load = Decimal(rho) * agents
        b = Decimal(1)
        for k in range(1, agents + 1):
            b = load * b / (k + load * b)
    got = mmck_metrics(rho * agents / AHT, AHT, agents, 0, 20.0).p_block
    _assert_close(got, float(b), 1e-12, 0.0, "p_block")


@pytest.mark.parametrize("agents", [1, 5, 100, 1000])
@pytest.mark.parametrize("rho", [0.5, 0.9])
def test_large_waiting_room_is_erlang_c(agents, rho):
    lam, t = rho * agents / AHT, 20.0
    room = math.ceil(math.log(1e-21) / math.log(rho))
    c_ref = erlang_c_metrics(lam, AHT, agents, t)
    for r in (
        mmck_metrics(lam, AHT, agents, room, t),
        mmck_m_metrics(lam, AHT, agents, None, math.inf, t),
    ):
        assert r.p_block < 1e-20
        _assert_close(r.p_wait, c_ref.p_wait, 1e-11, 1e-300, "p_wait")
        _assert_close(r.mean_wait_s, c_ref.mean_wait_s, 1e-11, 1e-300, "mean_wait")
        _assert_close(r.mean_wait_answered_s, c_ref.mean_wait_s, 1e-11, 1e-300, "asa")
        _assert_close(r.mean_virtual_wait_s, c_ref.mean_wait_s, 1e-11, 1e-300, "V")
        for field in TARGET_FIELDS:
            _assert_close(getattr(r, field), c_ref.service_level, 1e-12, 0.0, field)
        _assert_close(r.occupancy, c_ref.occupancy, 1e-12, 0.0, "occupancy")
    # M/M/c: p_n = p_c rho^(n - c) above c, Erlang C's weights below
    p = stationary_probabilities(lam, AHT, agents)
    if agents <= 100:
        n = np.arange(agents + 1)
        below = poisson.pmf(n, rho * agents) / poisson.cdf(agents, rho * agents)
        kappa = (1.0 - rho) / (1.0 - rho * (1.0 - below[-1]))
        np.testing.assert_allclose(p[: agents + 1], kappa * below, rtol=1e-12)
    m = np.arange(len(p) - agents)
    np.testing.assert_allclose(p[agents:], p[agents] * rho**m, rtol=1e-12, atol=0.0)
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-15)


ERLANG_A_GRID = [
    (c, rho, pm) for c in (1, 2, 5, 50, 1000) for rho in (0.5, 1.0, 1.5) for pm in (0.5, 2.0, 10.0)
]


@pytest.mark.parametrize("agents, rho, patience_mult", ERLANG_A_GRID)
def test_infinite_room_with_abandonment_is_erlang_a(agents, rho, patience_mult):
    lam, patience = rho * agents / AHT, patience_mult * AHT
    for t in (0.0, 20.0, AHT):
        a = erlang_a_metrics(lam, AHT, agents, patience, t)
        r = mmck_m_metrics(lam, AHT, agents, None, patience, t)
        assert r.p_block == 0.0 and r.p_wait == r.p_wait_admitted
        for field in ERLANG_A_FIELDS:
            _assert_close(getattr(r, field), getattr(a, field), 1e-9, 1e-14, f"{field} t={t}")
        _assert_balance(r.state_probabilities, lam, agents, 1.0 / patience)


def test_finite_room_approaches_erlang_a():
    lam, c, patience = 1.3 * 20 / AHT, 20, 60.0
    a = erlang_a_metrics(lam, AHT, c, patience, 20.0)
    gaps = []
    for room in (2, 5, 10, 20, 200):
        r = mmck_m_metrics(lam, AHT, c, room, patience, 20.0)
        gaps.append(abs(r.p_abandon_admitted - a.p_abandon))
    assert gaps[:4] == sorted(gaps[:4], reverse=True) and gaps[3] < 1e-3 * gaps[0]
    assert r.p_block < 1e-60
    for field in ERLANG_A_FIELDS:
        _assert_close(getattr(r, field), getattr(a, field), 1e-10, 1e-15, field)


@pytest.mark.parametrize("agents, room, rho", [(1, 5, 0.8), (5, 20, 1.2), (1000, 200, 1.05)])
def test_patience_to_infinity_is_mmck(agents, room, rho):
    lam = rho * agents / AHT
    base = mmck_metrics(lam, AHT, agents, room, 20.0)
    assert base.p_abandon == 0.0
    assert base.mean_virtual_wait_s == pytest.approx(base.mean_wait_s, rel=1e-13)
    for patience, tol in ((1e6 * AHT, 1e-4), (1e9 * AHT, 1e-7)):
        r = mmck_m_metrics(lam, AHT, agents, room, patience, 20.0)
        for field in SCALAR_FIELDS + TARGET_FIELDS:
            if field.startswith("p_abandon"):
                assert getattr(r, field) < tol
            else:
                _assert_close(getattr(r, field), getattr(base, field), tol, 1e-15, field)


@pytest.mark.parametrize("rho", [0.3, 0.9, 1.0, 1.7])
@pytest.mark.parametrize("room", [0, 3, 25])
def test_mm1k_closed_form(rho, room):
    # Gross & Harris, Fundamentals of Queueing Theory, M/M/1/K: p_n = (1 - rho) rho^n /
    # (1 - rho^(K+1)) (1 / (K+1) at rho = 1), L = rho / (1 - rho) - (K+1) rho^(K+1) /
    # (1 - rho^(K+1)), and W_q by Little's law with the admitted rate lambda (1 - p_K).
    k = 1 + room
    lam = rho / AHT
    r = mmck_metrics(lam, AHT, 1, room, 0.0)
    n = np.arange(k + 1)
    if rho == 1.0:
        want = np.full(k + 1, 1.0 / (k + 1))
        mean_n = k / 2.0
    else:
        want = (1 - rho) * rho**n / (1 - rho ** (k + 1))
        mean_n = rho / (1 - rho) - (k + 1) * rho ** (k + 1) / (1 - rho ** (k + 1))
    np.testing.assert_allclose(r.state_probabilities, want, rtol=1e-13)
    assert r.mean_in_system == pytest.approx(mean_n, rel=1e-13)
    lq = float(np.maximum(n - 1, 0) @ want)
    assert r.mean_queue == pytest.approx(lq, rel=1e-12, abs=1e-15)
    assert r.mean_wait_s == pytest.approx(lq / (lam * (1 - want[-1])), rel=1e-12, abs=1e-15)


# =============================================================================== identities


@pytest.mark.parametrize(
    "agents, room, rho, patience",
    [(1, 3, 0.7, 30.0), (3, 10, 1.4, 200.0), (40, 15, 1.0, 90.0), (600, 300, 1.1, 45.0)],
)
def test_little_and_rate_balance(agents, room, rho, patience):
    lam = rho * agents / AHT
    r = mmck_m_metrics(lam, AHT, agents, room, patience, 30.0)
    admitted_rate = lam * (1 - r.p_block)
    assert r.mean_queue == pytest.approx(admitted_rate * r.mean_wait_s, rel=1e-12)  # Little
    assert r.mean_queue / patience == pytest.approx(lam * r.p_abandon, rel=1e-12)
    busy = r.mean_in_system - r.mean_queue
    assert busy == pytest.approx(agents * r.occupancy, rel=1e-12)
    assert busy == pytest.approx(rho * agents * (1 - r.p_block - r.p_abandon), rel=1e-12)
    assert r.p_abandon == pytest.approx(r.p_abandon_admitted * (1 - r.p_block), rel=1e-13)
    # the waits: served within t <= admitted with W <= t, and W = min(V, patience) <= V
    assert r.sl_answered_within_t <= (1 - r.p_block) * r.sl_wait_le_t + 1e-15
    assert r.virtual_wait_le_t <= r.sl_wait_le_t + 1e-15
    assert r.mean_wait_s <= r.mean_virtual_wait_s
    levels = [mmck_m_metrics(lam, AHT, agents, room, patience, t) for t in (0, 10, 60, 600)]
    for field in TARGET_FIELDS:
        values = [getattr(x, field) for x in levels]
        assert values == sorted(values)


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(min_value=1, max_value=400),
    room=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    rho=st.floats(min_value=0.05, max_value=3.0),
    patience_mult=st.one_of(st.just(math.inf), st.floats(min_value=0.05, max_value=50.0)),
    t=st.floats(min_value=0.0, max_value=600.0),
)
def test_property_measures_are_consistent(agents, room, rho, patience_mult, t):
    if room is None and math.isinf(patience_mult):
        room = 50  # M/M/c may be unstable
    lam, patience = rho * agents / AHT, patience_mult * AHT
    r = mmck_m_metrics(lam, AHT, agents, room, patience, t)
    p = r.state_probabilities
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-14) and p.min() >= 0.0
    for field in SCALAR_FIELDS + TARGET_FIELDS:
        assert math.isfinite(getattr(r, field)) and getattr(r, field) >= 0.0, field
    assert r.mean_queue == pytest.approx(lam * (1 - r.p_block) * r.mean_wait_s, rel=1e-11)
    served = 1 - r.p_block - r.p_abandon
    assert r.occupancy == pytest.approx(rho * served, rel=1e-11, abs=1e-300)
    assert r.sl_answered_within_t <= served + 1e-14
    assert r.virtual_wait_le_t <= r.sl_wait_le_t + 1e-14
    # one more agent (same room) never loses more contacts or waits longer
    more = mmck_m_metrics(lam, AHT, agents + 1, room, patience, t)
    assert more.p_abandon + more.p_block <= (r.p_abandon + r.p_block) * (1 + 1e-11) + 1e-300
    assert more.sl_answered_within_t >= r.sl_answered_within_t - 1e-12


def test_zero_arrivals_and_result_objects():
    r = mmck_m_metrics(0.0, AHT, 3, 4, 60.0, 20.0)
    assert list(r.state_probabilities) == [1.0, 0, 0, 0, 0, 0, 0, 0]
    assert (r.p_block, r.p_wait, r.p_abandon, r.mean_wait_s, r.occupancy) == (0, 0, 0, 0, 0)
    assert r.sl_answered_within_t == r.sl_wait_le_t == r.virtual_wait_le_t == 1.0
    assert isinstance(r, FiniteQueueResult)
    with pytest.raises(AttributeError):
        r.p_block = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        r.state_probabilities[0] = 0.5  # read-only
    assert not stationary_probabilities(1.0, AHT, 2, 3).flags.writeable


# =============================================================================== staffing


@pytest.mark.parametrize("load", [0.01, 1.0, 10.0, 84.0, 1000.0, 5000.0])
@pytest.mark.parametrize("target", [1e-6, 0.001, 0.02, 0.3])
def test_agents_for_blocking_is_minimal(load, target):
    n = agents_for_blocking(load, target)
    assert erlang_b(load, n) <= target
    assert n == 0 or erlang_b(load, n - 1) > target


@pytest.mark.parametrize("agents", [1, 2, 6, 30, 100, 1000, 10_000])
@pytest.mark.parametrize("target", [1e-9, 0.001, 0.01, 0.2, 0.9])
def test_load_for_blocking_round_trips(agents, target):
    load = load_for_blocking(agents, target)
    _assert_close(erlang_b(load, agents), target, 1e-12, 0.0, "B(inverse)")
    assert agents_for_blocking(load * (1 - 1e-9), target) == agents
    assert agents_for_blocking(load * (1 + 1e-9), target) == agents + 1


def test_erlang_b_staffing_published_values():
    # ITU-D table of Erlang's loss formula (see test_erlang.py for the transcription used):
    # offered traffic at the grade of service, 5 significant digits.
    for agents, gos, printed in ((2, 0.01, 0.15259), (10, 0.05, 6.2157), (300, 0.001, 258.65)):
        half_unit = 0.5 * 10.0 ** (math.floor(math.log10(printed)) - 4)
        assert abs(load_for_blocking(agents, gos) - printed) <= half_unit * 1.0001
    # pyworkforce and Math-Telephony-ErlangB: 10 Erl at 2 % needs 17; 1 Erl at 0.1 % needs 6
    assert agents_for_blocking(10.0, 0.02) == 17
    assert agents_for_blocking(1.0, 0.001) == 6
    assert agents_for_blocking(0.0, 0.01) == 0


ABANDON_CASES = [
    (10 / 180.0, 180.0, 300.0),
    (1000 / 300.0, 300.0, 120.0),
    (0.05, 200.0, 20.0),
    (2.0, 240.0, 600.0),
]


@pytest.mark.parametrize("lam, aht, patience", ABANDON_CASES)
@pytest.mark.parametrize("max_abandon", [0.001, 0.02, 0.1, 0.4])
def test_agents_for_abandonment_is_minimal(lam, aht, patience, max_abandon):
    n = agents_for_abandonment(lam, aht, patience, max_abandon)

    def p_ab(c):
        return erlang_a_metrics(lam, aht, c, patience, 0.0).p_abandon

    assert p_ab(n) <= max_abandon
    assert n == 1 or p_ab(n - 1) > max_abandon
    # with a service level the answer is the larger of the two single-target answers
    both = agents_for_abandonment(lam, aht, patience, max_abandon, target_s=20.0, service_level=0.8)
    sl_only = agents_for_service_level(lam, aht, 20.0, 0.8, patience_s=patience)
    assert both == max(n, sl_only)


def test_agents_for_abandonment_published_and_limits():
    # pyworkforce docs/guide/erlanga.md (see test_erlang.py): 100 contacts / 30 min, AHT 3 min,
    # patience 5 min: 13 agents give P(Ab) = 0.025..., so 5 % needs at most 13
    lam, aht, patience = 100 / 1800.0, 180.0, 300.0
    n = agents_for_abandonment(lam, aht, patience, 0.05)
    assert n <= 13 and erlang_a_metrics(lam, aht, n - 1, patience, 0.0).p_abandon > 0.05
    # patience 0 is the loss limit: abandonment is Erlang B
    assert agents_for_abandonment(lam, aht, 0.0, 0.02) == agents_for_blocking(lam * aht, 0.02)
    assert agents_for_abandonment(0.0, aht, patience, 0.05) == 0
    with pytest.raises(ValueError, match="max_agents"):
        agents_for_abandonment(10.0, 300.0, 60.0, 0.01, max_agents=100)


# =============================================================================== validation


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mmck_metrics(-0.1, AHT, 3, 2, 1.0), "arrival_rate_per_s"),
        (lambda: mmck_metrics(0.1, 0.0, 3, 2, 1.0), "aht_s"),
        (lambda: mmck_metrics(0.1, AHT, 0, 2, 1.0), "agents"),
        (lambda: mmck_metrics(0.1, AHT, 2.0, 2, 1.0), "agents"),
        (lambda: mmck_metrics(0.1, AHT, 3, -1, 1.0), "waiting_room"),
        (lambda: mmck_metrics(0.1, AHT, 3, 1.5, 1.0), "waiting_room"),
        (lambda: mmck_metrics(0.1, AHT, 3, None, 1.0), "waiting_room"),
        (lambda: mmck_metrics(0.1, AHT, 3, 2, -1.0), "target_s"),
        (lambda: mmck_metrics(0.1, AHT, 3, 2, math.inf), "target_s"),
        (lambda: mmck_metrics(0.1, AHT, 3, 10**7, 1.0), "MAX_STATES"),
        (lambda: mmck_m_metrics(0.1, AHT, 3, 2, 0.0, 1.0), "patience_s"),
        (lambda: mmck_m_metrics(0.1, AHT, 3, 2, float("nan"), 1.0), "patience_s"),
        (lambda: mmck_m_metrics(1.0, AHT, 3, None, math.inf, 1.0), "unstable"),
        (lambda: mmck_m_metrics(1.0, AHT, 3, None, 1e12, 1.0), "MAX_STATES"),
        (lambda: stationary_probabilities(1.0, AHT, 3), "unstable"),
        (lambda: agents_for_blocking(-1.0, 0.01), "load_erl"),
        (lambda: agents_for_blocking(1.0, 0.0), "max_blocking"),
        (lambda: agents_for_blocking(1.0, 1.0), "max_blocking"),
        (lambda: agents_for_blocking(1.0, 0.01, max_agents=0), "max_agents"),
        (lambda: agents_for_blocking(1e6, 0.01, max_agents=10), "max_agents"),
        (lambda: load_for_blocking(0, 0.01), "agents"),
        (lambda: load_for_blocking(3, 1.5), "max_blocking"),
        (lambda: agents_for_abandonment(0.1, AHT, math.inf, 0.05), "patience_s"),
        (lambda: agents_for_abandonment(0.1, AHT, -1.0, 0.05), "patience_s"),
        (lambda: agents_for_abandonment(0.1, AHT, 60.0, 0.0), "max_abandon"),
        (lambda: agents_for_abandonment(0.1, AHT, 60.0, 0.05, target_s=20.0), "service_level"),
        (lambda: agents_for_abandonment(0.1, AHT, 60.0, 0.05, service_level=0.8), "target_s"),
        (
            lambda: agents_for_abandonment(0.1, AHT, 60.0, 0.05, target_s=20.0, service_level=1),
            "service_level",
        ),
    ],
)
def test_invalid_arguments_raise_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
