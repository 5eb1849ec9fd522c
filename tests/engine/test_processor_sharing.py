"""Processor sharing (``service: processor_sharing``): a chat's handle time is work, done at rate
1/f_n while its agent holds n chats (``ccsim.engine.sharing``).

Checked against exact results: M/M/1-PS (mean sojourn E[S]/(1 - rho), and x/(1 - rho) given
work x), a continuous-time Markov chain of two chat agents with three slots and a finite
waiting room under the engine's own routing rule, and the work each chat was given, integrated
exactly over its agent's load. Statistical checks use independent replications and the 99%
Student-t interval of the replication values (helpers of ``test_multichannel``).
"""

from __future__ import annotations

import gc
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_multichannel import (
    ABANDONED,
    BLOCKED,
    HANDLED,
    IN_SERVICE,
    LEVEL,
    H,
    centres,
    chan,
    check_invariants,
    make_centre,
    pool,
    run,
)

from ccsim.analysis.statistics import estimate
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.sharing import SharedService
from ccsim.engine.simulation import simulate
from ccsim.errors import ConfigError
from ccsim.model.centre import PROCESSOR_SHARING, Centre, ChannelSpec, IntentSpec, SkillSpec
from ccsim.model.records import ContactRecords


def shared(ch: ChannelSpec) -> ChannelSpec:
    return replace(ch, service=PROCESSOR_SHARING)


def ci(values: list[float]) -> tuple[float, float, float]:
    e = estimate(values, LEVEL)
    return e.mean, e.ci_low, e.ci_high


# --------------------------------------------------------------------------- M/M/1-PS

LAM, ES, SLOTS = 0.007, 100.0, 50  # per s, s; rho = 0.7
RHO = LAM * ES


def test_mm1_ps_sojourn_and_sojourn_given_work():
    """One agent, 50 slots with f_n = n: egalitarian PS of one server. P(N > 50) = rho^51 =
    1.2e-8, so the slots never run out. E[T] = E[S] / (1 - rho) = 333.3 s, and
    E[T | S = x] = x / (1 - rho) at every x (checked in a bin of short and one of long chats:
    the mean of T - S / (1 - rho) over the bin is 0)."""
    assert RHO ** (SLOTS + 1) < 1e-7
    ch = shared(chan("chat", aht=ES, conc=SLOTS, factors=list(range(1, SLOTS + 1))))
    centre = make_centre(
        [ch], ["all"], [pool("p", [(0, 0)], 1)], {(0, 0): LAM * H}, n_intervals=600
    )
    sojourn, short, long_ = [], [], []
    for r in range(40):
        _, rec = run(centre, 21, r)
        sel = (rec.arrival_s >= 5 * H) & (rec.arrival_s < centre.horizon_s - 5 * H)
        assert np.all(rec.outcome[sel] == HANDLED)
        assert np.all(rec.answer_s[sel] == rec.arrival_s[sel])  # a slot is always free
        t = rec.end_s[sel] - rec.arrival_s[sel]
        x = rec.handle_s[sel]
        sojourn.append(float(t.mean()))
        gap = t - x / (1.0 - RHO)
        short.append(float(gap[x < 50.0].mean()))
        long_.append(float(gap[(x >= 200.0) & (x < 400.0)].mean()))
    m, lo, hi = ci(sojourn)
    assert lo <= ES / (1.0 - RHO) <= hi, (m, lo, hi)
    assert hi - lo < 0.06 * ES / (1.0 - RHO)
    for name, values, scale in (("short", short, 25.0), ("long", long_, 280.0)):
        m, lo, hi = ci(values)
        assert lo <= 0.0 <= hi, (name, m, lo, hi)
        assert hi - lo < 0.1 * scale / (1.0 - RHO), name  # narrow next to E[T | bin]


# --------------------------------------------------------------------------- CTMC: 2 x 3 slots


