"""The multichannel engine, driven directly with hand-built ``Centre`` objects (no configs).

Invariants over random centres (hypothesis), the Erlang models through a genuinely multichannel
centre, chat concurrency, pooling, priorities, overflow, async backlogs, customer behaviour
(retries, repeats, chasers) and determinism with common random numbers.

Statistical checks use independent replications (fixed seeds) and the 99% Student-t interval of
the replication values from :func:`ccsim.analysis.statistics.estimate`: the tolerance is the
replications' own spread. Times are in seconds.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import replace
from typing import Any, Callable, Sequence

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccsim.analysis.erlang import erlang_c_metrics
from ccsim.analysis.erlang_a import erlang_a_metrics
from ccsim.analysis.statistics import Estimate, estimate
from ccsim.engine.arrivals import Customers, sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.routing import FifoRouter, SkillsPriorityRouter
from ccsim.engine.simulation import simulate
from ccsim.model.centre import (
    ASYNC,
    PROCESSOR_SHARING,
    SYNC,
    BehaviourSpec,
    Centre,
    ChannelSpec,
    IntentSpec,
    PoolSpec,
    SkillSpec,
    no_behaviour,
)
from ccsim.model.distributions import Deterministic, Distribution, Exponential, Lognormal
from ccsim.model.records import ContactKind, ContactRecords, Outcome

H = 3600.0
EPS = 1e-6  # seconds: float slack on event times
LEVEL = 0.99

NEW, RETRY, REPEAT, CHASER = (int(k) for k in list(ContactKind)[:4])
WAITING, IN_SERVICE, HANDLED, ABANDONED, BLOCKED = (int(o) for o in list(Outcome)[:5])


# --------------------------------------------------------------------------- building centres


def chan(
    name: str,
    mode: str = SYNC,
    *,
    aht: float = 300.0,
    handle: Distribution | None = None,
    conc: int = 1,
    factors: Sequence[float] | None = None,
    patience: float | Distribution | None = None,
    room: int | None = None,
    target: float = 20.0,
    priority: int = 0,
) -> ChannelSpec:
    """A channel; a number for ``patience`` means exponential patience with that mean."""
    if isinstance(patience, (int, float)):
        patience = Exponential(float(patience))
    return ChannelSpec(
        name=name,
        mode=mode,
        concurrency=conc,
        handle_time=handle if handle is not None else Exponential(aht),
        concurrency_factors=tuple(factors) if factors is not None else (1.0,) * conc,
        patience=patience,
        waiting_room=room,
        target_s=target,
        target_service_level=0.8,
        priority=priority,
    )


def pool(name: str, skills: Sequence[Any], agents: int | Sequence[int]) -> PoolSpec:
    """``skills``: (channel, intent) pairs or :class:`SkillSpec`; ``agents``: a constant or one
    headcount per interval (a constant is expanded by :func:`make_centre`)."""
    specs = tuple(s if isinstance(s, SkillSpec) else SkillSpec(*s) for s in skills)
    heads = np.atleast_1d(np.asarray(agents, dtype=np.int64))
    return PoolSpec(name, specs, heads, heads, 0.0)


def make_centre(
    channels: Sequence[ChannelSpec],
    intents: Sequence[IntentSpec | str],
    pools: Sequence[PoolSpec],
    rates_per_h: dict[tuple[int, int], float | Sequence[float]],
    *,
    n_intervals: int = 1,
    interval_s: float = H,
    behaviour: BehaviourSpec | None = None,
) -> Centre:
    """A centre on ``n_intervals`` equal intervals; ``rates_per_h[(c, j)]`` is a constant or
    one rate per interval; (channel, intent) pairs not listed get no arrivals."""
    intents = tuple(IntentSpec(i) if isinstance(i, str) else i for i in intents)
    rate = np.zeros((len(channels), len(intents), n_intervals))
    for (c, j), r in rates_per_h.items():
        rate[c, j] = np.broadcast_to(np.asarray(r, dtype=np.float64) / H, (n_intervals,))
    full = []
    for p in pools:
        heads = np.broadcast_to(p.agents_on_phone, (n_intervals,)).copy()
        full.append(replace(p, agents_scheduled=heads, agents_on_phone=heads))
    return Centre(
        name="test",
        description="",
        horizon_s=n_intervals * interval_s,
        interval_s=interval_s,
        clock_start_h=0.0,
        channels=tuple(channels),
        intents=intents,
        pools=tuple(full),
        behaviour=behaviour if behaviour is not None else no_behaviour(len(channels)),
        rate_per_s=rate,
    )


def behaviour(
    n_ch: int,
    *,
    retry_prob: Sequence[float] | None = None,
    retry_delay: float | None = None,
    retry_switch: Any = None,
    repeat_delay: float | None = None,
    repeat_switch: Any = None,
    chaser: int | None = None,
    overflow_s: float = 0.0,
) -> BehaviourSpec:
    eye = np.eye(n_ch)
    return BehaviourSpec(
        retry_prob=np.asarray(retry_prob if retry_prob is not None else [0.0] * n_ch, float),
        retry_delay=Exponential(retry_delay) if retry_delay else None,
        retry_switch=np.asarray(retry_switch, float) if retry_switch is not None else eye,
        repeat_delay=Exponential(repeat_delay) if repeat_delay else None,
        repeat_switch=np.asarray(repeat_switch, float) if repeat_switch is not None else eye,
        chaser_channel=chaser,
        overflow_s=overflow_s,
    )


def run(centre: Centre, seed: int = 1, rep: int = 0) -> tuple[Customers, ContactRecords]:
    streams = RandomStreams(seed, rep)
    customers = sample_customers(centre, streams)
    return customers, simulate(centre, customers, streams)


def replicate(
    centre: Centre, metric: Callable[[ContactRecords], Any], reps: int, seed: int = 1
) -> list[Any]:
    return [metric(run(centre, seed, r)[1]) for r in range(reps)]


def inside(e: Estimate, value: float) -> bool:
    return e.ci_low <= value <= e.ci_high


def assert_matches(values: Sequence[float], expected: float, what: str, max_half: float) -> None:
    """``expected`` inside the 99% interval, and the interval narrow enough to mean something."""
    e = estimate(values, LEVEL)
    assert inside(e, expected), (
        f"{what}: expected {expected:.5g} outside [{e.ci_low:.5g}, {e.ci_high:.5g}]"
    )
    assert e.half_width < max_half, f"{what}: interval too wide ({e.half_width:.3g})"


def queue_metrics(rec: ContactRecords, sel: np.ndarray, target_s: float) -> dict[str, float]:
    """Per-replication Erlang-style measures over the contacts ``sel``."""
    wait = rec.wait_s[sel]
    answered = ~np.isnan(rec.answer_s[sel])
    return {
        "p_abandon": float(np.mean(rec.outcome[sel] == ABANDONED)),
        "p_wait": float(np.mean(wait > 0)),
        "sl": float(np.mean(answered & (wait <= target_s))),
        "mean_wait": float(np.mean(wait)),
    }


def window(rec: ContactRecords, start_s: float, stop_s: float) -> np.ndarray:
    return (rec.arrival_s >= start_s) & (rec.arrival_s < stop_s)


# --------------------------------------------------------------------------- invariants


def check_invariants(centre: Centre, customers: Customers, rec: ContactRecords) -> None:
    """Everything that must hold for any centre, whatever the random draws."""
    chans, intents, pools, b = centre.channels, centre.intents, centre.pools, centre.behaviour
    n_ch, n_in, n_k = centre.rate_per_s.shape
    horizon = centre.horizon_s
    n, nb = len(rec), len(customers.arrival_s)
    arr, ans, end, out = rec.arrival_s, rec.answer_s, rec.end_s, rec.outcome
    c_of, j_of, kind = rec.channel.astype(np.int64), rec.intent.astype(np.int64), rec.kind
    cust = rec.customer.astype(np.int64)

    # -- the customers who came of their own accord are the first rows, unchanged
    assert n >= nb
    np.testing.assert_array_equal(arr[:nb], customers.arrival_s)
    np.testing.assert_array_equal(c_of[:nb], customers.channel)
    np.testing.assert_array_equal(j_of[:nb], customers.intent)
    np.testing.assert_array_equal(rec.handle_s[:nb], customers.handle_s)
    np.testing.assert_array_equal(rec.patience_s[:nb], customers.patience_s)
    assert np.all(kind[:nb] == NEW) and np.all(kind[nb:] != NEW)
    np.testing.assert_array_equal(cust[:nb], np.arange(nb))
    assert np.all((arr >= 0) & (arr < horizon))
    for col in (rec.handle_s, rec.patience_s, arr, out, c_of, j_of, kind, cust, rec.pool):
        assert len(col) == n

    # -- exactly one outcome each, and conservation per channel x intent x arrival interval
    assert np.isin(out, [int(o) for o in Outcome]).all()
    k_of = np.minimum((arr // centre.interval_s).astype(np.int64), n_k - 1)
    cell = np.ravel_multi_index((c_of, j_of, k_of), (n_ch, n_in, n_k))

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cell[mask], minlength=n_ch * n_in * n_k)

    in_system = (out == WAITING) | (out == IN_SERVICE)
    parts = count(out == HANDLED) + count(out == ABANDONED) + count(out == BLOCKED)
    np.testing.assert_array_equal(count(np.ones(n, bool)), parts + count(in_system))
    # The outcome agrees with the times recorded.
    answered = (out == HANDLED) | (out == IN_SERVICE)
    assert np.all(np.isnan(ans) == ~answered)
    assert np.all(np.isnan(end) == in_system)
    assert np.all(ans[answered] >= arr[answered] - EPS), "answered before arriving"
    assert np.all(ans[answered] < horizon)
    assert np.all(end[~in_system] < horizon)

    # -- per-contact factors: handle time = base x intent factor x proficiency x concurrency
    skill = np.zeros((len(pools), n_ch, n_in), dtype=np.int8)  # 0 none, 1 primary, 2 secondary
    prof = np.ones((len(pools), n_ch, n_in))
    for p, pl in enumerate(pools):
        for s in pl.skills:
            skill[p, s.channel, s.intent] = 2 if s.secondary else 1
            prof[p, s.channel, s.intent] = s.proficiency
    scale = np.ones((n_ch, n_in)) if centre.handle_scale is None else centre.handle_scale
    hf = np.array([it.handle_factor for it in intents])[None, :] * scale  # [c, j]
    pool_of = rec.pool.astype(np.int64)
    for i in np.flatnonzero(answered):
        p, c, j = pool_of[i], c_of[i], j_of[i]
        assert 0 <= p < len(pools) and skill[p, c, j] != 0, "answered by a pool without the skill"
        if skill[p, c, j] == 2:  # only a secondary skill: the contact had to overflow first
            assert ans[i] - arr[i] >= b.overflow_s - EPS
        base = rec.handle_s[i] * hf[c, j] * prof[p, c, j]
        factors = np.asarray(chans[c].concurrency_factors[: chans[c].concurrency])
        if out[i] == HANDLED and chans[c].service == PROCESSOR_SHARING and len(factors) > 1:
            # Work done at 1/f_n: the time in service is between the fastest and slowest pace.
            duration = end[i] - ans[i]
            assert base * factors.min() - EPS <= duration <= base * factors.max() + EPS, "pace"
        elif out[i] == HANDLED:
            assert np.min(np.abs(end[i] - ans[i] - base * factors)) <= EPS, "handle time"
        else:
            assert ans[i] + base * factors.max() >= horizon - EPS, "should have finished"

    # -- abandonment, blocking, waiting at the horizon
    sync_pat = np.array([ch.mode == SYNC and ch.patience is not None for ch in chans])
    ab = out == ABANDONED
    assert np.all(sync_pat[c_of[ab]]), "only sync channels with patience abandon"
    np.testing.assert_allclose(rec.wait_s[ab], rec.patience_s[ab], rtol=1e-9, atol=EPS)
    bl = out == BLOCKED
    assert all(chans[c].waiting_room is not None for c in np.unique(c_of[bl]))
    np.testing.assert_array_equal(end[bl], arr[bl])
    still = (out == WAITING) & sync_pat[c_of]
    assert np.all(arr[still] + rec.patience_s[still] >= horizon - EPS), "should have abandoned"
    left_queue = np.where(answered, ans, np.where(np.isnan(end), horizon, end))

    # -- waiting rooms: blocked only when full; queued only when not full
    for c, ch in enumerate(chans):
        if ch.waiting_room is None:
            continue
        on_c = np.flatnonzero((c_of == c) & ~bl)
        queued = on_c[left_queue[on_c] > arr[on_c]]  # contacts that spent time in the queue
        qa, ql = arr[queued], left_queue[queued]
        for i in np.flatnonzero(bl & (c_of == c)):
            t = arr[i]
            assert np.sum((qa <= t) & (ql > t)) >= ch.waiting_room, "blocked with room left"
        for i in queued:
            t = arr[i]
            others = np.sum((qa < t) & (ql > t))
            assert others < ch.waiting_room, "queued in a full waiting room"

    # -- customers: follow-ups are new contacts of an earlier customer, same intent, and
    # come only while their channel is open (has arrivals planned in that interval)
    fu = np.flatnonzero(kind != NEW)
    assert np.all(cust[fu] < fu)
    assert np.all(kind[cust[fu]] == NEW)
    assert np.all(arr[fu] > arr[cust[fu]])
    np.testing.assert_array_equal(j_of[fu], j_of[cust[fu]])
    is_open = centre.rate_per_s.sum(axis=1) > 0  # [c, k]
    assert np.all(is_open[c_of[fu], k_of[fu]]), "a follow-up on a closed channel"
    if b.retry_delay is None or not np.any(b.retry_prob > 0):
        assert not np.any(kind == RETRY)
    if b.repeat_delay is None or all(it.fcr >= 1.0 for it in intents):
        assert not np.any(kind == REPEAT)
    by_customer: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        by_customer[int(cust[i])].append(i)

    def matchable(follow: list[int], sources: list[int], ok: Callable[[int, int], bool]) -> bool:
        """Each follow-up has its own source that ended before it (bipartite matching)."""
        cands = {f: [s for s in sources if end[s] <= arr[f] + EPS and ok(s, f)] for f in follow}
        owner: dict[int, int] = {}

        def augment(f: int, seen: set[int]) -> bool:
            for s in cands[f]:
                if s not in seen:
                    seen.add(s)
                    if s not in owner or augment(owner[s], seen):
                        owner[s] = f
                        return True
            return False

        return all(augment(f, set()) for f in follow)

    for rows in by_customer.values():
        retries = [i for i in rows if kind[i] == RETRY]
        if retries:
            src = [i for i in rows if out[i] == ABANDONED and b.retry_prob[c_of[i]] > 0]
            ok = lambda s, f: b.retry_switch[c_of[s], c_of[f]] > 0  # noqa: E731
            assert matchable(retries, src, ok), "a RETRY without an abandoned contact before it"
        repeats = [i for i in rows if kind[i] == REPEAT]
        if repeats:
            assert intents[j_of[rows[0]]].fcr < 1.0
            src = [i for i in rows if out[i] == HANDLED]
            ok = lambda s, f: b.repeat_switch[c_of[s], c_of[f]] > 0  # noqa: E731
            assert matchable(repeats, src, ok), "a REPEAT without a handled contact before it"
    # Chasers: exactly the async contacts still unanswered when the customer's tolerance ran
    # out, on the chaser channel, then or (closed channel) at the same offset of its next open
    # interval if still unanswered by then.
    chasers = np.flatnonzero(kind == CHASER)
    if b.chaser_channel is None:
        assert chasers.size == 0
    else:
        assert np.all(c_of[chasers] == b.chaser_channel)
        asyncs = np.array([ch.mode == ASYNC for ch in chans])
        due = arr + rec.patience_s
        expect = asyncs[c_of] & ~bl & (due < horizon - EPS)
        expect &= ~(ans <= due)  # NaN (never answered) counts as unanswered
        open_c = is_open[b.chaser_channel]
        next_open = np.full(n_k + 1, n_k)
        for k in range(n_k - 1, -1, -1):
            next_open[k] = k if open_c[k] else next_open[k + 1]
        k_due = np.where(expect, np.where(expect, due, 0.0) // centre.interval_s, n_k)
        k_due = k_due.astype(np.int64)
        k_come = next_open[np.minimum(k_due, n_k)]
        expect &= k_come < n_k
        come = due + (k_come - k_due) * centre.interval_s
        # A chaser that waits for its line to open is void if the contact is answered first.
        expect &= ~(ans <= come)
        assert len(chasers) == int(expect.sum()), "chasers != async contacts past tolerance"
        for i in chasers:
            rows = by_customer[int(cust[i])]
            src = [s for s in rows if expect[s] and abs(come[s] - arr[i]) <= EPS]
            assert len(src) == 1, "a chaser with no async contact past its tolerance"

    # -- capacity: contacts started since the pool's last staffing cut never exceed the slots of
    # the agents now on the phone (agents who leave after a cut may still finish older contacts).
    for p, pl in enumerate(pools):
        mine = np.flatnonzero(answered & (pool_of == p))
        if mine.size == 0:
            continue
        conc = max(chans[s.channel].concurrency for s in pl.skills)
        heads = pl.agents_on_phone
        cuts = np.flatnonzero(np.diff(heads) < 0) + 1  # intervals that start with a cut
        cut_times = np.concatenate([[0.0], cuts * centre.interval_s])
        a_p = ans[mine]
        e_p = np.where(np.isnan(end[mine]), np.inf, end[mine])
        order = np.argsort(a_p, kind="stable")
        a_p, e_p = a_p[order], e_p[order]
        since = cut_times[np.searchsorted(cut_times, a_p, side="right") - 1]
        k_at = np.minimum((a_p // centre.interval_s).astype(np.int64), n_k - 1)
        for lo in range(0, len(a_p), 512):  # (block of starts) x (all contacts of the pool)
            t = a_p[lo : lo + 512, None]
            busy = ((a_p[None, :] >= since[lo : lo + 512, None]) & (a_p[None, :] <= t)) & (
                e_p[None, :] > t
            )
            limit = heads[k_at[lo : lo + 512]] * conc
            assert np.all(busy.sum(axis=1) <= limit), f"pool {p} over capacity"


# --------------------------------------------------------------------------- 1. invariants


@st.composite
def centres(draw: Any) -> tuple[Centre, int]:
    """Random centres: 1-3 channels (sync/async, concurrency 1-3 with factors >= 1, patience,
    waiting rooms), 1-3 intents (FCR, handle factors, priorities), 1-3 pools (each (channel,
    intent) has a primary pool; other primary and secondary skills at random) whose staffing
    changes every interval (cuts included), closed intervals (zero rates), retries, repeats and
    chasers with switch matrices, an overflow delay, forecast handle scales, both routers."""
    n_ch = draw(st.integers(1, 3))
    n_in = draw(st.integers(1, 3))
    n_pool = draw(st.integers(1, 3))
    n_k = draw(st.integers(2, 6))
    interval_s = draw(st.sampled_from([900.0, 1800.0]))
    unit = st.floats(0.0, 1.0)
    channels = []
    for c in range(n_ch):
        mode = draw(st.sampled_from([SYNC, SYNC, ASYNC]))
        conc = draw(st.integers(1, 3))
        factors = draw(st.lists(st.floats(1.0, 2.0), min_size=conc, max_size=conc))
        handle = draw(
            st.sampled_from(
                [Exponential(120.0), Exponential(400.0), Lognormal(250.0, 1.0), Deterministic(90.0)]
            )
        )
        if mode == SYNC:
            patience = draw(st.sampled_from([None, Exponential(30.0), Exponential(200.0)]))
        else:
            patience = draw(
                st.sampled_from(
                    [None, Exponential(120.0), Exponential(600.0), Deterministic(1200.0)]
                )
            )
        channels.append(
            chan(
                f"ch{c}",
                mode,
                handle=handle,
                conc=conc,
                factors=factors,
                patience=patience,
                room=draw(st.sampled_from([None, 0, 3])),
                priority=draw(st.integers(0, 1)),
            )
        )
    intents = [
        IntentSpec(
            f"in{j}",
            handle_factor=draw(st.floats(0.5, 2.0)),
            fcr=draw(st.sampled_from([0.0, 1.0]) | unit),
            priority=draw(st.integers(0, 2)),
        )
        for j in range(n_in)
    ]
    # Skills: each (channel, intent) has a designated primary pool; others may add skills.
    codes = np.array(
        draw(
            st.lists(
                st.sampled_from([0, 0, 1, 2]),
                min_size=n_pool * n_ch * n_in,
                max_size=n_pool * n_ch * n_in,
            )
        )
    ).reshape(n_pool, n_ch, n_in)
    for c in range(n_ch):
        for j in range(n_in):
            codes[draw(st.integers(0, n_pool - 1)), c, j] = 1
    pools = []
    for p in range(n_pool):
        skills = [
            SkillSpec(c, j, draw(st.floats(0.5, 1.5)), secondary=bool(codes[p, c, j] == 2))
            for c in range(n_ch)
            for j in range(n_in)
            if codes[p, c, j]
        ]
        heads = draw(st.lists(st.integers(0, 5), min_size=n_k, max_size=n_k))
        pools.append(pool(f"pool{p}", skills, heads))
    rates = {
        (c, j): draw(st.lists(st.floats(0.0, 60.0), min_size=n_k, max_size=n_k))
        for c in range(n_ch)
        for j in range(n_in)
    }

    def switch() -> np.ndarray:
        w = np.array(draw(st.lists(st.integers(0, 2), min_size=n_ch * n_ch, max_size=n_ch * n_ch)))
        w = (
            w.reshape(n_ch, n_ch).astype(float)
            + np.eye(n_ch) * (w.reshape(n_ch, n_ch).sum(1) == 0)[:, None]
        )
        return w / w.sum(axis=1, keepdims=True)

    beh = BehaviourSpec(
        retry_prob=np.array(draw(st.lists(unit, min_size=n_ch, max_size=n_ch))),
        retry_delay=draw(st.sampled_from([None, Exponential(120.0), Exponential(900.0)])),
        retry_switch=switch(),
        repeat_delay=draw(st.sampled_from([None, Exponential(300.0), Lognormal(1200.0, 0.5)])),
        repeat_switch=switch(),
        chaser_channel=draw(st.sampled_from([None, *range(n_ch), *range(n_ch)])),
        overflow_s=draw(st.sampled_from([0.0, 20.0, 120.0])),
    )
    centre = make_centre(
        channels, intents, pools, rates, n_intervals=n_k, interval_s=interval_s, behaviour=beh
    )
    scale = draw(
        st.none() | st.lists(st.floats(0.5, 2.0), min_size=n_ch * n_in, max_size=n_ch * n_in)
    )
    centre = replace(
        centre,
        handle_scale=None if scale is None else np.reshape(scale, (n_ch, n_in)),
        router=draw(st.sampled_from([SkillsPriorityRouter, FifoRouter])),
    )
    return centre, draw(st.integers(0, 2**31))


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=centres())
def test_invariants_over_random_multichannel_centres(case):
    """Conservation per channel x intent x interval, outcomes consistent with times, handle
    times, abandonment, waiting rooms, follow-up links, chasers and staffed capacity."""
    centre, seed = case
    customers, rec = run(centre, seed)
    check_invariants(centre, customers, rec)


# --------------------------------------------------------------------------- 2. Erlang A and C

WARMUP_S, HORIZON_H = 1 * H, 50


def three_channel_centre(voice_agents: int = 12, chat_agents: int = 12) -> Centre:
    """Voice (Erlang A) and chat (Erlang C) each with two intents merged by one pool, and an
    email channel with its own pool and traffic: three independent queues in one centre."""
    channels = [
        chan("voice", aht=240.0, patience=180.0, target=20.0),
        chan("chat", aht=240.0, patience=None, target=20.0),
        chan("email", ASYNC, aht=900.0, target=4 * H),
    ]
    pools = [
        pool("voice", [(0, 0), (0, 1)], voice_agents),
        pool("chat", [(1, 0), (1, 1)], chat_agents),
        pool("email", [(2, 0), (2, 1)], 3),
    ]
    rates = {(0, 0): 120.0, (0, 1): 60.0, (1, 0): 50.0, (1, 1): 100.0, (2, 0): 5.0, (2, 1): 5.0}
    return make_centre(channels, ["billing", "tech"], pools, rates, n_intervals=HORIZON_H)


def test_erlang_a_and_c_through_a_multichannel_centre():
    centre = three_channel_centre()
    stop = centre.horizon_s - H  # a cool-down hour: every counted contact has met its fate

    def metric(rec: ContactRecords) -> dict[str, dict[str, float]]:
        sel = window(rec, WARMUP_S, stop)
        return {
            "voice": queue_metrics(rec, sel & (rec.channel == 0), 20.0),
            "chat": queue_metrics(rec, sel & (rec.channel == 1), 20.0),
        }

    reps = replicate(centre, metric, 20, seed=11)
    a = erlang_a_metrics(180 / H, 240.0, 12, 180.0, 20.0)
    c = erlang_c_metrics(150 / H, 240.0, 12, 20.0)
    expected = {
        "voice": {
            "p_abandon": a.p_abandon,
            "p_wait": a.p_wait,
            "sl": a.sl_answered_within_t,
            "mean_wait": a.mean_wait_s,
        },
        "chat": {"p_wait": c.p_wait, "sl": c.service_level, "mean_wait": c.mean_wait_s},
    }
    for ch, values in expected.items():
        for key, value in values.items():
            got = [r[ch][key] for r in reps]
            assert_matches(got, value, f"{ch} {key}", max(0.2 * value, 0.01))
    assert all(r["chat"]["p_abandon"] == 0 for r in reps)


# --------------------------------------------------------------------------- 3, 4. concurrency


def chat_centre(factors: Sequence[float], agents: int = 4, rate_per_h: float = 180.0) -> Centre:
    """Chat only: ``agents`` agents handling up to len(factors) chats each."""
    ch = chan("chat", aht=240.0, conc=len(factors), factors=factors, patience=180.0)
    return make_centre(
        [ch, chan("voice")],
        ["all"],
        [pool("chat", [(0, 0)], agents), pool("voice", [(1, 0)], 2)],
        {(0, 0): rate_per_h, (1, 0): 10.0},
        n_intervals=HORIZON_H,
    )


def test_chat_agents_with_neutral_concurrency_are_c_times_k_servers():
    centre = chat_centre((1.0, 1.0, 1.0), agents=4)
    stop = centre.horizon_s - H
    reps = replicate(
        centre,
        lambda rec: queue_metrics(rec, window(rec, WARMUP_S, stop) & (rec.channel == 0), 20.0),
        20,
        seed=12,
    )
    a = erlang_a_metrics(180 / H, 240.0, 4 * 3, 180.0, 20.0)
    for key, value in (
        ("p_abandon", a.p_abandon),
        ("p_wait", a.p_wait),
        ("mean_wait", a.mean_wait_s),
        ("sl", a.sl_answered_within_t),
    ):
        assert_matches([r[key] for r in reps], value, key, max(0.2 * value, 0.01))


def test_concurrency_factors_slow_handling():
    slow = chat_centre((1.0, 1.3, 1.6), agents=4, rate_per_h=120.0)
    flat = chat_centre((1.0, 1.0, 1.0), agents=4, rate_per_h=120.0)

    def metric(rec: ContactRecords) -> tuple[float, float]:
        done = (rec.outcome == HANDLED) & (rec.channel == 0)
        realised = rec.end_s[done] - rec.answer_s[done]
        return float(realised.mean() / rec.handle_s[done].mean()), float(
            np.mean(rec.outcome[rec.channel == 0] == ABANDONED)
        )

    r_slow = replicate(slow, metric, 10, seed=13)
    r_flat = replicate(flat, metric, 10, seed=13)
    # Neutral factors: realised handle time is exactly the drawn one.
    np.testing.assert_allclose([r[0] for r in r_flat], 1.0, rtol=1e-12)
    ratio = estimate([r[0] for r in r_slow], LEVEL)
    assert 1.0 < ratio.ci_low and ratio.ci_high < 1.6, ratio
    # Each contact got one of the factors (check_invariants), and slower chats cost capacity:
    # the same customers (common random numbers) abandon more.
    diff = estimate([s[1] - f[1] for s, f in zip(r_slow, r_flat, strict=True)], LEVEL)
    assert diff.ci_low > 0, diff
    check_invariants(slow, *run(slow, 13))


# --------------------------------------------------------------------------- 5. pooling


def pooling_centre(dedicated: int | None, pooled: int | None, horizon_h: int = 30) -> Centre:
    """Two intents with equal load: dedicated pools of ``dedicated`` agents each, or one
    cross-skilled pool of ``pooled`` agents. Erlang C customers (no abandonment)."""
    if dedicated is not None:
        pools = [pool("A", [(0, 0)], dedicated), pool("B", [(0, 1)], dedicated)]
    else:
        pools = [pool("AB", [(0, 0), (0, 1)], pooled)]
    return make_centre(
        [chan("voice", aht=180.0, target=20.0)],
        ["A", "B"],
        pools,
        {(0, 0): 100.0, (0, 1): 100.0},
        n_intervals=horizon_h,
    )


def test_pooling_beats_dedicated_pools_and_needs_fewer_agents():
    reps, seed = 12, 14

    def sl(centre: Centre) -> list[float]:
        stop = centre.horizon_s - H
        return replicate(
            centre,
            lambda rec: queue_metrics(rec, window(rec, WARMUP_S, stop), 20.0)["sl"],
            reps,
            seed,
        )

    n = 7
    dedicated = sl(pooling_centre(n, None))

    @functools.cache
    def paired(m: int) -> Estimate:  # pooled(m) - dedicated(2n), same customers (CRN)
        return estimate(np.subtract(sl(pooling_centre(None, m)), dedicated), LEVEL)

    same = paired(2 * n)
    assert same.ci_low > 0, f"pooling the same agents should raise service level: {same}"
    # Fewest pooled agents that still beat the dedicated design, searching down from 2n.
    m = 2 * n
    while paired(m - 1).ci_low > 0:
        m -= 1
    assert m < 2 * n, "pooling should reach the dedicated service level with fewer agents"
    assert paired(m - 1).ci_high < 0, "the search should stop where pooling is clearly worse"


# --------------------------------------------------------------------------- 6. priorities


def test_high_priority_waits_less_and_is_always_served_first():
    centre = make_centre(
        [chan("voice", aht=300.0)],
        [IntentSpec("low", priority=0), IntentSpec("high", priority=1)],
        [pool("all", [(0, 0), (0, 1)], 12)],
        {(0, 0): 60.0, (0, 1): 60.0},
        n_intervals=20,
    )
    diffs = []
    for r in range(10):
        customers, rec = run(centre, 15, r)
        if r == 0:
            check_invariants(centre, customers, rec)
        sel = window(rec, WARMUP_S, centre.horizon_s - H)
        wait_high = rec.wait_s[sel & (rec.intent == 1)].mean()
        wait_low = rec.wait_s[sel & (rec.intent == 0)].mean()
        diffs.append(wait_high - wait_low)
        # The router never answers a low-priority contact while a high-priority one waits ...
        arr, ans = rec.arrival_s, rec.answer_s
        left = np.where(np.isnan(ans), rec.horizon_s, ans)
        hi = rec.intent == 1
        hi_arr, hi_left = arr[hi], left[hi]
        for t in ans[(rec.intent == 0) & ~np.isnan(ans)]:
            assert not np.any((hi_arr < t) & (hi_left > t)), f"low answered at {t} over a high"
        # ... and within a priority class it is first come, first served.
        for j in (0, 1):
            a = np.flatnonzero((rec.intent == j) & ~np.isnan(ans))
            assert np.all(np.diff(ans[a[np.argsort(arr[a], kind="stable")]]) >= 0)
    e = estimate(diffs, LEVEL)
    assert e.ci_high < 0, e


# --------------------------------------------------------------------------- 7. overflow


def overflow_centre(overflow: bool, overflow_s: float = 30.0) -> Centre:
    """Intent A is short-staffed in its own pool; pool 2 (intent B) takes A's contacts that have
    waited ``overflow_s`` when it has the secondary skill."""
    skills2 = [SkillSpec(0, 1)] + ([SkillSpec(0, 0, secondary=True)] if overflow else [])
    return make_centre(
        [chan("voice", aht=300.0, patience=300.0)],
        ["A", "B"],
        [pool("A", [(0, 0)], 9), pool("B+A", skills2, 6)],
        {(0, 0): 120.0, (0, 1): 40.0},
        n_intervals=20,
        behaviour=behaviour(1, overflow_s=overflow_s),
    )


def test_overflow_only_after_the_delay():
    with_of, without = overflow_centre(True), overflow_centre(False)
    diffs, n_overflowed = [], 0
    for r in range(6):
        customers, rec = run(with_of, 16, r)
        check_invariants(with_of, customers, rec)
        answered = ~np.isnan(rec.answer_s)
        by_secondary = answered & (rec.intent == 0) & (rec.pool == 1)
        n_overflowed += int(by_secondary.sum())
        assert np.all(rec.wait_s[by_secondary] >= 30.0 - EPS)
        assert not np.any(answered & (rec.intent == 1) & (rec.pool == 0))
        _, rec0 = run(without, 16, r)
        assert not np.any(~np.isnan(rec0.answer_s) & (rec0.intent == 0) & (rec0.pool == 1))
        ab = [np.mean(x.outcome[x.intent == 0] == ABANDONED) for x in (rec, rec0)]
        diffs.append(ab[0] - ab[1])
    assert n_overflowed > 100
    e = estimate(diffs, LEVEL)
    assert e.ci_high < 0, f"overflow should cut intent A's abandonment: {e}"
    # An overflow delay longer than the run: the secondary skill is never used.
    late = overflow_centre(True, overflow_s=1e9)
    _, rec = run(late, 16)
    assert not np.any(~np.isnan(rec.answer_s) & (rec.intent == 0) & (rec.pool == 1))


# --------------------------------------------------------------------------- 8. async backlog


def test_async_backlog_is_carried_over_and_left_waiting_at_the_horizon():
    day = 24
    heads = [0] * day + [6] * (2 * day - 6) + [0] * 6  # nobody on day 1 or in the last 6 h
    tolerance = 4 * H
    centre = make_centre(
        [
            chan("email", ASYNC, aht=600.0, patience=Deterministic(tolerance), target=8 * H),
            chan("voice", aht=240.0, patience=120.0),
        ],
        ["all"],
        [pool("email", [(0, 0)], heads), pool("voice", [(1, 0)], 4)],
        {(0, 0): 10.0, (1, 0): 20.0},
        n_intervals=3 * day,
        behaviour=behaviour(2, chaser=1),
    )
    customers, rec = run(centre, 17)
    check_invariants(centre, customers, rec)
    email = np.flatnonzero(rec.channel == 0)
    arr, ans, out = rec.arrival_s[email], rec.answer_s[email], rec.outcome[email]
    assert np.all(rec.kind[email] == NEW)
    assert not np.any(np.isin(out, [ABANDONED, BLOCKED])), "an email was dropped"
    d1 = arr < day * H
    assert d1.sum() > 150
    # The whole of day 1 is answered on day 2, in arrival order.
    assert np.all(out[d1] == HANDLED)
    assert np.all((ans[d1] >= day * H) & (ans[d1] < 2 * day * H))
    assert np.min(ans[d1]) == day * H  # agents start on the backlog the moment they arrive
    answered = np.flatnonzero(~np.isnan(ans))
    assert np.all(np.diff(ans[answered]) >= 0)
    # Emails arriving once the agents have gone are still WAITING at the horizon.
    gone = (3 * day - 6) * H
    late = arr >= gone
    assert late.sum() > 30
    assert np.all(out[late] == WAITING)
    assert np.all(np.isnan(ans[late]) & np.isnan(rec.end_s[email][late]))
    assert np.all(arr[out == WAITING] >= gone - H)
    # Customers who waited past their tolerance chased on voice (the email stays queued).
    chasers = np.flatnonzero(rec.kind == CHASER)
    assert np.all(rec.channel[chasers] == 1)
    first_day_chasers = np.isin(rec.customer[chasers], email[arr < (day - 4) * H])
    assert first_day_chasers.sum() == np.sum(arr < (day - 4) * H)
    src = rec.customer[chasers].astype(np.int64)
    np.testing.assert_allclose(rec.arrival_s[chasers], rec.arrival_s[src] + tolerance)


# --------------------------------------------------------------------------- 9. retries, repeats


def behaviour_centre(horizon_h: int = 30) -> Centre:
    return make_centre(
        [chan("voice", aht=240.0, patience=120.0), chan("chat", aht=400.0, conc=2, patience=300.0)],
        [IntentSpec("billing", fcr=0.7)],
        [pool("voice", [(0, 0)], 9), pool("chat", [(1, 0)], 5)],
        {(0, 0): 120.0, (1, 0): 80.0},
        n_intervals=horizon_h,
        behaviour=behaviour(
            2,
            retry_prob=[0.4, 0.6],
            retry_delay=600.0,
            retry_switch=[[0.7, 0.3], [0.2, 0.8]],
            repeat_delay=1800.0,
            repeat_switch=[[0.5, 0.5], [0.0, 1.0]],
        ),
    )


def test_retry_and_repeat_rates():
    centre = behaviour_centre()
    margin = 6 * H  # >> both mean delays: whatever follows a counted contact lands in the run
    rows: dict[str, list[float]] = defaultdict(list)
    for r in range(10):
        customers, rec = run(centre, 18, r)
        if r == 0:
            check_invariants(centre, customers, rec)
        nb = len(customers.arrival_s)
        # A customer's first follow-up comes from their first contact (rows are created in order).
        cust_fu = rec.customer[nb:].astype(np.int64)
        first_ids, first_pos = np.unique(cust_fu, return_index=True)
        first_fu = np.full(nb, -1)
        first_fu[first_ids] = nb + first_pos
        out, ch, end = rec.outcome[:nb], rec.channel[:nb], rec.end_s[:nb]
        counted = end < centre.horizon_s - margin
        fu_kind = np.where(first_fu >= 0, rec.kind[first_fu], -1)
        fu_ch = np.where(first_fu >= 0, rec.channel[first_fu], -1)
        fu_arr = np.where(first_fu >= 0, rec.arrival_s[first_fu], np.nan)
        handled, abandoned = counted & (out == HANDLED), counted & (out == ABANDONED)
        # A handled first contact is followed only by its repeat, an abandoned one by its retry.
        assert np.all(np.isin(fu_kind[handled], [-1, REPEAT]))
        assert np.all(np.isin(fu_kind[abandoned], [-1, RETRY]))
        rep, ret = handled & (fu_kind == REPEAT), abandoned & (fu_kind == RETRY)
        rows["repeat share"].append(rep.sum() / handled.sum())
        rows["retry share voice"].append(ret[ch == 0].sum() / abandoned[ch == 0].sum())
        rows["retry share chat"].append(ret[ch == 1].sum() / abandoned[ch == 1].sum())
        rows["voice retry to chat"].append(np.mean(fu_ch[ret & (ch == 0)] == 1))
        rows["voice repeat to chat"].append(np.mean(fu_ch[rep & (ch == 0)] == 1))
        assert np.all(fu_ch[rep & (ch == 1)] == 1)  # chat repeats never switch (matrix row)
        rows["repeat delay"].append(np.mean(fu_arr[rep] - end[rep]))
        rows["retry delay"].append(np.mean(fu_arr[ret] - end[ret]))
    expected = {
        "repeat share": (0.3, 0.03),
        "retry share voice": (0.4, 0.06),
        "retry share chat": (0.6, 0.06),
        "voice retry to chat": (0.3, 0.08),
        "voice repeat to chat": (0.5, 0.05),
        "repeat delay": (1800.0, 150.0),
        "retry delay": (600.0, 80.0),
    }
    for key, (value, max_half) in expected.items():
        assert_matches(rows[key], value, key, max_half)


# --------------------------------------------------------------------------- 10. determinism, CRN


def test_same_seed_same_records_and_staffing_keeps_the_customers():
    centre = behaviour_centre(horizon_h=8)
    _, a = run(centre, 19)
    _, b = run(centre, 19)
    for f in (
        "arrival_s",
        "handle_s",
        "patience_s",
        "answer_s",
        "end_s",
        "outcome",
        "channel",
        "intent",
        "kind",
        "customer",
        "pool",
    ):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    # More agents in the afternoon: different fates, the same customers.
    pools = list(centre.pools)
    heads = pools[0].agents_on_phone.copy()
    heads[4:] += 3
    pools[0] = replace(pools[0], agents_scheduled=heads, agents_on_phone=heads)
    staffed = replace(centre, pools=tuple(pools))
    cu_a, a = run(centre, 19)
    cu_c, c = run(staffed, 19)
    for f in ("arrival_s", "channel", "intent", "handle_s", "patience_s", "resolve_u"):
        np.testing.assert_array_equal(getattr(cu_a, f), getattr(cu_c, f), err_msg=f)
    nb = len(cu_a.arrival_s)
    for f in ("arrival_s", "channel", "intent", "handle_s", "patience_s", "kind", "customer"):
        np.testing.assert_array_equal(getattr(a, f)[:nb], getattr(c, f)[:nb], err_msg=f)
    early = a.arrival_s < 3 * H  # before the change (and any follow-up it causes): same fates
    np.testing.assert_array_equal(a.outcome[:nb][early[:nb]], c.outcome[:nb][early[:nb]])
    assert np.sum(c.outcome == ABANDONED) < np.sum(a.outcome == ABANDONED)
    # Another replication: other customers.
    _, d = run(centre, 19, rep=1)
    assert not np.array_equal(a.arrival_s[:50], d.arrival_s[:50])


# --------------------------------------------------------------------------- engine regressions


def _customers(arrival, channel, intent, handle, patience=None, resolve_u=None) -> Customers:
    n = len(arrival)
    return Customers(
        np.asarray(arrival, float),
        np.asarray(channel, np.int8),
        np.asarray(intent, np.int8),
        np.asarray(handle, float),
        np.asarray(patience if patience is not None else [np.inf] * n, float),
        np.asarray(resolve_u if resolve_u is not None else [0.0] * n, float),
    )


def test_chat_agent_called_back_after_a_cut_takes_waiting_chats_at_once():
    """A chat agent finishing an open chat after a staffing cut is called back by the next
    interval's staffing: their free slot serves the chat waiting since the cut immediately."""
    centre = make_centre(
        [chan("chat", conc=2)],
        ["all"],
        [pool("chat", [(0, 0)], [1, 0] + [1] * 18)],
        {(0, 0): 1.0},  # open all day (the customers below are given, not drawn)
        n_intervals=20,
        interval_s=100.0,
    )
    customers = _customers([10.0, 150.0], [0, 0], [0, 0], [1000.0, 10.0])
    rec = simulate(centre, customers, RandomStreams(1))
    np.testing.assert_array_equal(rec.answer_s, [10.0, 200.0])
    np.testing.assert_array_equal(rec.end_s, [1010.0, 210.0])
    check_invariants(centre, customers, rec)


