"""Renewal arrivals (``arrivals.process``): the time change that runs a stationary unit-rate
renewal process on the clock of the cumulative rate, and what it leaves alone.

* At a constant rate the gaps are the chosen inter-arrival law / rate: mean and CV.
* Across rate changes and rate-0 intervals the arrival times mapped back through the
  cumulative rate are again unit-mean renewal gaps of the chosen shape (the gap that spans a
  change is one gap in operational time), and each interval gets its volume on average, the
  first one too (the process starts stationary).
* Poisson channels keep their streams: the same customers with or without a renewal channel
  beside them, and ``process: poisson`` written out changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ccsim.config.scenario import scenario_from_config
from ccsim.engine.arrivals import poisson_arrival_times, renewal_arrival_times, sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.model.arrival_process import ArrivalProcess
from ccsim.model.centre import IntentSpec
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config
from conftest import mmc_config

D = ArrivalProcess("deterministic")
E4 = ArrivalProcess("erlang", k=4)
H2 = ArrivalProcess("hyperexponential", cv=2.5)
RENEWALS = [D, E4, H2, ArrivalProcess("erlang", k=1)]
INTERVAL_S = 1800.0


def _cv(x: np.ndarray) -> float:
    return float(np.std(x) / np.mean(x))


@pytest.mark.parametrize("process", RENEWALS, ids=lambda p: f"{p.process}{p.k or p.cv or ''}")
def test_constant_rate_gives_the_renewal_process(process):
    rate_per_s = 0.5
    n_k = 2000  # 1.8 million arrivals expected
    t, k = renewal_arrival_times(
        np.random.default_rng(7), np.full(n_k, rate_per_s), INTERVAL_S, process
    )
    assert np.all(np.diff(t) >= 0) and np.array_equal(k, (t // INTERVAL_S).astype(int))
    horizon_s = n_k * INTERVAL_S
    expected = rate_per_s * horizon_s
    # The count of a renewal process has variance ~ cv^2 x mean.
    assert abs(t.size - expected) < 5 * max(process.cv_gap, 0.01) * np.sqrt(expected) + 1
    gaps = np.diff(t)
    assert np.mean(gaps) * rate_per_s == pytest.approx(
        1.0, abs=5 * process.cv_gap / np.sqrt(t.size)
    )
    if process.cv_gap == 0:
        np.testing.assert_allclose(gaps, 1 / rate_per_s, rtol=1e-9)
    else:
        assert _cv(gaps) == pytest.approx(process.cv_gap, rel=0.02)


def _operational(t: np.ndarray, rate_per_s: np.ndarray) -> np.ndarray:
    """Arrival times mapped back through the cumulative rate (the expected count by t)."""
    edges = np.concatenate(([0.0], np.cumsum(rate_per_s * INTERVAL_S)))
    k = (t // INTERVAL_S).astype(int)
    return edges[k] + (t - k * INTERVAL_S) * rate_per_s[k]


# A forecast that jumps by a factor 8, with intervals of rate 0 between.
PROFILE_PER_S = np.tile([0.05, 0.4, 0.0, 0.1, 0.0, 0.0, 0.8], 300)


@pytest.mark.parametrize("process", [D, E4, H2], ids=lambda p: p.process)
def test_rate_changes_keep_the_shape_in_operational_time(process):
    t, k = renewal_arrival_times(np.random.default_rng(3), PROFILE_PER_S, INTERVAL_S, process)
    assert not np.isin(k, np.flatnonzero(PROFILE_PER_S == 0)).any()  # rate 0: nobody
    assert np.all((t >= k * INTERVAL_S) & (t < (k + 1) * INTERVAL_S))
    gaps = np.diff(_operational(t, PROFILE_PER_S))
    assert np.mean(gaps) == pytest.approx(1.0, abs=5 * process.cv_gap / np.sqrt(gaps.size) + 1e-9)
    if process.cv_gap == 0:
        np.testing.assert_allclose(gaps, 1.0, rtol=1e-6)  # one per unit of volume, exactly
    else:
        assert _cv(gaps) == pytest.approx(process.cv_gap, rel=0.02)


@pytest.mark.parametrize("process", [D, E4, H2], ids=lambda p: p.process)
def test_every_interval_gets_its_volume_from_the_start(process):
    """Started stationary, the first interval's mean count is its volume too (a process
    started at an arrival would put one more in, on average, for a deterministic stream)."""
    rate_per_s = np.array([0.01, 0.05, 0.0, 0.02])  # 18, 90, 0, 36 per interval
    counts = np.array(
        [
            np.bincount(
                renewal_arrival_times(np.random.default_rng(s), rate_per_s, INTERVAL_S, process)[1],
                minlength=4,
            )
            for s in range(3000)
        ]
    )
    expected = rate_per_s * INTERVAL_S
    se = np.sqrt(np.maximum(expected, 1.0) * max(process.cv_gap, 0.3) ** 2 / len(counts))
    assert np.all(np.abs(counts.mean(axis=0) - expected) < 5 * se), counts.mean(axis=0)
    assert counts[:, 2].max() == 0


def _job(preset: str, overrides: list[str]):
    return validate_config(compose_config(preset, ["run.n_jobs=1", *overrides]))


def test_poisson_channels_keep_their_customers():
    """A renewal channel draws from its own stream: every other channel's customers (times,
    intents, handle times) are the same as in the all-Poisson run."""
    base = _job("small_centre", []).centre
    voice = _job(
        "small_centre",
        [
            "centre.channels.voice.arrivals.process=hyperexponential",
            "centre.channels.voice.arrivals.cv=1.8",
        ],
    ).centre
    a, b = (sample_customers(c, RandomStreams(11, 2)) for c in (base, voice))
    v = [ch.name for ch in base.channels].index("voice")
    for c in range(len(base.channels)):
        sa, sb = a.channel == c, b.channel == c
        same = [
            np.array_equal(x[sa], y[sb])
            for x, y in ((a.arrival_s, b.arrival_s), (a.intent, b.intent), (a.handle_s, b.handle_s))
        ]
        assert all(same) == (c != v), (base.channels[c].name, same)


def test_poisson_written_out_is_the_default():
    cfg = mmc_config(300, 240, 25, horizon_h=10)
    plain = scenario_from_config(cfg).to_centre()
    spelled = scenario_from_config({**cfg, "arrivals": {"process": "poisson"}}).to_centre()
    assert plain.channels == spelled.channels
    recs = [
        simulate(c, sample_customers(c, RandomStreams(4)), RandomStreams(4))
        for c in (plain, spelled)
    ]
    assert all(
        np.array_equal(getattr(recs[0], f), getattr(recs[1], f), equal_nan=True)
        for f in ("arrival_s", "answer_s", "end_s")
    )
    # The single queue's Poisson arrivals are exactly the Poisson draws of its stream.
    direct = poisson_arrival_times(
        RandomStreams(4).stream("arrivals/voice/all"), plain.rate_per_s[0, 0], plain.interval_s
    )
    np.testing.assert_array_equal(sample_customers(plain, RandomStreams(4)).arrival_s, direct)


def test_a_renewal_channel_with_several_intents_is_one_process():
    """The channel's arrivals together are the renewal process; each interval's intents are
    drawn by their shares of that interval's rate."""
    sc = scenario_from_config(
        {**mmc_config(60, 240, 2, horizon_h=400), "arrivals": {"process": "erlang", "k": 9}}
    )
    centre = sc.to_centre()
    n_k = centre.n_intervals
    # Two intents whose shares swap every interval: 80/20, then 20/80.
    share = np.where(np.arange(n_k) % 2 == 0, 0.8, 0.2)
    rate = centre.rate_per_s[0, 0] * np.stack([share, 1 - share])
    centre = replace(centre, intents=(IntentSpec("a"), IntentSpec("b")), rate_per_s=rate[None])
    cust = sample_customers(centre, RandomStreams(8))
    gaps = np.diff(cust.arrival_s)
    assert _cv(gaps) == pytest.approx(1 / 3, rel=0.03)  # the channel's, not a thinned one's
    k = (cust.arrival_s // centre.interval_s).astype(int)
    for parity, expected in ((0, 0.8), (1, 0.2)):
        sel = k % 2 == parity
        assert np.mean(cust.intent[sel] == 0) == pytest.approx(expected, abs=0.01)
