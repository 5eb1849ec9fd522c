"""Acceptance tests of the strategies: each mechanism moves the figures in the right direction
and by the right size.

Small centres are built from dict configs (``centre`` + ``strategy`` + ``run``) through
:func:`ccsim.runs.job.validate_config`, so every strategy goes through the same config boundary as
the CLI, and are simulated for one day. Tolerances are never picked by hand: shares of
independent per-customer decisions are checked against a 99% binomial (Wilson) interval of the
counts pooled over replications, counts of Poisson streams against the exact 99% Poisson
interval, and effects against the 99% Student-t interval of paired replications (common random
numbers: same seed and replication with and without the strategy). Seeds are fixed.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from scipy import stats

from ccsim.analysis.statistics import estimate
from ccsim.engine.arrivals import Customers, sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.model.centre import Centre
from ccsim.model.records import ContactKind, ContactRecords, Outcome
from ccsim.runs.job import Job, validate_config
from ccsim.runs.replications import run_replication

H = 3600.0
LEVEL = 0.99
EPS = 1e-6  # seconds: float slack on event times

NEW, RETRY, REPEAT, CHASER, REPLY, OUTBOUND, BOT_SWITCH = (int(k) for k in ContactKind)
WAITING, IN_SERVICE, HANDLED, ABANDONED, BLOCKED = (int(o) for o in list(Outcome)[:5])
CONTAINED, PREVENTED, IN_BOT, SWITCHED = (int(o) for o in list(Outcome)[5:9])


# --------------------------------------------------------------------------- helpers


def exp_(mean_s: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_s": mean_s}


def fixed(value_s: float) -> dict[str, Any]:
    return {"dist": "deterministic", "mean_s": value_s}


def centre_cfg(
    channels: dict[str, Any],
    intents: dict[str, Any],
    pools: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    """A one-day centre in hourly intervals."""
    return {
        "name": "t",
        "start": "2026-01-05 00:00",
        "horizon_days": 1,
        "interval_min": 60,
        "channels": channels,
        "intents": intents,
        "pools": pools,
        **extra,
    }


def build(centre: dict[str, Any], strategy: dict[str, Any] | None = None, seed: int = 7) -> Job:
    cfg: dict[str, Any] = {
        "centre": copy.deepcopy(centre),
        "run": {"seed": seed, "replications": 1, "plots": False},
    }
    if strategy:
        cfg["strategy"] = copy.deepcopy(strategy)
    return validate_config(cfg)


def sim(centre: Centre, seed: int, rep: int) -> tuple[Customers, ContactRecords]:
    streams = RandomStreams(seed, rep)
    customers = sample_customers(centre, streams)
    return customers, simulate(centre, customers, streams)


def sims(centre: Centre, reps: int, seed: int = 7) -> list[tuple[Customers, ContactRecords]]:
    return [sim(centre, seed, r) for r in range(reps)]


def say(what: str, text: str) -> None:
    """Measured numbers, shown with ``pytest -s``."""
    print(f"[{what}] {text}")


def assert_share(k: int, n: int, p: float, what: str) -> float:
    """``k`` successes in ``n`` independent trials of probability ``p``: p is inside the 99%
    Wilson interval of k/n."""
    assert n > 0, what
    ci = stats.binomtest(int(k), int(n)).proportion_ci(LEVEL, method="wilson")
    say(what, f"{k}/{n} = {k / n:.4f}, 99% CI [{ci.low:.4f}, {ci.high:.4f}], expected {p:.4f}")
    assert ci.low <= p <= ci.high, (
        f"{what}: {k}/{n} = {k / n:.4f}, 99% CI [{ci.low:.4f}, {ci.high:.4f}] excludes {p:.4f}"
    )
    return k / n


def assert_poisson(k: int, mu: float, what: str) -> None:
    """``k`` events of a Poisson count with mean ``mu``: mu inside the exact 99% interval."""
    a = 1.0 - LEVEL
    low = stats.chi2.ppf(a / 2, 2 * k) / 2 if k > 0 else 0.0
    high = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2
    say(what, f"{k}, 99% CI [{low:.1f}, {high:.1f}], expected {mu:.1f}")
    assert low <= mu <= high, f"{what}: {k}, 99% CI [{low:.1f}, {high:.1f}] excludes {mu:.1f}"


def assert_mean(values: list[float], expected: float, what: str) -> None:
    e = estimate(values, LEVEL)
    say(what, f"{e.mean:.4g}, 99% CI [{e.ci_low:.4g}, {e.ci_high:.4g}], expected {expected:.4g}")
    assert e.ci_low <= expected <= e.ci_high, (
        f"{what}: {e.mean:.4g}, 99% CI [{e.ci_low:.4g}, {e.ci_high:.4g}] excludes {expected:.4g}"
    )


def paired(diffs: list[float], what: str) -> tuple[float, float, float]:
    """Mean and 99% t-interval of paired differences (strategy - baseline)."""
    e = estimate(diffs, LEVEL)
    say(what, f"mean diff {e.mean:.4g}, 99% CI [{e.ci_low:.4g}, {e.ci_high:.4g}]")
    return e.mean, e.ci_low, e.ci_high


def next_contact(rec: ContactRecords) -> np.ndarray:
    """For each contact, the customer's next contact (-1: none). A customer has one contact
    open at a time (a retry follows an abandonment, a repeat a service end, a bot switch a
    failed session), so the next one by arrival is the follow-up of this one."""
    order = np.lexsort((rec.arrival_s, rec.customer))
    nxt = np.full(len(rec), -1, dtype=np.int64)
    same = rec.customer[order[1:]] == rec.customer[order[:-1]]
    nxt[order[:-1][same]] = order[1:][same]
    return nxt


def in_progress(starts: np.ndarray, ends: np.ndarray, t: np.ndarray) -> np.ndarray:
    """How many intervals [start, end) hold each time in ``t`` (strictly inside)."""
    s, e = np.sort(starts), np.sort(ends)
    return np.searchsorted(s, t, side="left") - np.searchsorted(e, t, side="right")


# --------------------------------------------------------------------------- 1. chatbot

BOT_CENTRE = centre_cfg(
    channels={
        "chat": {"daily_volume": 4800, "handle_time": exp_(300)},  # 200 an hour, all day
        "voice": {"daily_volume": 0, "handle_time": exp_(300)},
    },
    intents={"billing": {"share": {"chat": 1, "voice": 1}}},  # fcr 1: no repeats
    pools={"team": {"skills": {"chat": {"*": 1.0}, "voice": {"*": 1.0}}, "agents": 40}},
)
BOT = {
    "channels": ["chat"],
    "containment": {"*": 0.3},
    "session_time": exp_(120),
    "context_share": 0.4,
    "context_handle_factor": 0.8,
    "no_context_handle_factor": 1.25,
}
CHAT, VOICE = 0, 1


def test_chatbot_containment_handover_and_handle_time():
    p, reps = 0.3, 10
    with_bot = build(BOT_CENTRE, {"chatbot": BOT}).centre
    without = build(BOT_CENTRE).centre
    n_cont = n_done = n_agents = n_off = n_ctx = n_esc = 0
    contained_session, escalated_session = [], []
    for r in range(reps):
        _, rec = sim(with_bot, 7, r)
        _, base = sim(without, 7, r)
        assert len(rec) == len(base)  # no retries, repeats or switches: the same contacts
        assert (rec.kind == NEW).all() and (rec.channel == CHAT).all()
        o = rec.outcome
        contained, in_bot = o == CONTAINED, o == IN_BOT
        to_agents = ~np.isnan(rec.queued_s)
        escalated = to_agents  # every contact meets the bot: those not contained escalate
        # Every contact is contained, escalated or still in a session at the horizon.
        assert (contained ^ escalated ^ in_bot).all()
        assert (rec.arrival_s[in_bot] > rec.horizon_s - 2 * H).all()  # sessions last minutes
        n_cont += int(contained.sum())
        n_done += int((~in_bot).sum())
        n_agents += int(to_agents.sum())
        n_off += len(rec)
        # Contained contacts never reach an agent: no answer, no queue, no pool work.
        assert np.isnan(rec.answer_s[contained]).all()
        assert np.isnan(rec.queued_s[contained]).all()
        session = rec.end_s[contained] - rec.arrival_s[contained]
        assert (session > 0).all()
        contained_session.append(float(session.mean()))
        # Escalations join the agents' queue when their session ends, never before.
        bot_time = rec.queued_s[escalated] - rec.arrival_s[escalated]
        assert (bot_time > 0).all()
        assert (rec.answer_s[escalated] >= rec.queued_s[escalated] - EPS).all()
        escalated_session.append(float(bot_time.mean()))
        # Handle time: the customer's own draw (the same as without the bot) x the factor.
        np.testing.assert_array_equal(rec.handle_s[~escalated], base.handle_s[~escalated])
        ratio = rec.handle_s[escalated] / base.handle_s[escalated]
        with_ctx = np.isclose(ratio, 0.8, rtol=1e-12)
        assert (with_ctx | np.isclose(ratio, 1.25, rtol=1e-12)).all()
        n_ctx += int(with_ctx.sum())
        n_esc += int(escalated.sum())
    assert_share(n_cont, n_done, p, "chatbot: contained / finished sessions")
    assert_share(n_agents, n_off, (1 - p) * n_done / n_off, "chatbot: to_agents / offered")
    assert n_agents == n_done - n_cont
    assert_share(n_ctx, n_esc, 0.4, "chatbot: escalations with context")
    assert_mean(contained_session, 120.0, "chatbot: session time of contained contacts (s)")
    assert_mean(escalated_session, 120.0, "chatbot: session time of escalations (s)")


def test_chatbot_metrics_count_contained_and_to_agents():
    job = build(BOT_CENTRE, {"chatbot": BOT})
    offered, contained, to_agents, in_bot = [], [], [], []
    for r in range(8):
        t = run_replication(job.centre, job.settings, r).channel_totals[CHAT]
        offered.append(t["offered"])
        contained.append(t["contained"])
        to_agents.append(t["to_agents"])
        in_bot.append(t["in_system_at_end"] - (t["to_agents"] - t["handled"] - t["abandoned"]))
    n, k = int(sum(offered)), int(sum(contained))
    assert_share(k, n, 0.3 * (1 - sum(in_bot) / n), "metrics: contained / offered")
    assert sum(to_agents) + sum(contained) + sum(in_bot) == n


def test_chatbot_switch_to_another_channel():
    s, reps = 0.25, 8
    bot = dict(BOT, switch={"chat": {"voice": s}})
    c = build(BOT_CENTRE, {"chatbot": bot}).centre
    n_sw = n_failed = 0
    for r in range(reps):
        _, rec = sim(c, 7, r)
        o = rec.outcome
        switched = np.flatnonzero(o == SWITCHED)
        escalated_here = (rec.channel == CHAT) & ~np.isnan(rec.queued_s)
        n_sw += switched.size
        n_failed += switched.size + int(escalated_here.sum())
        assert (rec.channel[switched] == CHAT).all()
        assert np.isnan(rec.queued_s[switched]).all() and np.isnan(rec.answer_s[switched]).all()
        # Each switched session brings one BOT_SWITCH contact of the same customer on voice,
        # arriving when the session ends, straight to the agents.
        follow = np.flatnonzero(rec.kind == BOT_SWITCH)
        assert follow.size == switched.size
        by_customer = dict(zip(rec.customer[follow].tolist(), follow.tolist(), strict=True))
        for i in switched.tolist():
            j = by_customer[int(rec.customer[i])]
            assert rec.channel[j] == VOICE
            assert rec.arrival_s[j] == rec.end_s[i]
            assert rec.queued_s[j] == rec.arrival_s[j]
        assert not ((rec.channel == VOICE) & (rec.kind != BOT_SWITCH)).any()
    assert_share(n_sw, n_failed, s, "chatbot: failed sessions that switch channel")


def test_chatbot_capacity_is_never_exceeded():
    cap, reps = 3, 6
    bot = dict(BOT, capacity=cap)
    c = build(BOT_CENTRE, {"chatbot": bot}).centre
    n_bot = n_cont = n_straight = 0
    for r in range(reps):
        _, rec = sim(c, 7, r)
        o = rec.outcome
        # A session lasts from arrival to its end (contained), to joining the queue (escalated)
        # or to the horizon (still in the bot); a contact whose queue time is its arrival went
        # straight to the agents.
        escalated = ~np.isnan(rec.queued_s) & (rec.queued_s > rec.arrival_s)
        straight = rec.queued_s == rec.arrival_s
        met_bot = ~straight
        end = np.where(escalated, rec.queued_s, np.where(o == IN_BOT, rec.horizon_s, rec.end_s))[
            met_bot
        ]
        start = rec.arrival_s[met_bot]
        assert not np.isnan(end).any()
        # Concurrency just after every session start never passes the capacity, and reaches it.
        busy = in_progress(start, end, start + EPS / 10)
        assert busy.max() == cap, busy.max()
        # Those who went straight found every session busy.
        at_arrival = in_progress(start, end, rec.arrival_s[straight])
        assert (at_arrival == cap).all()
        n_bot += int((met_bot & (o != IN_BOT)).sum())
        n_cont += int((o == CONTAINED).sum())
        n_straight += int(straight.sum())
    share = n_straight / (n_straight + n_bot)  # (sessions still open at the end left out)
    say("chatbot capacity", f"{cap} sessions: {share:.3f} of contacts found the bot full")
    assert n_straight > 0
    assert_share(n_cont, n_bot, 0.3, "chatbot capacity: contained / finished sessions")


# --------------------------------------------------------------------------- 2. CRN

CRN_CENTRE = centre_cfg(
    channels={
        "chat": {"daily_volume": 2400, "handle_time": exp_(300), "patience": exp_(120)},
        "voice": {"daily_volume": 1200, "handle_time": exp_(300), "patience": exp_(120)},
    },
    intents={
        "billing": {"share": {"chat": 0.6, "voice": 0.5}, "fcr": 0.7},
        "orders": {"share": {"chat": 0.4, "voice": 0.5}, "fcr": 0.8},
    },
    pools={"team": {"skills": {"chat": {"*": 1.0}, "voice": {"*": 1.0}}, "agents": 14}},
    behaviour={
        "retry_prob": {"chat": 0.4, "voice": 0.4},
        "retry_delay": exp_(600),
        "repeat_delay": exp_(3600),
        "repeat_switch": {"chat": {"voice": 0.3}},
    },
)


def test_common_random_numbers_pair_the_customers():
    def bot(p: float) -> dict[str, Any]:
        return {"chatbot": dict(BOT, containment={"*": p}, switch={"chat": {"voice": 0.2}})}

    plain = build(CRN_CENTRE).centre
    low, high = build(CRN_CENTRE, bot(0.2)).centre, build(CRN_CENTRE, bot(0.4)).centre
    for r in range(3):
        runs = [sim(c, 11, r)[1] for c in (plain, low, high)]
        news = [rec.kind == NEW for rec in runs]
        for rec, new in zip(runs[1:], news[1:], strict=True):
            np.testing.assert_array_equal(np.flatnonzero(new), np.flatnonzero(news[0]))
            for col in ("arrival_s", "channel", "intent", "patience_s"):
                np.testing.assert_array_equal(
                    getattr(rec, col)[new], getattr(runs[0], col)[news[0]]
                )
        # The follow-ups differ (the bot changed who comes back), so the comparison is real.
        assert len(runs[1]) != len(runs[0])
        n = int(news[0].sum())
        c02 = (runs[1].outcome[:n] == CONTAINED) & news[1][:n]
        c04 = (runs[2].outcome[:n] == CONTAINED) & news[2][:n]
        # A first contact contained at 20% is contained at 40% too (a session may still be
        # running at the horizon: its length is drawn in the order contacts reach the bot).
        late = runs[2].outcome[:n] == IN_BOT
        assert not (c02 & ~c04 & ~late).any()
        assert c04.sum() > c02.sum()
        say("CRN", f"rep {r}: contained {c02.sum()} at 0.2, {c04.sum()} at 0.4, nested")


# --------------------------------------------------------------------------- 3. outreach

EVENT = {
    "name": "outage",
    "start": "2026-01-05 06:00",
    "duration_h": 12,
    "magnitude": 1.0,
    "channels": ["voice"],
}
OUTREACH_CENTRE = centre_cfg(
    channels={
        "voice": {"daily_volume": 2400, "handle_time": exp_(200)},  # +100 an hour 06:00-18:00
        "messaging": {"mode": "async", "daily_volume": 240, "handle_time": exp_(200)},
    },
    intents={
        "billing": {"share": {"voice": 0.5, "messaging": 0.5}},
        "technical": {"share": {"voice": 0.5, "messaging": 0.5}},
    },
    pools={
        "team": {"skills": {"voice": {"*": 1.0}, "messaging": {"*": 1.0}}, "agents": 20},
        "outbound": {"skills": {"messaging": {"*": 1.0}}, "agents": 6},
    },
    events=[EVENT],
)
OUTREACH = {
    "event": "outage",
    "via": "sms",
    "reach": 0.6,
    "prevention": 0.5,
    "lead_time_min": 60,
    "replies_per_notified": 0.1,
    "reply_channel": "messaging",
    "reply_delay": exp_(1800),
}
NOTIFY_S = 7 * H  # event start 06:00 + 60 min


def _outreach_counts(c: Centre, reps: int, notified: float) -> dict[str, int]:
    ev = c.event_names.index("outage")
    n = {"late": 0, "prevented": 0, "replies": 0}
    for r in range(reps):
        cust, rec = sim(c, 5, r)
        nb = len(cust.arrival_s)
        event = np.full(len(rec), -1)
        event[:nb] = cust.event
        kind, prevented = rec.kind, rec.outcome == PREVENTED
        from_event = (event == ev) & (kind == NEW)
        late = from_event & (rec.arrival_s >= NOTIFY_S)
        n["late"] += int(late.sum())
        n["prevented"] += int(prevented.sum())
        assert not (prevented & ~late).any()  # none before the notice, no base customer
        assert (rec.end_s[prevented] == rec.arrival_s[prevented]).all()
        assert np.isnan(rec.queued_s[prevented]).all()
        replies = kind == REPLY
        n["replies"] += int(replies.sum())
        assert (rec.channel[replies] == 1).all()  # messaging
        assert (rec.arrival_s[replies] >= NOTIFY_S).all()
        assert (rec.customer[replies] == np.flatnonzero(replies)).all()  # customers of their own
    return n


def test_outreach_prevents_event_contacts_and_brings_replies():
    reps = 10
    c = build(OUTREACH_CENTRE, {"outreach": OUTREACH}).centre
    ev = c.event_names.index("outage")
    expected = float(c.event_rate_per_s[ev].sum() * c.interval_s)
    assert expected == pytest.approx(1200.0)
    n = _outreach_counts(c, reps, 0.6)
    assert_share(n["prevented"], n["late"], 0.6 * 0.5, "outreach sms: prevented / late event")
    assert_poisson(n["replies"], reps * 0.1 * 0.6 * expected, "outreach sms: replies")
    # Without the campaign nobody is prevented and nobody replies; the event brings the same
    # customers (their own streams).
    plain = build(OUTREACH_CENTRE).centre
    for r in range(2):
        _, a = sim(plain, 5, r)
        _, b = sim(c, 5, r)
        assert not (a.outcome == PREVENTED).any() and not (a.kind == REPLY).any()
        new_b = b.kind == NEW
        np.testing.assert_array_equal(a.arrival_s[a.kind == NEW], b.arrival_s[new_b])


def test_outreach_by_outbound_calls():
    reps, rate = 10, 0.5
    strat = dict(OUTREACH, via="call", call_pool="outbound", contact_rate=rate)
    strat.update(call_handle_time=fixed(120), attempt_s=30)
    job = build(OUTREACH_CENTRE, {"outreach": strat})
    c = job.centre
    names = [ch.name for ch in c.channels]
    assert names[-1] == "outbound_calls" and c.channels[-1].mode == "async"
    out_ch = len(names) - 1
    pool_names = [p.name for p in c.pools]
    call_pool = pool_names.index("outbound")
    serving = [p.name for p in c.pools if any(s.channel == out_ch for s in p.skills)]
    assert serving == ["outbound"]
    ev = c.event_names.index("outage")
    expected = float(c.event_rate_per_s[ev].sum() * c.interval_s)
    n_calls = round(0.6 * expected)
    n_failed = n_total = 0
    for r in range(reps):
        _, rec = sim(c, 5, r)
        calls = rec.kind == OUTBOUND
        assert calls.sum() == n_calls  # one call per customer to notify: reach x audience
        assert (rec.channel[calls] == out_ch).all() and (rec.arrival_s[calls] == NOTIFY_S).all()
        answered = calls & ~np.isnan(rec.answer_s)
        assert (rec.pool[answered] == call_pool).all()  # agent time of the campaign's pool
        done = calls & (rec.outcome == HANDLED)
        np.testing.assert_allclose(rec.end_s[done] - rec.answer_s[done], rec.handle_s[done])
        assert set(np.unique(rec.handle_s[calls])) <= {30.0, 120.0}
        n_failed += int((rec.handle_s[calls] == 30.0).sum())
        n_total += n_calls
        # The outbound pool works nothing else while calls wait; calls bring no repeats.
        assert not ((rec.kind == REPEAT) & np.isin(rec.customer, np.flatnonzero(calls))).any()
        busy = run_replication(c, job.settings, r).pools
        sel = busy["pool"] == call_pool
        worked = (np.minimum(rec.end_s, rec.horizon_s) - rec.answer_s)[
            answered & ~np.isnan(rec.end_s)
        ]
        assert busy["busy_agent_h"][sel].sum() >= worked.sum() / H - 1e-9
    assert_share(n_failed, n_total, 1 - rate, "outreach call: failed attempts")
    n = _outreach_counts(c, reps, 0.6 * rate)
    # Notified by call: a listed customer (reach) whose call connects (contact rate) and who then
    # stays away (prevention) holds that call in ``notify``; they are prevented exactly when the
    # call has ended by the time they would have contacted.
    holders = in_time = 0
    for r in range(reps):
        cust, rec = sim(c, 5, r)
        assert cust.notify is not None
        i = np.flatnonzero(cust.notify >= 0)
        j = cust.notify[i]
        assert (rec.kind[j] == OUTBOUND).all() and (rec.handle_s[j] == 120.0).all()  # connected
        assert len(np.unique(j)) == len(j)  # one customer per call
        done = (rec.outcome[j] == HANDLED) & (rec.end_s[j] <= rec.arrival_s[i])
        np.testing.assert_array_equal(rec.outcome[i] == PREVENTED, done)
        holders += len(i)
        in_time += int(done.sum())
    assert in_time == n["prevented"]
    assert_share(holders, n["late"], 0.6 * rate * 0.5, "outreach call: notified and persuaded")
    say("outreach call", f"prevented {in_time} of {holders} persuaded (calls made in time)")
    assert 0 < in_time < holders  # calls take time: some customers contact before theirs
    assert_poisson(n["replies"], reps * 0.1 * 0.6 * rate * expected, "outreach call: replies")


# --------------------------------------------------------------------------- 4. callbacks

OPEN_8_16 = [0.0] * 8 + [1.0] * 8 + [0.0] * 8
CB_CENTRE = centre_cfg(
    channels={
        "voice": {
            "daily_volume": 1000,  # 125 an hour 08:00-16:00: 10.4 Erlangs on 9 agents
            "intraday_profile": OPEN_8_16,
            "handle_time": exp_(300),
            "patience": exp_(180),
        }
    },
    intents={"billing": {"share": {"voice": 1}}},
    pools={"team": {"skills": {"voice": {"*": 1.0}}, "agents": 9}},
)
CB = {
    "channels": ["voice"],
    "threshold_s": 60,
    "acceptance": 0.5,
    "min_idle_agents": 1,
    "deadline_min": 30,
}


def test_callbacks_cut_abandonment_at_equal_staffing():
    reps, agents = 20, 9
    job_cb = build(CB_CENTRE, {"callbacks": CB})
    job_plain = build(CB_CENTRE)
    c = job_cb.centre
    deadline = 30 * 60.0
    mean_h = float(c.mean_handle_s()[0, 0])
    diffs_rate, diffs_n, n_cb_total, n_offer, n_accept = [], [], 0, 0, 0
    n_late, after_due = 0, 0.0
    for r in range(reps):
        a = run_replication(job_plain.centre, job_plain.settings, r).channel_totals[0]
        b = run_replication(c, job_cb.settings, r).channel_totals[0]
        diffs_rate.append(b["abandon_rate"] - a["abandon_rate"])
        diffs_n.append(b["abandoned"] - a["abandoned"])
        assert b["callbacks"] > 0
        _, rec = sim(c, job_cb.settings.seed, r)
        cb = rec.callback.astype(bool)
        n_cb_total += int(cb.sum())
        # Callback customers wait off-line: never abandoned, all called back by the horizon
        # (the line closes at 16:00, the agents stay).
        assert not (rec.outcome[cb] == ABANDONED).any()
        assert (rec.outcome[cb] == HANDLED).all()
        # Once its deadline passes, a callback comes first: every contact answered between the
        # deadline and its own answer is a callback that fell due earlier.
        due = rec.queued_s + deadline
        ans = rec.answer_s
        order = np.argsort(ans[~np.isnan(ans)])
        answered_idx = np.flatnonzero(~np.isnan(ans))[order]
        answered_t = ans[answered_idx]
        late = np.flatnonzero(cb & (ans > due))
        n_late += late.size
        after_due = max(after_due, float((ans[late] - due[late]).max(initial=0.0)))
        for i in late.tolist():
            lo = np.searchsorted(answered_t, due[i], side="right")
            hi = np.searchsorted(answered_t, ans[i], side="left")
            between = answered_idx[lo:hi]
            assert cb[between].all() and (due[between] <= due[i]).all()
        # Before the deadline, a callback is made only when no live caller waits and at least
        # min_idle_agents colleagues stay idle.
        live = ~cb
        left = np.where(np.isnan(ans), rec.end_s, ans)
        left = np.where(np.isnan(left), rec.horizon_s, left)
        early = np.flatnonzero(cb & (ans < due))
        t = ans[early]
        waiting_live = in_progress(rec.queued_s[live], left[live], t)
        assert (waiting_live == 0).all()
        ends = np.where(np.isnan(rec.end_s), rec.horizon_s, rec.end_s)
        answered = ~np.isnan(ans)
        busy = in_progress(ans[answered], ends[answered], t + EPS / 10)
        assert (agents - busy >= CB["min_idle_agents"]).all()
        # Offers: a caller who finds no free agent while the expected wait, (live callers
        # waiting + 1) x mean handle time / agents, exceeds the threshold.
        arrivals = rec.arrival_s
        no_agent = ~(ans == arrivals)
        n_wait = in_progress(rec.queued_s[live], left[live], arrivals)
        offered = no_agent & ((n_wait + 1) * mean_h / agents > CB["threshold_s"])
        assert not (cb & ~offered).any()
        n_offer += int(offered.sum())
        n_accept += int((cb & offered).sum())
    assert_share(n_accept, n_offer, CB["acceptance"], "callbacks: accepted / offered")
    m, lo, hi = paired(diffs_rate, "callbacks: abandonment rate (with - without)")
    assert hi < 0
    m, lo, hi = paired(diffs_n, "callbacks: abandoned contacts (with - without)")
    assert hi < 0
    say(
        "callbacks",
        f"{n_cb_total / reps:.1f} callbacks per day; {n_late / n_cb_total:.3f} made after their "
        f"deadline, at most {after_due:.0f} s after it",
    )


# --------------------------------------------------------------------------- 5-6. context, FCR

FCR_CENTRE = centre_cfg(
    channels={
        "voice": {"daily_volume": 2400, "handle_time": fixed(300)},
        "chat": {"daily_volume": 2400, "handle_time": fixed(300)},
    },
    intents={"billing": {"share": {"voice": 1, "chat": 1}, "fcr": 0.6}},
    pools={"team": {"skills": {"voice": {"*": 1.0}, "chat": {"*": 1.0}}, "agents": 45}},
    behaviour={
        "repeat_delay": fixed(600),
        "repeat_switch": {"voice": {"chat": 0.5}, "chat": {"voice": 0.5}},
    },
)
REPEAT_DELAY = 600.0


def _repeat_trials(rec: ContactRecords) -> tuple[np.ndarray, np.ndarray]:
    """Handled contacts whose repeat (if any) lands within the horizon, and whether it came."""
    nxt = next_contact(rec)
    trial = (rec.outcome == HANDLED) & (rec.end_s + REPEAT_DELAY < rec.horizon_s - EPS)
    came = trial & (nxt >= 0)
    came[came] &= rec.kind[nxt[came]] == REPEAT
    # The repeat arrives exactly the delay after the service end.
    np.testing.assert_allclose(rec.arrival_s[nxt[came]], rec.end_s[came] + REPEAT_DELAY)
    return trial, came


def test_context_follows_channel_switches():
    reps, share, hf, rf = 8, 0.7, 0.85, 0.5
    strat = {"context": {"share": share, "handle_factor": hf, "repeat_factor": rf}}
    job_ctx, job_plain = build(FCR_CENTRE, strat), build(FCR_CENTRE)
    n_sw = n_sw_ctx = 0
    trials = {True: [0, 0], False: [0, 0]}
    d_work, d_rep = [], []
    for r in range(reps):
        _, rec = sim(job_ctx.centre, 7, r)
        nxt = next_contact(rec)
        parent = np.full(len(rec), -1)
        parent[nxt[nxt >= 0]] = np.flatnonzero(nxt >= 0)
        follow = parent >= 0
        switch = follow & (rec.channel != rec.channel[np.maximum(parent, 0)])
        ctx = np.isclose(rec.handle_s, 300 * hf)
        assert (ctx | (rec.handle_s == 300)).all()
        assert not (ctx & ~switch).any()  # context only on channel switches
        n_sw += int(switch.sum())
        n_sw_ctx += int((switch & ctx).sum())
        trial, came = _repeat_trials(rec)
        for flag in (True, False):
            sel = trial & (ctx == flag)
            trials[flag][0] += int(came[sel].sum())
            trials[flag][1] += int(sel.sum())
        a = run_replication(job_plain.centre, job_plain.settings, r).totals
        b = run_replication(job_ctx.centre, job_ctx.settings, r).totals
        d_work.append(b["demand_workload_h"] - a["demand_workload_h"])
        d_rep.append(b["repeats"] - a["repeats"])
    assert_share(n_sw_ctx, n_sw, share, "context: channel switches with context")
    p_ctx = assert_share(*trials[True], 0.4 * rf, "context: repeats after a contact with context")
    p_no = assert_share(*trials[False], 0.4, "context: repeats after one without")
    say("context", f"repeat ratio {p_ctx / p_no:.3f} (repeat_factor {rf})")
    assert paired(d_work, "context: demand workload h (with - without)")[2] < 0
    assert paired(d_rep, "context: repeats (with - without)")[2] < 0


def test_context_with_a_chatbot_hands_over_the_larger_share():
    """With both, a bot escalation keeps context with the larger of the two shares, and its
    handle time takes the bot's context factor."""
    strat = {"chatbot": BOT, "context": {"share": 0.8, "handle_factor": 0.85}}
    c, plain = build(BOT_CENTRE, strat).centre, build(BOT_CENTRE).centre
    n_ctx = n_esc = 0
    for r in range(4):
        _, rec = sim(c, 7, r)
        _, base = sim(plain, 7, r)
        esc = ~np.isnan(rec.queued_s)
        ratio = rec.handle_s[esc] / base.handle_s[esc]
        with_ctx = np.isclose(ratio, BOT["context_handle_factor"], rtol=1e-12)
        assert (with_ctx | np.isclose(ratio, BOT["no_context_handle_factor"], rtol=1e-12)).all()
        n_ctx += int(with_ctx.sum())
        n_esc += int(esc.sum())
    assert_share(n_ctx, n_esc, 0.8, "chatbot + context: escalations with context")


