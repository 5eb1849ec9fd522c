"""M/M/c+G (ccsim.analysis.erlang_g) against Erlang A, its limits and a direct evaluation.

* Exponential patience is Erlang A: every measure to 1e-9 relative (measured: about 1e-14),
  and so are the other families at their exponential member (gamma and balanced H2, cv = 1).
* Uniform and hyperexponential patience: against the Zeltyn & Mandelbaum form of P(Ab),
  ``(1 + (lambda - c mu) J) / (epsilon + lambda J)``, evaluated here directly (one
  ``quad`` on [0, inf) without scaling, for moderate parameters): a second route to the same
  numbers that shares no code with the module.
* Limits: a narrow uniform tends to deterministic patience, a very patient one to Erlang C.
"""

from __future__ import annotations

import math

import pytest
from scipy import integrate, special

from ccsim.analysis.erlang import erlang_b, erlang_c_metrics
from ccsim.analysis.erlang_a import erlang_a_metrics
from ccsim.analysis.erlang_g import mmcg_metrics
from ccsim.model.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Hyperexponential,
    Lognormal,
    Uniform,
)

FIELDS = ("p_wait", "p_abandon", "mean_wait_s", "sl_answered_within_t", "occupancy")

# (arrival rate /s, aht s, agents, mean patience s, target s): light to heavily overloaded,
# one to a thousand agents, impatient to very patient customers.
ERLANG_A_CASES = [
    (0.1, 60.0, 5, 100.0, 20.0),
    (1.1 * 10 / 60, 60.0, 10, 120.0, 20.0),
    (0.95 * 100 / 60, 60.0, 100, 300.0, 20.0),
    (2.0, 300.0, 500, 30.0, 10.0),
    (0.01, 60.0, 1, 6000.0, 20.0),
    (1.0, 60.0, 50, 1e5, 20.0),
    (5.0, 60.0, 1000, 1.0, 5.0),
    (0.5, 60.0, 40, 60.0, 0.0),
    (3.0, 200.0, 400, 5000.0, 20.0),
]


def _close(got: float, want: float, rel: float) -> bool:
    return abs(got - want) <= rel * abs(want) + 1e-300


@pytest.mark.parametrize("lam,aht,c,patience,t", ERLANG_A_CASES)
def test_exponential_patience_is_erlang_a(lam, aht, c, patience, t):
    want = erlang_a_metrics(lam, aht, c, patience, t)
    for dist in (
        Exponential(patience),
        Gamma(patience, 1.0),
        Hyperexponential.balanced(patience, 1.0),
        Hyperexponential((0.4, 0.6), (patience, patience)),
    ):
        got = mmcg_metrics(lam, aht, c, dist, t)
        bad = [
            f"{k}: {getattr(got, k)!r} vs Erlang A {getattr(want, k)!r}"
            for k in FIELDS
            if not _close(getattr(got, k), getattr(want, k), 1e-9)
        ]
        assert not bad, f"{dist}: " + "; ".join(bad)


def _direct_p_abandon(lam: float, aht: float, c: int, survival, integrated) -> float:
    """Zeltyn & Mandelbaum (2005), eq. for P(Ab): (1 + (lambda - c mu) J) / (eps + lambda J)
    with eps = 1 / E_B(c - 1, a) and J = int_0^inf exp(lambda H(x) - c mu x) dx."""
    mu_c = c / aht
    j = integrate.quad(
        lambda x: math.exp(lam * integrated(x) - mu_c * x), 0.0, math.inf, epsabs=0, epsrel=1e-12
    )[0]
    eps = 1.0 / erlang_b(lam * aht, c - 1) if c > 1 else 1.0
    return (1.0 + (lam - mu_c) * j) / (eps + lam * j)


def _uniform_tail(low: float, high: float):
    def h(x: float) -> float:
        if x <= low:
            return x
        if x >= high:
            return (low + high) / 2
        return x - (x - low) ** 2 / (2 * (high - low))

    return (lambda x: min(1.0, max(0.0, (high - x) / (high - low)))), h


def _h2_tail(p, m):
    return (
        lambda x: p[0] * math.exp(-x / m[0]) + p[1] * math.exp(-x / m[1]),
        lambda x: p[0] * m[0] * (1 - math.exp(-x / m[0])) + p[1] * m[1] * (1 - math.exp(-x / m[1])),
    )


_H2_CV2 = Hyperexponential.balanced(60.0, 2.0)