def chat_ctmc(
    agents: int, slots: int, factors: list[float], lam: float, mu: float, room: int
) -> dict[str, float]:
    """The exact chain of ``agents`` chat agents with ``slots`` slots each, PS at 1/f_n, a FIFO
    queue of at most ``room`` (arrivals beyond it are blocked), exponential work (rate ``mu``)
    and the engine's routing: an arrival goes to an idle agent, else to the first agent of the
    pool's ``partial`` dict (insertion order: an agent joins it at the end when it opens its
    first chat or gets a slot free from full, leaves it when full or empty); a freed slot takes
    the queue's head. State: (partial agents' counts in dict order, full agents, idle agents,
    queue); agents that are full, or idle, are interchangeable."""
    start = ((), 0, agents, 0)
    index: dict[Any, int] = {start: 0}
    todo, edges = [start], []

    def add(s: Any, t: Any, rate: float) -> None:
        if t not in index:
            index[t] = len(index)
            todo.append(t)
        edges.append((index[s], index[t], rate))

    def with_slots(part: tuple[int, ...], full: int, idle: int, n: int) -> tuple[Any, ...]:
        """An agent now holding n chats joins the end of the partial dict, the full or idle."""
        if n == 0:
            return part, full, idle + 1
        if n == slots:
            return part, full + 1, idle
        return (*part, n), full, idle

    while todo:
        s = todo.pop()
        part, full, idle, q = s
        assert not (q and (part or idle)), "a queue while a slot is free"
        if idle:
            add(s, (*with_slots(part, full, idle - 1, 1), q), lam)
        elif part:
            head, rest = part[0] + 1, part[1:]
            t = ((head, *rest), full, 0) if head < slots else (rest, full + 1, 0)
            add(s, (*t, q), lam)
        elif q < room:
            add(s, (part, full, idle, q + 1), lam)
        for j, n in enumerate(part):
            rate = n * mu / factors[n - 1]
            if n > 1:
                add(s, ((*part[:j], n - 1, *part[j + 1 :]), full, idle, q), rate)
            else:
                add(s, (part[:j] + part[j + 1 :], full, idle + 1, q), rate)
        if full:
            rate = full * slots * mu / factors[slots - 1]
            if q:
                add(s, (part, full, idle, q - 1), rate)  # the freed slot takes the head
            else:
                add(s, (*with_slots(part, full - 1, idle, slots - 1), 0), rate)
    states = list(index)
    gen = np.zeros((len(states), len(states)))
    for i, j, rate in edges:
        gen[i, j] += rate
        gen[i, i] -= rate
    a = np.vstack([gen.T, np.ones(len(states))])
    b = np.zeros(len(states) + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    assert np.abs(pi @ gen).max() < 1e-12 and pi.min() > -1e-12
    in_system = np.array([sum(p) + f * slots + q for p, f, _, q in states])
    queue = np.array([q for _, _, _, q in states], dtype=float)
    blocking = float(sum(pi[k] for k, s in enumerate(states) if s[3] == room))
    lam_eff = lam * (1.0 - blocking)
    L, Lq = float(pi @ in_system), float(pi @ queue)
    return {
        "L": L,
        "p_block": blocking,
        "throughput_per_h": lam_eff * H,
        "wait_s": Lq / lam_eff,
        "sojourn_s": L / lam_eff,
        "n_states": float(len(states)),
    }


def birth_death_mean(lam: float, death: list[float]) -> float:
    """Mean of a birth-death chain on 0..len(death) (``death[n-1]``: rate from n to n-1)."""
    weights = np.cumprod([1.0] + [lam / d for d in death])
    return float(np.arange(len(weights)) @ weights / weights.sum())


def test_the_chain_reduces_to_known_queues():
    """The chain's own check: one agent with f_n = n serves at rate mu whatever its load
    (M/M/1/K, K = 3 + room); factors all 1 make two agents six servers (M/M/6/K)."""
    mm1 = chat_ctmc(1, 3, [1.0, 2.0, 3.0], LAM2, MU, ROOM)
    assert mm1["L"] == pytest.approx(birth_death_mean(LAM2, [MU] * (3 + ROOM)), rel=1e-9)
    mm6 = chat_ctmc(2, 3, [1.0, 1.0, 1.0], LAM2, MU, ROOM)
    death = [min(n, 6) * MU for n in range(1, 6 + ROOM + 1)]
    assert mm6["L"] == pytest.approx(birth_death_mean(LAM2, death), rel=1e-9)


def number_in_system(rec: ContactRecords, t0: float, t1: float) -> float:
    """Time-average number of contacts waiting or in service over [t0, t1)."""
    entered = rec.outcome != BLOCKED
    start = rec.arrival_s[entered]
    stop = np.where(np.isnan(rec.end_s[entered]), rec.horizon_s, rec.end_s[entered])
    overlap = np.clip(np.minimum(stop, t1) - np.maximum(start, t0), 0.0, None)
    return float(overlap.sum() / (t1 - t0))


FACTORS = [1.0, 1.6, 2.1]
MU, LAM2, ROOM = 1.0 / 240.0, 0.01, 4


def test_two_chat_agents_match_their_markov_chain():
    """c = 2 agents, k = 3 slots, factors [1, 1.6, 2.1] (three chats take 2.1 x as long each,
    not 3 x: multitasking gains), exponential work of 240 s, 36 chats/h, a waiting room of 4,
    no abandonment. Mean number in system (time average), blocking, throughput, mean wait and
    mean sojourn against the chain's, within 99% intervals."""
    exact = chat_ctmc(2, 3, FACTORS, LAM2, MU, ROOM)
    ch = shared(chan("chat", aht=1.0 / MU, conc=3, factors=FACTORS, room=ROOM))
    centre = make_centre(
        [ch], ["all"], [pool("p", [(0, 0)], 2)], {(0, 0): LAM2 * H}, n_intervals=200
    )
    t0, t1 = 4 * H, centre.horizon_s - 4 * H
    got: dict[str, list[float]] = {k: [] for k in exact if k != "n_states"}
    for r in range(30):
        _, rec = run(centre, 31, r)
        sel = (rec.arrival_s >= t0) & (rec.arrival_s < t1)
        accepted = sel & (rec.outcome != BLOCKED)
        assert np.all(rec.outcome[accepted] == HANDLED)
        got["L"].append(number_in_system(rec, t0, t1))
        got["p_block"].append(float(np.mean(rec.outcome[sel] == BLOCKED)))
        ended = (rec.end_s >= t0) & (rec.end_s < t1) & (rec.outcome == HANDLED)
        got["throughput_per_h"].append(float(ended.sum() / (t1 - t0) * H))
        got["wait_s"].append(float((rec.answer_s - rec.arrival_s)[accepted].mean()))
        got["sojourn_s"].append(float((rec.end_s - rec.arrival_s)[accepted].mean()))
    for key, values in got.items():
        m, lo, hi = ci(values)
        assert lo <= exact[key] <= hi, (key, exact[key], m, lo, hi)
        assert hi - lo < (0.02 if key == "p_block" else 0.1 * exact[key]), (key, hi - lo)


# --------------------------------------------------------------------------- exact work


def test_each_chat_gets_exactly_its_work_over_shift_cuts_and_channel_switches():
    """One agent at a time (15-min intervals of 1, 0, 1, ... heads: cuts mid-chat, after which
    the agent finishes its chats, and heads back while it still has some, when it stays) serves
    chat (PS, factors [1, 1.6, 2.1]) and voice (fixed, factor 1.2), with an intent factor and a
    proficiency. Integrating 1/f_n(t) over each handled chat's time in service, n(t) the
    agent's open chats, gives exactly its work; voice calls take their fixed duration; chats
    still open at the horizon have work left."""
    chat = shared(chan("chat", aht=300.0, conc=3, factors=FACTORS))
    voice = chan("voice", aht=200.0, factors=[1.2])
    heads = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1]
    skills = [SkillSpec(0, 0, 0.8), SkillSpec(1, 0, 1.3)]
    centre = make_centre(
        [chat, voice],
        [IntentSpec("all", handle_factor=1.5)],
        [pool("p", skills, heads)],
        {(0, 0): 24.0, (1, 0): 4.0},
        n_intervals=len(heads),
        interval_s=900.0,
    )
    customers, rec = run(centre, 1)
    check_invariants(centre, customers, rec)
    answered = ~np.isnan(rec.answer_s)
    start = rec.answer_s[answered]
    stop = np.where(np.isnan(rec.end_s[answered]), centre.horizon_s, rec.end_s[answered])
    on_chat = rec.channel[answered] == 0
    # What the seed must cover: chats open across cuts (drained) and across heads coming back
    # (the draining agent stays), and at the horizon.
    bounds = np.arange(1, len(heads)) * 900.0
    open_at = ((start[None, :] < bounds[:, None]) & (stop[None, :] > bounds[:, None])).sum(1)
    step = np.diff(heads)
    assert np.sum((step < 0) & (open_at > 0)) >= 2 and np.sum((step > 0) & (open_at > 0)) >= 2
    still = on_chat & (rec.outcome[answered] == IN_SERVICE)
    assert still.any()
    # n(t) on each piece between consecutive starts and ends; one agent holds all of them.
    times = np.unique(np.concatenate([start, stop, [0.0, centre.horizon_s]]))
    mid = (times[:-1] + times[1:]) / 2

    def open_count(sel: np.ndarray) -> np.ndarray:
        return ((start[sel][None, :] < mid[:, None]) & (stop[sel][None, :] > mid[:, None])).sum(1)

    chats, calls = open_count(on_chat), open_count(~on_chat)
    assert chats.max() == 3 and calls.max() == 1  # the slots were all used
    assert not np.any((chats > 0) & (calls > 0)), "one channel at a time"
    pace = np.zeros(len(mid))
    pace[chats > 0] = 1.0 / np.asarray(FACTORS)[chats[chats > 0] - 1]
    done = np.concatenate([[0.0], np.cumsum(pace * np.diff(times))])  # each open chat's work
    work = np.interp(stop, times, done) - np.interp(start, times, done)
    base = rec.handle_s[answered] * 1.5
    finished = rec.outcome[answered] == HANDLED
    sel = on_chat & finished
    np.testing.assert_allclose(work[sel], base[sel] * 0.8, rtol=1e-9, atol=1e-6)
    sel = ~on_chat & finished
    np.testing.assert_allclose(stop[sel] - start[sel], base[sel] * 1.3 * 1.2, rtol=1e-12)
    assert np.all(work[still] < base[still] * 0.8)