def test_fcr_improvement_cuts_repeats():
    reps = 6
    fcr_centre = copy.deepcopy(FCR_CENTRE)
    fcr_centre["intents"] = {
        "billing": {"share": {"voice": 0.5, "chat": 0.5}, "fcr": 0.6},
        "technical": {"share": {"voice": 0.5, "chat": 0.5}, "fcr": 0.6},
    }
    better = build(fcr_centre, {"fcr": {"improvement": {"*": 0.1, "technical": 0.2}}}).centre
    plain = build(fcr_centre).centre
    assert [it.fcr for it in plain.intents] == [0.6, 0.6]
    # "*" is every intent's default, a named intent its own value (as for chatbot containment).
    assert [it.fcr for it in better.intents] == pytest.approx([0.7, 0.8])
    for c, fcrs, what in ((plain, (0.6, 0.6), "before"), (better, (0.7, 0.8), "after")):
        counts = np.zeros((2, 2), dtype=np.int64)
        for r in range(reps):
            _, rec = sim(c, 3, r)
            trial, came = _repeat_trials(rec)
            for j in range(2):
                counts[j] += [
                    int(came[trial & (rec.intent == j)].sum()),
                    int((trial & (rec.intent == j)).sum()),
                ]
        for j in range(2):
            assert_share(*counts[j], 1 - fcrs[j], f"fcr {what}: repeats per handled, intent {j}")


