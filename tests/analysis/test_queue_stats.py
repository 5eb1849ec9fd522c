"""Queue statistics (issue 22) against their exact values on M/M/c, M/M/c+M and M/M/c/K: the
time-average numbers in queue and in system, the state probabilities and the virtual-wait
service level, each inside the 99% confidence interval of fixed-seed replications; the exact
values come from the birth-death chain, solved here on its own."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.linalg import expm

from ccsim.analysis.contact_flags import ContactFlags
from ccsim.analysis.queue_stats import overlap_s, queue_totals, state_probabilities
from ccsim.analysis.statistics import estimate, ratio_estimate
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.runs.job import validate_config
from conftest import mmc_config

T = 20.0
REPS = 8


def birth_death(lam: float, mu: float, c: int, theta: float, k_max: int) -> np.ndarray:
    """Stationary P(N = n), n = 0..k_max, of M/M/c+M truncated at k_max (the waiting room)."""
    log_p = [0.0]
    for n in range(1, k_max + 1):
        log_p.append(log_p[-1] + math.log(lam / (min(n, c) * mu + max(n - c, 0) * theta)))
    p = np.exp(np.array(log_p) - max(log_p))
    return p / p.sum()


def p_virtual_le(p: np.ndarray, mu: float, c: int, theta: float, t: float, k: int) -> float:
    """P(an infinitely patient arrival is admitted and waits <= t): it sees n with probability
    p[n] (PASTA); if n >= c it waits for n - c + 1 advances of the queue ahead, at rates
    c mu + j theta (j ahead of it), a hypoexponential time, here by the matrix exponential."""
    total = float(p[:c].sum())
    for n in range(c, min(k, len(p))):  # n = k: blocked
        rates = [c * mu + j * theta for j in range(n - c, -1, -1)]
        m = len(rates)
        q = np.zeros((m + 1, m + 1))
        for i, r in enumerate(rates):
            q[i, i], q[i, i + 1] = -r, r
        total += float(p[n] * expm(q * t)[0, m])
        if p[n] < 1e-15:
            break
    return total


def _replications(cfg: dict) -> tuple[list[dict], list[np.ndarray]]:
    job = validate_config(cfg)
    totals, probs = [], []
    for r in range(REPS):
        streams = RandomStreams(job.settings.seed, r)
        rec = simulate(job.centre, sample_customers(job.centre, streams), streams)
        totals.append(queue_totals(job.centre, rec, job.settings.warmup_s))
        probs.append(state_probabilities(job.centre, rec, job.settings.warmup_s))
    return totals, probs


def _inside_99(values: list[float], exact: float) -> None:
    e = estimate(values, level=0.99)
    assert e.ci_low <= exact <= e.ci_high, (e, exact)


@pytest.mark.parametrize(
    ("rate_per_h", "aht_s", "agents", "patience_s", "room"),
    [
        (360, 240, 27, None, None),  # M/M/c (Erlang C), rho 0.89
        (360, 240, 24, 180.0, None),  # M/M/c+M (Erlang A), overloaded
        (100, 300, 8, None, 4),  # M/M/c/K: 4 places in the waiting room
        (100, 300, 8, 240.0, 6),  # M/M/c/K+M
    ],
)
def test_queue_statistics_match_the_birth_death_chain(rate_per_h, aht_s, agents, patience_s, room):
    cfg = {
        "scenario": mmc_config(
            rate_per_h, aht_s, agents, patience_s=patience_s, waiting_room=room, horizon_h=120
        ),
        "run": {"seed": 11, "warmup_min": 60},
    }
    lam, mu = rate_per_h / 3600.0, 1.0 / aht_s
    theta = 0.0 if patience_s is None else 1.0 / patience_s
    k = agents + room if room is not None else 1500
    p = birth_death(lam, mu, agents, theta, k)
    n = np.arange(p.size)
    totals, probs = _replications(cfg)
    _inside_99([t["mean_in_system"] for t in totals], float((p * n).sum()))
    _inside_99([t["mean_in_queue"] for t in totals], float((p * np.maximum(n - agents, 0)).sum()))
    exact_v = p_virtual_le(p, mu, agents, theta, T, k if room is not None else p.size)
    _inside_99([t["sl_virtual_wait_le_t"] for t in totals], exact_v)
    # States that a run of this length visits often enough to estimate (P >= 0.1%).
    states = [s for s in (0, 1, agents // 2, agents - 1, agents, agents + 2) if p[s] >= 1e-3]
    assert len(states) >= 3
    for state in states:
        sim = [float(q[state]) if state < q.size else 0.0 for q in probs]
        _inside_99(sim, float(p[state]))
    assert all(abs(q.sum() - 1.0) < 1e-9 for q in probs)


def test_virtual_wait_is_the_wait_when_nobody_abandons():
    cfg = {"scenario": mmc_config(360, 240, 28, horizon_h=20), "run": {"seed": 2}}
    job = validate_config(cfg)
    streams = RandomStreams(2, 0)
    rec = simulate(job.centre, sample_customers(job.centre, streams), streams)
    t = queue_totals(job.centre, rec, 0.0)
    f = ContactFlags(job.centre, rec)
    answered = f.answered_live
    assert t["virtual_wait_s"] == pytest.approx(float(f.wait[answered].mean()))
    assert t["abandoned_within_t"] == t["abandoned_after_t"] == 0.0
    # No retries: a customer's wait is its one contact's.
    assert t["customer_wait_s"] == pytest.approx(float(f.wait[f.live].mean()))


def test_overlap_counts_each_span_once_per_interval():
    edges = np.array([0.0, 10.0, 20.0, 30.0])
    got = overlap_s(np.array([5.0, 0.0, 12.0]), np.array([25.0, 30.0, 13.0]), edges)
    assert np.allclose(got, [5 + 10, 10 + 10 + 1, 5 + 10])


def test_ratio_of_totals_and_its_interval():
    x = np.array([80.0, 45.0, 160.0, 70.0])
    y = np.array([100.0, 50.0, 200.0, 90.0])
    e = ratio_estimate(x, y, level=0.95)
    assert e.mean == pytest.approx(x.sum() / y.sum())
    resid = x - e.mean * y
    half = stats.t.ppf(0.975, 3) * resid.std(ddof=1) / (2 * y.mean())
    assert e.ci_high - e.mean == pytest.approx(half)
    # The mean of ratios weighs each replication once: here it differs.
    assert estimate(x / y).mean != pytest.approx(e.mean)
    assert math.isnan(ratio_estimate([1.0], [0.0]).mean)