# --------------------------------------------------------------------------- invariants


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=centres())
def test_invariants_over_random_centres_with_shared_chats(case):
    """Every channel processor-sharing, in random centres (staffing cuts, pools serving several
    channels, overflow, retries, repeats, chasers, both routers): conservation per channel x
    intent x interval, outcomes consistent with times, each time in service between the fastest
    and the slowest pace, waiting rooms, follow-ups and staffed capacity (``check_invariants``)."""
    centre, seed = case
    centre = replace(centre, channels=tuple(shared(ch) for ch in centre.channels))
    customers, rec = run(centre, seed)
    check_invariants(centre, customers, rec)


def test_same_seed_same_records_and_conservation():
    chat = shared(chan("chat", aht=300.0, conc=3, factors=FACTORS, patience=120.0, room=5))
    centre = make_centre(
        [chat], ["all"], [pool("p", [(0, 0)], [3, 2, 4, 1])], {(0, 0): 60.0}, n_intervals=4
    )
    _, a = run(centre, 9)
    _, b = run(centre, 9)
    _, c = run(centre, 10)
    for name in ("arrival_s", "answer_s", "end_s", "outcome", "pool", "handle_s"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.arrival_s[:10], c.arrival_s[:10])
    counts = np.bincount(a.outcome, minlength=5)
    assert counts.sum() == len(a) and counts[HANDLED] > 0 and counts[ABANDONED] > 0