# --------------------------------------------------------------------------- 7. workload shifting

SHIFT_CENTRE = centre_cfg(
    channels={
        "voice": {
            "daily_volume": 600,  # 50 an hour 08:00-20:00: 4.2 Erlangs on 8 agents
            "intraday_profile": [0.0] * 8 + [1.0] * 12 + [0.0] * 4,
            "handle_time": exp_(300),
            "patience": exp_(180),
            "priority": 1,
        },
        "email": {
            "mode": "async",
            "daily_volume": 600,  # 25 an hour around the clock: 2.9 Erlangs on 2 agents
            "handle_time": exp_(420),
            "target_response_h": 2,
        },
    },
    intents={"billing": {"share": {"voice": 1, "email": 1}}},
    pools={
        "voice_team": {
            "skills": {"voice": {"*": 1.0}},
            "agents_per_interval": [0] * 8 + [8] * 12 + [0] * 4,
        },
        "digital_team": {"skills": {"email": {"*": 1.0}}, "agents": 2},
    },
)


@functools.cache
def _workload_shifting(reps: int = 12) -> dict[str, list[float]]:
    """Paired per-replication differences (shifting - baseline) and the share of answered
    emails the voice team handled."""
    strat = {
        "workload_shifting": {"channels": ["email"], "pools": ["voice_team"], "proficiency": 1.1}
    }
    job_ws, job_plain = build(SHIFT_CENTRE, strat), build(SHIFT_CENTRE)
    voice_team = job_ws.centre.pools[0]
    skills = {(s.channel, s.secondary): s.proficiency for s in voice_team.skills}
    assert skills[(1, False)] == pytest.approx(1.1)
    assert job_ws.centre.channels[1].priority < job_ws.centre.channels[0].priority
    out: dict[str, list[float]] = {k: [] for k in ("late", "backlog", "sl", "ab", "by_voice")}
    for r in range(reps):
        a = run_replication(job_plain.centre, job_plain.settings, r).channel_totals
        b = run_replication(job_ws.centre, job_ws.settings, r).channel_totals
        out["late"].append(b[1]["late_async"] - a[1]["late_async"])
        out["backlog"].append(b[1]["backlog_left"] - a[1]["backlog_left"])
        out["sl"].append(b[0]["sl_answered_within_t"] - a[0]["sl_answered_within_t"])
        out["ab"].append(b[0]["abandon_rate"] - a[0]["abandon_rate"])
        _, rec = sim(job_ws.centre, 7, r)
        email = (rec.channel == 1) & ~np.isnan(rec.answer_s)
        out["by_voice"].append(float((rec.pool[email] == 0).mean()))
        _, base = sim(job_plain.centre, 7, r)
        assert not ((base.channel == 1) & ~np.isnan(base.answer_s) & (base.pool == 0)).any()
    return out