def test_resolution_draw_is_compared_at_full_precision():
    """``u < fcr`` means resolved, for every draw of ``random()`` (doubles in [0, 1))."""
    centre = make_centre(
        [chan("voice")],
        [IntentSpec("always", fcr=1.0), IntentSpec("half", fcr=0.5)],
        [pool("all", [(0, 0), (0, 1)], 2)],
        {(0, 0): 1.0},
        n_intervals=10,
        behaviour=behaviour(1, repeat_delay=60.0),
    )
    u = [1.0 - 2.0**-30, 0.5 - 2.0**-40, 0.5]
    customers = _customers([10.0, 20.0, 30.0], [0, 0, 0], [0, 1, 1], [60.0] * 3, resolve_u=u)
    rec = simulate(centre, customers, RandomStreams(1))
    np.testing.assert_array_equal(rec.outcome[:3], HANDLED)
    # Only u >= fcr comes back (and the repeat itself may come back again).
    assert set(rec.customer[rec.kind == REPEAT].tolist()) == {2}


def test_concurrency_factor_of_a_single_contact_applies_on_every_channel():
    """``concurrency_factors[0]`` multiplies the first simultaneous contact, concurrency 1 too."""
    centre = make_centre(
        [chan("voice", factors=(1.5,)), chan("chat", conc=2, factors=(1.5, 2.0))],
        ["all"],
        [pool("voice", [(0, 0)], 1), pool("chat", [(1, 0)], 1)],
        {},
        n_intervals=2,
    )
    customers = _customers([10.0, 20.0], [0, 1], [0, 0], [100.0, 100.0])
    rec = simulate(centre, customers, RandomStreams(1))
    np.testing.assert_allclose(rec.end_s - rec.answer_s, [150.0, 150.0])


def test_chat_agent_draining_for_better_work_takes_no_new_chats():
    """An agent whose best next contact is on another channel finishes their open chats and
    switches: meanwhile new chats queue instead of landing on their free slots."""
    centre = make_centre(
        [chan("voice"), chan("chat", conc=3)],
        ["all"],
        [pool("both", [(0, 0), (1, 0)], 1)],
        {(0, 0): 1.0, (1, 0): 1.0},
        n_intervals=2,
    )
    # chat, chat, voice (waits: the agent is on chats), chat after the first chat ended.
    customers = _customers([1.0, 2.0, 3.0, 20.0], [1, 1, 0, 1], [0] * 4, [100.0, 10.0, 50.0, 10.0])
    rec = simulate(centre, customers, RandomStreams(1))
    np.testing.assert_array_equal(rec.answer_s, [1.0, 2.0, 101.0, 151.0])
    check_invariants(centre, customers, rec)
