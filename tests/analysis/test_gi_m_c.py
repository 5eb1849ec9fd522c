"""GI/M/c formulas (ccsim.analysis.gi_m_c) against computations that share nothing with them.

* The embedded Markov chain at arrival epochs, truncated where the tail is below 1e-18 and
  solved by LU. Its transition probabilities come from the pure-death process of the agents
  by uniformization at rate c mu: over one inter-arrival time, m "clock ticks" happen with
  probability alpha_m, the integral of the Poisson(m; c mu t) probability against the
  inter-arrival density (scipy.integrate.quad, the deterministic gap read off directly), and
  a tick moves the chain down one with probability min(n, c) / c. No geometric tail and no
  transform are assumed.
* For c = 1, sigma from closed forms: D/M/1 by Lambert W, E_k/M/1 and H2/M/1 as roots of
  polynomials.
* With exponential inter-arrival times, Erlang C (ccsim.analysis.erlang) to 1e-12.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from scipy import integrate, special

from ccsim.analysis.erlang import erlang_c_metrics
from ccsim.analysis.gi_m_c import (
    gi_m_c_arrival_probabilities,
    gi_m_c_metrics,
    gi_m_c_sigma,
    interarrival_lst,
)
from ccsim.model.arrival_process import ArrivalProcess

AHT_S = 60.0
T_S = 20.0
M = ArrivalProcess()
D = ArrivalProcess("deterministic")
E3 = ArrivalProcess("erlang", k=3)
H2 = ArrivalProcess("hyperexponential", cv=2.0)
SHAPES = {"M": M, "D": D, "E3": E3, "H2": H2}


def _density(arrivals: ArrivalProcess):
    """Inter-arrival density at mean 1."""
    if arrivals.process == "erlang":
        k = arrivals.k
        log_norm = k * math.log(k) - math.lgamma(k)
        return lambda t: math.exp(log_norm + (k - 1) * math.log(t) - k * t) if t > 0 else 0.0
    if arrivals.process == "hyperexponential":
        (p1, r1), (p2, r2) = arrivals.phases()
        return lambda t: p1 * r1 * math.exp(-r1 * t) + p2 * r2 * math.exp(-r2 * t)
    return lambda t: math.exp(-t)


@functools.cache
def _ticks(name: str, rho: float) -> tuple[float, ...]:
    """alpha_m, m = 0, 1, ...: P(m ticks of a Poisson clock of rate c mu in one inter-arrival
    time); in units of the mean gap the clock runs at 1 / rho, whatever c is."""
    rate = 1.0 / rho
    out: list[float] = []
    if name == "D":
        while sum(out) < 1.0 - 1e-16:
            m = len(out)
            out.append(math.exp(m * math.log(rate) - rate - math.lgamma(m + 1)))
        return tuple(out)
    f = _density(SHAPES[name])
    # Until the mass is all there or the terms (past their peak) no longer count.
    while sum(out) < 1.0 - 1e-16 and not (len(out) > 10 and out[-1] < 1e-20):
        m = len(out)
        log_fact = math.lgamma(m + 1)

        def g(t: float, m: int = m, log_fact: float = log_fact) -> float:
            x = rate * t
            return math.exp(m * math.log(x) - x - log_fact) * f(t) if x > 0 else 0.0

        # The Poisson weight, as a function of t, is a Gamma(m + 1) density: split at its
        # mean and 12 standard deviations either side, so quad sees where the mass is.
        mean, sd = (m + 1) / rate, math.sqrt(m + 1) / rate
        cuts = [0.0, max(0.0, mean - 12 * sd), mean, mean + 12 * sd]
        a = sum(
            integrate.quad(g, lo, hi, epsabs=1e-22, epsrel=1e-13, limit=200)[0]
            for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)
            if hi > lo
        )
        a += integrate.quad(g, cuts[-1], np.inf, epsabs=1e-22, epsrel=1e-12, limit=200)[0]
        out.append(a)
    return tuple(out)


def embedded_chain(name: str, rho: float, c: int, n_states: int) -> np.ndarray:
    """P(an arrival finds n in the system), n = 0..n_states-1, from the truncated chain."""
    alpha = np.array(_ticks(name, rho))
    m_max = alpha.size
    # The c+1 states at or below c under one tick; above c a tick always moves down one.
    small = np.zeros((c + 1, c + 1))
    for n in range(c + 1):
        small[n, n] = 1.0 - n / c
        if n:
            small[n, n - 1] = n / c
    powers = np.empty((m_max, c + 1, c + 1))
    powers[0] = np.eye(c + 1)
    for r in range(1, m_max):
        powers[r] = powers[r - 1] @ small
    p = np.zeros((n_states, n_states + 1))
    for i in range(n_states):
        n = i + 1  # in the system just after the arrival
        if n <= c:
            p[i, : c + 1] = np.tensordot(alpha, powers[:, n, :], axes=1)
            continue
        drops = np.arange(0, min(n - c, m_max))  # fewer ticks than the way down to c
        p[i, n - drops] = alpha[drops]
        r = np.arange(max(0, m_max - (n - c)))  # ticks left once down at c
        p[i, : c + 1] = alpha[n - c + r] @ powers[r, c, :]
    p[:, -2] += p[:, -1]  # the last state's arrival that finds nobody leave: kept at the cut
    p = p[:, :-1]
    a = p.T - np.eye(n_states)
    a[-1, :] = 1.0
    b = np.zeros(n_states)
    b[-1] = 1.0
    return np.linalg.solve(a, b)


CHAIN_CASES = [
    (s, c, rho) for s in ("D", "E3", "H2", "M") for c in (1, 2, 10) for rho in (0.5, 0.85)
]


@pytest.mark.parametrize("name,c,rho", CHAIN_CASES)
def test_formulas_agree_with_the_embedded_chain(name, c, rho):
    arrivals = SHAPES[name]
    rate = rho * c / AHT_S
    r = gi_m_c_metrics(rate, AHT_S, c, arrivals, T_S)
    n_states = int(math.log(1e-18) / math.log(r.sigma)) + c + 5
    q = embedded_chain(name, rho, c, n_states)
    # A contact that finds n >= c waits for n - c + 1 service ends at rate c mu: Erlang.
    ahead = np.arange(n_states - c) + 1.0
    decay = c / AHT_S
    p_wait = q[c:].sum()
    mean_wait = float(np.dot(q[c:], ahead)) / decay
    sl = 1.0 - float(np.dot(q[c:], special.gammaincc(ahead, decay * T_S)))
    assert r.p_wait == pytest.approx(p_wait, rel=1e-9, abs=0)
    assert r.mean_wait_s == pytest.approx(mean_wait, rel=1e-9, abs=0)
    assert r.service_level == pytest.approx(sl, rel=1e-9, abs=0)
    assert r.sigma == pytest.approx(q[c + 1] / q[c], rel=1e-9, abs=0)
    # Every state an arrival sees, below the agents too (Takacs' boundary probabilities).
    exact = gi_m_c_arrival_probabilities(rate, AHT_S, c, arrivals, n_states - 1)
    np.testing.assert_allclose(exact[: c + 20], q[: c + 20], rtol=1e-8, atol=1e-15)


def test_c1_sigma_closed_forms():
    for rho in (0.3, 0.7, 0.95):
        rate = rho / AHT_S
        # D/M/1: sigma = exp(-(1 - sigma) / rho), so sigma = -rho W0(-exp(-1 / rho) / rho).
        d = float(-rho * special.lambertw(-math.exp(-1.0 / rho) / rho, 0).real)
        # E_k/M/1: sigma (k + x)^k = k^k and H2/M/1: sigma (r1 + x)(r2 + x) = p1 r1 (r2 + x) +
        # p2 r2 (r1 + x), with x = (1 - sigma) / rho: polynomials in sigma with the root 1.
        x = np.polynomial.Polynomial([1.0 / rho, -1.0 / rho])
        sigma = np.polynomial.Polynomial([0.0, 1.0])
        e_poly = sigma * (3 + x) ** 3 - 27
        (p1, r1), (p2, r2) = H2.phases()
        h_poly = sigma * (r1 + x) * (r2 + x) - p1 * r1 * (r2 + x) - p2 * r2 * (r1 + x)
        for arrivals, exact in (
            (D, d),
            (E3, _root_in_01(e_poly)),
            (H2, _root_in_01(h_poly)),
            (M, rho),
        ):
            got = gi_m_c_sigma(rate, AHT_S, 1, arrivals)
            assert got == pytest.approx(exact, rel=1e-12), (arrivals, rho)
            r = gi_m_c_metrics(rate, AHT_S, 1, arrivals, T_S)
            assert r.p_wait == pytest.approx(exact, rel=1e-12)  # GI/M/1: P(wait) = sigma
            assert r.mean_wait_s == pytest.approx(exact * AHT_S / (1 - exact), rel=1e-11)


def _root_in_01(poly: np.polynomial.Polynomial) -> float:
    roots = [z.real for z in poly.roots() if abs(z.imag) < 1e-12 and 1e-9 < z.real < 1 - 1e-9]
    assert len(roots) == 1, poly.roots()
    return roots[0]


@pytest.mark.parametrize("c", [1, 2, 5, 10, 50, 100, 1000])
@pytest.mark.parametrize("rho", [0.3, 0.8, 0.95, 0.999])
def test_exponential_arrivals_are_erlang_c(c, rho):
    rate = rho * c / AHT_S
    r = gi_m_c_metrics(rate, AHT_S, c, M, T_S)
    e = erlang_c_metrics(rate, AHT_S, c, T_S)
    assert r.sigma == pytest.approx(rho, rel=1e-14)
    assert r.p_wait == pytest.approx(e.p_wait, rel=1e-12, abs=0)
    assert r.mean_wait_s == pytest.approx(e.mean_wait_s, rel=1e-12, abs=0)
    assert r.service_level == pytest.approx(e.service_level, rel=1e-12, abs=0)
    assert r.occupancy == e.occupancy


def test_more_regular_arrivals_wait_less():
    for c in (1, 4, 30):
        rate = 0.9 * c / AHT_S
        waits = [gi_m_c_metrics(rate, AHT_S, c, a, T_S).p_wait for a in (D, E3, M, H2)]
        assert waits == sorted(waits) and len(set(waits)) == 4, waits


def test_wait_tail_and_limits():
    r = gi_m_c_metrics(0.9 * 4 / AHT_S, AHT_S, 4, H2, T_S)
    assert r.p_wait_exceeds(0.0) == r.p_wait
    assert r.p_wait_exceeds(T_S) == pytest.approx(1.0 - r.service_level, rel=1e-14)
    assert r.mean_queue == pytest.approx(0.9 * 4 / AHT_S * r.mean_wait_s, rel=1e-15)
    unstable = gi_m_c_metrics(4 / AHT_S, AHT_S, 4, D, T_S)
    assert (unstable.p_wait, unstable.mean_wait_s, unstable.service_level) == (1.0, math.inf, 0.0)
    idle = gi_m_c_metrics(0.0, AHT_S, 4, D, T_S)
    assert (idle.p_wait, idle.mean_wait_s, idle.service_level) == (0.0, 0.0, 1.0)
    # A deterministic stream at a tiny load: sigma = exp(-1/rho) underflows, nobody waits.
    assert gi_m_c_metrics(1e-3 / AHT_S, AHT_S, 1, D, T_S).p_wait == 0.0
    assert interarrival_lst(D, 2.0, 1.0) == pytest.approx(math.exp(-2.0), rel=1e-15)
    assert interarrival_lst(E3, 2.0, 1.0) == pytest.approx((3 / 5) ** 3, rel=1e-15)


@pytest.mark.parametrize(
    "call",
    [
        lambda: gi_m_c_metrics(-1.0, AHT_S, 2, D),
        lambda: gi_m_c_metrics(0.01, 0.0, 2, D),
        lambda: gi_m_c_metrics(0.01, AHT_S, 2.5, D),
        lambda: gi_m_c_metrics(0.01, AHT_S, 2, "deterministic"),
        lambda: gi_m_c_metrics(0.01, AHT_S, 2, D, math.nan),
        lambda: gi_m_c_sigma(1.0, AHT_S, 2, D),  # unstable: no root in (0, 1)
        lambda: ArrivalProcess("erlang", k=0),
        lambda: ArrivalProcess("erlang"),
        lambda: ArrivalProcess("hyperexponential", cv=1.0),
        lambda: ArrivalProcess("hyperexponential", cv=math.inf),
        lambda: ArrivalProcess("deterministic", cv=2.0),
        lambda: ArrivalProcess("weibull"),
        lambda: gi_m_c_arrival_probabilities(0.85 * 40 / AHT_S, AHT_S, 40, D, 10),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()