def test_workload_shifting_moves_email_to_idle_voice_agents():
    d = _workload_shifting()
    assert min(d["by_voice"]) > 0
    say("workload shifting", f"answered emails handled by voice_team {np.mean(d['by_voice']):.3f}")
    assert paired(d["late"], "workload shifting: late emails (with - without)")[2] < 0
    assert paired(d["backlog"], "workload shifting: email backlog at end (with - without)")[2] < 0


def test_workload_shifting_reserve_protects_voice():
    """Blending is non-preemptive: an agent on an email cannot take a call. With no reserve
    every idle voice agent takes an email and voice service level drops (about -0.26 here);
    keeping ``min_idle_agents`` colleagues idle for the next call shrinks that cost (about
    -0.04 with 4 of 8 in reserve) while late emails still fall: the reserve sets the trade-off."""
    reps = 8

    def diffs(reserve: int) -> tuple[list[float], list[float]]:
        strat = {
            "workload_shifting": {
                "channels": ["email"],
                "pools": ["voice_team"],
                "min_idle_agents": reserve,
            }
        }
        job_ws, job_plain = build(SHIFT_CENTRE, strat), build(SHIFT_CENTRE)
        sl, late = [], []
        for r in range(reps):
            a = run_replication(job_plain.centre, job_plain.settings, r).channel_totals
            b = run_replication(job_ws.centre, job_ws.settings, r).channel_totals
            sl.append(b[0]["sl_answered_within_t"] - a[0]["sl_answered_within_t"])
            late.append(b[1]["late_async"] - a[1]["late_async"])
        return sl, late

    sl0, _ = diffs(0)
    sl4, late4 = diffs(4)
    assert paired(sl0, "workload shifting, no reserve: voice SL (with - without)")[2] < 0
    gain = [b - a for a, b in zip(sl0, sl4, strict=True)]
    assert paired(gain, "workload shifting: voice SL, reserve 4 minus reserve 0")[1] > 0
    assert paired(late4, "workload shifting, reserve 4: late emails (with - without)")[2] < 0