@pytest.mark.parametrize(
    "lam,aht,c",
    [(0.9 / 60, 60.0, 1), (0.95 * 10 / 60, 60.0, 10), (1.2 * 10 / 60, 60.0, 10), (0.1, 180.0, 20)],
)
@pytest.mark.parametrize(
    "dist,tail",
    [
        (Uniform(0.0, 120.0), _uniform_tail(0.0, 120.0)),
        (Uniform(30.0, 90.0), _uniform_tail(30.0, 90.0)),
        (Hyperexponential((0.3, 0.7), (10.0, 200.0)), _h2_tail((0.3, 0.7), (10.0, 200.0))),
        (_H2_CV2, _h2_tail(_H2_CV2.probabilities, _H2_CV2.means)),
    ],
    ids=["uniform0-120", "uniform30-90", "h2-explicit", "h2-cv2"],
)
def test_general_patience_matches_the_direct_formula(lam, aht, c, dist, tail):
    got = mmcg_metrics(lam, aht, c, dist, 20.0)
    want = _direct_p_abandon(lam, aht, c, *tail)
    assert got.p_abandon == pytest.approx(want, rel=1e-8)
    # Rate balance holds by construction; Little's law bounds the mean wait by the patience.
    assert 0.0 < got.p_abandon < got.p_wait < 1.0
    assert 0.0 < got.mean_wait_s < dist.mean_s


def test_limits():
    lam, aht, c = 1.05 * 10 / 60, 60.0, 10
    # A narrow uniform is nearly deterministic: P(Ab) is continuous in the patience law.
    det = mmcg_metrics(lam, aht, c, Deterministic(60.0), 20.0)
    narrow = mmcg_metrics(lam, aht, c, Uniform(59.999, 60.001), 20.0)
    assert narrow.p_abandon == pytest.approx(det.p_abandon, rel=1e-5)
    # One-point empirical patience is the deterministic one.
    emp = mmcg_metrics(lam, aht, c, Empirical((60.0,)), 20.0)
    for k in FIELDS:
        assert getattr(emp, k) == pytest.approx(getattr(det, k), rel=1e-9)
    # Very patient customers: Erlang C (stable load).
    lam = 0.8 * 10 / 60
    erl_c = erlang_c_metrics(lam, aht, c, 20.0)
    patient = mmcg_metrics(lam, aht, c, Uniform(1e7, 2e7), 20.0)
    assert patient.p_abandon == 0.0
    assert patient.p_wait == pytest.approx(erl_c.p_wait, rel=1e-9)
    assert patient.mean_wait_s == pytest.approx(erl_c.mean_wait_s, rel=1e-9)
    assert patient.sl_answered_within_t == pytest.approx(erl_c.service_level, rel=1e-9)


_SIGMA = math.sqrt(math.log(3.25))  # lognormal of mean 60 s and cv 1.5: sigma^2 = log(1 + cv^2)
_MU = math.log(60.0) - _SIGMA**2 / 2


@pytest.mark.parametrize(
    "dist,survival",
    [
        (
            Lognormal(60.0, 1.5),
            lambda x: (
                0.5 * math.erfc((math.log(x) - _MU) / (_SIGMA * math.sqrt(2))) if x > 0 else 1.0
            ),
        ),
        (Gamma(60.0, 0.5), lambda x: float(special.gammaincc(4.0, x / 15.0))),
    ],
    ids=["lognormal", "gamma"],
)
def test_lognormal_and_gamma_patience_match_the_direct_formula(dist, survival):
    """Their H(x) against the integral of the survival function (nested quad)."""
    lam, aht, c = 1.1 * 10 / 60, 60.0, 10

    def integrated(x: float) -> float:
        return integrate.quad(survival, 0.0, x, epsabs=0, epsrel=1e-11)[0]

    got = mmcg_metrics(lam, aht, c, dist, 20.0)
    want = _direct_p_abandon(lam, aht, c, survival, integrated)
    assert got.p_abandon == pytest.approx(want, rel=1e-8)


def test_edge_cases_and_large_systems():
    h2 = Hyperexponential.balanced(120.0, 3.0)
    assert mmcg_metrics(0.0, 60.0, 5, h2, 20.0).p_wait == 0.0
    none = mmcg_metrics(0.1, 60.0, 0, h2, 20.0)
    assert (none.p_abandon, none.mean_wait_s, none.occupancy) == (1.0, h2.mean_s, 0.0)
    # lambda E[tau] = 2,400: exp(phi) alone would overflow a float many times over.
    big = mmcg_metrics(20.0, 300.0, 5000, Uniform(0.0, 240.0), 20.0)
    assert all(math.isfinite(getattr(big, k)) for k in FIELDS)
    assert 0.15 < big.p_abandon < 0.25  # fluid limit: 1 - 5000 / 6000 of the load is lost


@pytest.mark.parametrize(
    "args,match",
    [
        ((-1.0, 60.0, 5, Exponential(60.0), 20.0), "arrival_rate_per_s"),
        ((1.0, 0.0, 5, Exponential(60.0), 20.0), "aht_s"),
        ((1.0, 60.0, -1, Exponential(60.0), 20.0), "agents"),
        ((1.0, 60.0, 5, Exponential(60.0), math.nan), "target_s"),
        ((1.0, 60.0, 5, 60.0, 20.0), "patience"),
    ],
)
def test_invalid_arguments_raise_value_error(args, match):
    with pytest.raises(ValueError, match=match):
        mmcg_metrics(*args)