def test_equal_factors_share_nothing():
    """With every factor f, a chat's pace is 1/f whatever the load: the records of fixed
    durations (handle x f), to rounding; at concurrency 1 the service is the fixed one."""

    def centre(service: str, factors: list[float]) -> Centre:
        ch = replace(
            chan("chat", aht=300.0, conc=len(factors), factors=factors, patience=90.0),
            service=service,
        )
        return make_centre([ch], ["all"], [pool("p", [(0, 0)], 3)], {(0, 0): 50.0}, n_intervals=6)

    _, fixed = run(centre("fixed", [1.3, 1.3, 1.3]), 3)
    _, ps = run(centre(PROCESSOR_SHARING, [1.3, 1.3, 1.3]), 3)
    np.testing.assert_array_equal(fixed.outcome, ps.outcome)
    np.testing.assert_allclose(fixed.answer_s, ps.answer_s, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(fixed.end_s, ps.end_s, rtol=1e-12, equal_nan=True)
    _, fixed = run(centre("fixed", [1.3]), 3)
    _, ps = run(centre(PROCESSOR_SHARING, [1.3]), 3)
    for name in ("answer_s", "end_s", "outcome"):
        np.testing.assert_array_equal(getattr(fixed, name), getattr(ps, name))


# --------------------------------------------------------------------------- config, memory


def test_service_key(compose_cfg):
    from ccsim.runs.job import validate_config

    job = validate_config(
        compose_cfg("scenario=small_centre", "centre.channels.chat.service=processor_sharing")
    )
    assert [ch.service for ch in job.centre.channels] == ["fixed", PROCESSOR_SHARING, "fixed"]
    with pytest.raises(ConfigError, match=r"centre\.channels\.chat\.service.*processor_sharing"):
        validate_config(compose_cfg("scenario=small_centre", "centre.channels.chat.service=shared"))


def test_service_is_recorded_only_when_not_fixed():
    """A config with every channel ``fixed`` records (summary.json, config digest) as before the
    key existed; ``processor_sharing`` is recorded."""
    from ccsim.config.recorded import without_quiet_defaults
    from ccsim.runs.presets import compose_config

    raw = compose_config("small_centre")
    assert raw["centre"]["channels"]["chat"]["service"] == "fixed"
    recorded = without_quiet_defaults(raw)["centre"]["channels"]
    assert all("service" not in ch for ch in recorded.values())
    ps = compose_config("small_centre", ["centre.channels.chat.service=processor_sharing"])
    recorded = without_quiet_defaults(ps)["centre"]["channels"]
    assert recorded["chat"]["service"] == PROCESSOR_SHARING and "service" not in recorded["voice"]


def test_a_shared_run_leaves_nothing_for_the_garbage_collector(compose_cfg):
    """The sharing service refers to the core (its service end) and the core to it: closing the
    run breaks that, so reference counting frees both (``Simulation.close``)."""
    from ccsim.engine.core import Core
    from ccsim.runs.job import validate_config

    cfg = compose_cfg("scenario=small_centre", "centre.channels.chat.service=processor_sharing")
    centre = validate_config(cfg).centre
    streams = RandomStreams(4)
    customers = sample_customers(centre, streams)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert len(simulate(centre, customers, streams)) > 0
        gc.collect()
        assert [type(o) for o in gc.garbage if isinstance(o, Core | SharedService)] == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        (gc.enable if enabled else gc.disable)()