# --------------------------------------------------------------------------- 8. staffing

STAFF_CENTRE = centre_cfg(
    channels={
        "voice": {
            "daily_volume": 1200,  # 100 an hour 08:00-20:00
            "intraday_profile": [0.0] * 8 + [1.0] * 12 + [0.0] * 4,
            "handle_time": exp_(300),
            "patience": exp_(180),
        },
        "chat": {"daily_volume": 480, "handle_time": exp_(300)},
    },
    intents={"billing": {"share": {"voice": 1, "chat": 1}}},
    pools={
        "voice_team": {
            "skills": {"voice": {"*": 1.0}},
            "secondary": {"chat": {"*": 1.2}},
            "agents_per_interval": [0] * 8 + [10] * 12 + [0] * 4,
            "shrinkage": 0.25,
        },
        "digital_team": {"skills": {"chat": {"*": 1.0}}, "agents": 4},
    },
)


def test_staffing_adds_agents_where_staffed():
    reps, n = 12, 4
    job_add, job_plain = (
        build(STAFF_CENTRE, {"staffing": {"add_agents": {"voice_team": n}}}),
        build(STAFF_CENTRE),
    )
    before, after = job_plain.centre.pools[0], job_add.centre.pools[0]
    staffed = before.agents_scheduled > 0
    np.testing.assert_array_equal(
        after.agents_scheduled[staffed], before.agents_scheduled[staffed] + n
    )
    np.testing.assert_array_equal(after.agents_scheduled[~staffed], 0)
    extra = after.agents_on_phone - before.agents_on_phone
    assert (np.abs(extra[staffed] - n * (1 - 0.25)) <= 0.5 + 1e-9).all()
    assert (extra[~staffed] == 0).all()
    say(
        "staffing",
        f"on the phone {before.agents_on_phone[staffed][0]} -> {after.agents_on_phone[staffed][0]}",
    )
    np.testing.assert_array_equal(
        job_add.centre.pools[1].agents_on_phone, job_plain.centre.pools[1].agents_on_phone
    )
    d_ab, d_sl = [], []
    for r in range(reps):
        a = run_replication(job_plain.centre, job_plain.settings, r)
        b = run_replication(job_add.centre, job_add.settings, r)
        np.testing.assert_array_equal(
            b.pools["agents_on_phone"] - a.pools["agents_on_phone"],
            np.concatenate([extra, np.zeros_like(extra)]),
        )
        d_ab.append(b.channel_totals[0]["abandon_rate"] - a.channel_totals[0]["abandon_rate"])
        d_sl.append(
            b.channel_totals[0]["sl_answered_within_t"]
            - a.channel_totals[0]["sl_answered_within_t"]
        )
    assert paired(d_ab, "staffing: voice abandonment rate (with - without)")[2] < 0
    assert paired(d_sl, "staffing: voice service level (with - without)")[1] > 0


def test_cross_training_adds_primary_skills():
    job = build(STAFF_CENTRE, {"cross_training": {"skills": {"voice_team": {"chat": {"*": 1.1}}}}})
    plain = build(STAFF_CENTRE)
    chat = 1
    before = {(s.channel, s.secondary): s.proficiency for s in plain.centre.pools[0].skills}
    after = {(s.channel, s.secondary): s.proficiency for s in job.centre.pools[0].skills}
    assert (chat, True) in before and (chat, False) not in before
    assert after.get((chat, False)) == pytest.approx(1.1)  # now primary...
    assert (chat, True) not in after  # ...and no longer only after overflow
    # The voice team now answers chats at once, not only after the overflow delay.
    _, rec = sim(job.centre, 7, 0)
    chats = (rec.channel == chat) & (rec.pool == 0) & ~np.isnan(rec.answer_s)
    assert chats.any()
    assert (rec.answer_s[chats] - rec.queued_s[chats] < job.centre.behaviour.overflow_s).any()


# --------------------------------------------------------------------------- 9, 11. all at once

ALL_CENTRE = centre_cfg(
    channels={
        "voice": {
            "daily_volume": 1500,
            "intraday_profile": [0.0] * 8 + [1.0] * 12 + [0.0] * 4,
            "handle_time": exp_(300),
            "patience": exp_(150),
            "priority": 2,
            "waiting_room": 10,
        },
        "chat": {
            "daily_volume": 900,
            "intraday_profile": [0.0] * 8 + [1.0] * 12 + [0.0] * 4,
            "concurrency": 2,
            "concurrency_factors": [1.0, 1.2],
            "handle_time": exp_(480),
            "patience": exp_(240),
            "priority": 2,
        },
        "email": {
            "mode": "async",
            "daily_volume": 400,
            "handle_time": exp_(400),
            "patience": exp_(6 * H),
            "target_response_h": 4,
        },
        "messaging": {
            "mode": "async",
            "daily_volume": 300,
            "handle_time": exp_(300),
            "patience": exp_(3 * H),
            "priority": 1,
        },
    },
    intents={
        "billing": {
            "share": {"voice": 0.6, "chat": 0.5, "email": 0.6, "messaging": 0.5},
            "fcr": 0.75,
        },
        "technical": {
            "share": {"voice": 0.4, "chat": 0.5, "email": 0.4, "messaging": 0.5},
            "fcr": 0.65,
            "handle_factor": 1.2,
            "priority": 1,
        },
    },
    pools={
        "voice_team": {
            "skills": {"voice": {"*": 1.0}},
            "secondary": {"chat": {"*": 1.1}},
            "agents_per_interval": [0] * 8 + [12] * 12 + [0] * 4,
            "shrinkage": 0.2,
        },
        "digital_team": {
            "skills": {"chat": {"*": 1.0}, "email": {"*": 1.0}, "messaging": {"*": 1.0}},
            "agents_per_interval": [2] * 8 + [7] * 12 + [3] * 4,
        },
        # A small team that makes the campaign's calls (and answers messaging meanwhile).
        "outbound": {"skills": {"messaging": {"*": 1.0}}, "agents": 3},
    },
    behaviour={
        "retry_prob": {"voice": 0.4, "chat": 0.3},
        "retry_switch": {"voice": {"voice": 0.7, "chat": 0.3}},
        "repeat_delay": exp_(4 * H),
        "repeat_switch": {"chat": {"voice": 0.3}},
        "chaser_channel": "voice",
        "overflow_s": 60,
    },
    events=[dict(EVENT, start="2026-01-05 09:00", duration_h=4, channels=["voice", "chat"])],
)
ALL_STRATEGIES = {
    "chatbot": dict(
        BOT, channels=["chat", "messaging"], switch={"chat": {"voice": 0.2}}, capacity=6
    ),
    "outreach": dict(
        OUTREACH, via="call", call_pool="outbound", lead_time_min=30, reply_channel="messaging"
    ),
    "context": {"share": 0.8, "handle_factor": 0.85, "repeat_factor": 0.7},
    "fcr": {"improvement": {"*": 0.05}},
    "callbacks": dict(CB, deadline_min=60),
    "workload_shifting": {"channels": ["email"], "pools": ["voice_team"]},
    "staffing": {"add_agents": {"voice_team": 2}},
    "cross_training": {"skills": {"digital_team": {"voice": {"technical": 1.2}}}},
}
OUTCOME_KEYS = ("prevented", "contained", "bot_switched", "abandoned", "handled", "blocked")


def test_conservation_with_every_strategy():
    job = build(ALL_CENTRE, ALL_STRATEGIES)
    c = job.centre
    assert set(c.strategies.names) == set(ALL_STRATEGIES)
    seen = set()
    for r in range(3):
        res = run_replication(c, job.settings, r)
        for t in [res.totals, *res.channel_totals]:
            assert t["offered"] == sum(t[k] for k in OUTCOME_KEYS) + t["in_system_at_end"], t
        assert res.totals["offered"] == sum(t["offered"] for t in res.channel_totals)
        _, rec = sim(c, job.settings.seed, r)
        o, n = rec.outcome, len(rec)
        counts = np.bincount(o, minlength=len(Outcome))
        assert counts.sum() == n and o.min() >= 0 and o.max() < len(Outcome)
        for ch in range(len(c.channels)):
            sel = rec.channel == ch
            assert res.channel_totals[ch]["offered"] == sel.sum()
            assert res.channel_totals[ch]["prevented"] == (sel & (o == PREVENTED)).sum()
            assert res.channel_totals[ch]["contained"] == (sel & (o == CONTAINED)).sum()
        seen |= {int(x) for x in np.unique(o)} | {100 + int(k) for k in np.unique(rec.kind)}
        # Columns agree with outcomes.
        answered = (o == IN_SERVICE) | (o == HANDLED)
        assert (np.isnan(rec.answer_s) == ~answered).all()
        in_system = (o == WAITING) | (o == IN_SERVICE) | (o == IN_BOT)
        assert (np.isnan(rec.end_s) == in_system).all()
        never_queued = np.isin(o, [CONTAINED, PREVENTED, IN_BOT, SWITCHED])
        assert (np.isnan(rec.queued_s) == never_queued).all()
        assert (rec.callback[rec.callback.astype(bool)] == 1).all()
        # Every follow-up belongs to a customer whose first contact is an earlier row, and
        # comes after the contact it follows.
        idx = np.arange(n)
        root = rec.customer.astype(np.int64)
        first = np.isin(rec.kind, [NEW, REPLY, OUTBOUND])
        assert (root[first] == idx[first]).all()
        follow = ~first
        assert (root[follow] < idx[follow]).all()
        assert first[root[follow]].all()
        assert (rec.arrival_s[root[follow]] <= rec.arrival_s[follow]).all()
        # ...and a contact of that customer it follows: one that had left by then (a retry
        # after abandoning, a repeat after service, a switch after a failed bot session), or,
        # for a chaser, an async contact still unanswered when the customer's tolerance ran out.
        rows: dict[int, list[int]] = {}
        for i in np.argsort(rec.arrival_s, kind="stable").tolist():
            rows.setdefault(int(root[i]), []).append(i)
        left_at = np.where(np.isnan(rec.end_s), np.inf, rec.end_s)
        left_at = np.where(np.isnan(rec.answer_s), left_at, np.minimum(left_at, rec.answer_s))
        is_async = np.array([ch.mode == "async" for ch in c.channels])[rec.channel]
        for i in np.flatnonzero(follow).tolist():
            t = rec.arrival_s[i]
            before = [j for j in rows[int(root[i])] if j != i and rec.arrival_s[j] <= t]
            if rec.kind[i] == CHASER:  # tolerance ran out unanswered (the chaser itself may
                # come later: a closed line defers it to the next opening)
                due = rec.arrival_s + rec.patience_s
                assert any(is_async[j] and left_at[j] >= due[j] - EPS >= 0 for j in before), i
                assert any(due[j] <= t + EPS for j in before), i
            else:
                assert any(rec.end_s[j] <= t + EPS for j in before), i
    say("conservation", f"outcomes and kinds seen: {sorted(seen)}")
    # The run exercises every outcome but blocking-free states and every kind of contact.
    for o_ in (HANDLED, ABANDONED, CONTAINED, PREVENTED, SWITCHED, WAITING):
        assert o_ in seen, Outcome(o_).name
    for k in ContactKind:
        assert 100 + int(k) in seen, k.name


def test_every_strategy_is_deterministic():
    job = build(ALL_CENTRE, ALL_STRATEGIES)
    _, a = sim(job.centre, 99, 1)
    _, b = sim(build(ALL_CENTRE, ALL_STRATEGIES).centre, 99, 1)
    for f in fields(ContactRecords):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:
            assert x == y
    _, other = sim(job.centre, 99, 2)
    assert len(other) != len(a) or not np.array_equal(other.arrival_s, a.arrival_s)


# --------------------------------------------------------------------------- 10. bad input

# The CLI cases (bad strategy keys and values: exit status 2, one line) are in
# tests/config/test_config_errors.py with the other configuration errors.
