"""The cost model: a small centre priced by hand from its schedule and its records, overtime
from the staffing strategy, fixed costs prorated, notices and outbound calls, channels adding up
to the centre, and one-line errors for prices that are not allowed (also from the CLI)."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from ccsim.analysis.costs import COST_KEYS, COST_PART_KEYS, bot_sessions
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.errors import ConfigError
from ccsim.model.records import ContactKind, ContactRecords, Outcome
from ccsim.runs.job import Job, validate_config
from ccsim.runs.replications import run, run_replication
from conftest import run_ccsim

H = 3600.0
SEED = 11


def exp_(mean_s: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_s": mean_s}


# One day in hourly intervals: 4 voice agents, 2 digital agents (chat and e-mail), all day;
# both queues overloaded so that callers abandon and e-mails are answered late.
CENTRE: dict[str, Any] = {
    "name": "costs",
    "start": "2026-01-05 00:00",
    "horizon_days": 1,
    "interval_min": 60,
    "channels": {
        "voice": {"daily_volume": 1200, "handle_time": exp_(240), "patience": exp_(60)},
        "chat": {"daily_volume": 600, "handle_time": exp_(300), "patience": exp_(300)},
        "email": {
            "mode": "async",
            "daily_volume": 300,
            "handle_time": exp_(400),
            "target_response_h": 0.25,
        },
    },
    "intents": {"billing": {"share": {"voice": 1, "chat": 1, "email": 1}}},
    "pools": {
        "phones": {"skills": {"voice": {"*": 1.0}}, "agents": 4},
        "digital": {"skills": {"chat": {"*": 1.0}, "email": {"*": 1.0}}, "agents": 2},
    },
    "behaviour": {"retry_prob": {"voice": 0.3, "chat": 0.3}, "retry_delay": exp_(300)},
}
BOT = {"channels": ["chat"], "containment": {"*": 0.4}, "session_time": exp_(60)}
COSTS = {
    "currency": "EUR",
    "agent_hour": {"phones": 30.0, "*": 20.0},
    "bot_session": 0.25,
    "bot_resolution": 1.5,
    "abandon_penalty": 4.0,
    "late_async_penalty": 2.5,
    "strategy_fixed_per_week": {"chatbot": 700.0, "callbacks": 1e6},  # callbacks: not on
}
VOICE, CHAT, EMAIL = 0, 1, 2


def build(
    strategy: dict[str, Any] | None = None,
    costs: dict[str, Any] | None = None,
    centre: dict[str, Any] | None = None,
    **run_conf: Any,
) -> Job:
    cfg: dict[str, Any] = {
        "centre": copy.deepcopy(centre or CENTRE),
        "run": {"seed": SEED, "replications": 1, "plots": False, **run_conf},
        "costs": copy.deepcopy(COSTS if costs is None else costs),
    }
    if strategy:
        cfg["strategy"] = copy.deepcopy(strategy)
    return validate_config(cfg)


def records_of(job: Job, rep: int = 0) -> ContactRecords:
    streams = RandomStreams(SEED, rep)
    return simulate(job.centre, sample_customers(job.centre, streams), streams)


def test_a_small_centre_priced_by_hand():
    job = build({"chatbot": BOT})
    c = job.centre
    assert c.costs is not None and c.costs.currency == "EUR"
    assert [p.agents_scheduled.tolist() for p in c.pools] == [[4] * 24, [2] * 24]
    res = run_replication(c, job.settings, 0)
    rec = records_of(job)
    o, kind, ch = rec.outcome, rec.kind, rec.channel
    # Agents: 4 heads x 24 h x 30 + 2 heads x 24 h x 20.
    agents = 4 * 24 * 30.0 + 2 * 24 * 20.0
    # The bot meets every chat contact of its own accord (new ones and retries); each session
    # ends contained, escalated (joins the agents' queue later than it arrived), still in the
    # bot or switched.
    first = np.isin(kind, [int(ContactKind.NEW), int(ContactKind.RETRY)])
    sessions = (ch == CHAT) & first
    assert ((kind != int(ContactKind.NEW)) & (kind != int(ContactKind.RETRY))).sum() == 0
    in_bot = np.isin(o, [int(Outcome.CONTAINED), int(Outcome.IN_BOT), int(Outcome.SWITCHED)])
    escalated = (ch == CHAT) & (rec.queued_s > rec.arrival_s)
    assert sessions.sum() == (in_bot | escalated).sum()
    np.testing.assert_array_equal(bot_sessions(c, rec), sessions)
    contained = int((o == Outcome.CONTAINED).sum())
    bot = 0.25 * int(sessions.sum()) + 1.5 * contained
    # Penalties: abandoned or blocked callers and chatters; e-mails answered after 1 h or still
    # waiting for 15 min or more at the end.
    lost = np.isin(o, [int(Outcome.ABANDONED), int(Outcome.BLOCKED)])
    answered = np.isin(o, [int(Outcome.HANDLED), int(Outcome.IN_SERVICE)])
    waited = np.where(answered, rec.answer_s, rec.horizon_s) - rec.queued_s
    email = ch == EMAIL
    late = email & ((answered & (waited > H / 4)) | ((o == Outcome.WAITING) & (waited >= H / 4)))
    assert lost.sum() > 50 and late.sum() > 10  # the case exercises both penalties
    penalties = 4.0 * int(lost.sum()) + 2.5 * int(late.sum())
    fixed = 700.0 / 7  # one day of a week; callbacks are not switched on
    total = agents + bot + penalties + fixed
    served = int((o == Outcome.HANDLED).sum()) + contained
    t = res.totals
    expected = {
        "cost_total": total,
        "cost_agents": agents,
        "cost_overtime": 0.0,
        "cost_bot": bot,
        "cost_notices": 0.0,
        "cost_calls": 0.0,
        "cost_fixed": fixed,
        "cost_penalties": penalties,
        "cost_per_contact_handled": total / served,
        "paid_agent_h": 6 * 24.0,
        "overtime_agent_h": 0.0,
        "bot_sessions": float(sessions.sum()),
        "notices_sent": 0.0,
        "outbound_call_min": 0.0,
    }
    assert tuple(expected) == COST_KEYS
    for key, value in expected.items():
        assert t[key] == pytest.approx(value, rel=1e-12, abs=1e-9), key
    # Per channel: voice has the phones; chat and e-mail share the digital pool in proportion
    # to their planned workload (25/h x 300 s against 12.5/h x 400 s: 60% and 40%).
    per = res.channel_totals
    assert [x["cost_agents"] for x in per] == pytest.approx([2880.0, 576.0, 384.0], rel=1e-12)
    assert per[CHAT]["cost_bot"] == pytest.approx(bot) and per[VOICE]["cost_bot"] == 0
    assert per[EMAIL]["cost_penalties"] == pytest.approx(2.5 * int(late.sum()))
    for c_ in (VOICE, CHAT):
        n_lost = int((lost & (ch == c_)).sum())
        assert per[c_]["cost_penalties"] == pytest.approx(4.0 * n_lost)
    # Pools: their own paid time at their own rate.
    assert [p["cost_total"] for p in res.pool_totals] == pytest.approx([2880.0, 960.0])


def test_channels_add_up_to_the_centre():
    job = build({"chatbot": BOT, "staffing": {"add_agents": {"digital": 1}}})
    for r in range(2):
        res = run_replication(job.centre, job.settings, r)
        t, per = res.totals, res.channel_totals
        for key in COST_PART_KEYS:
            centre_only = key in ("cost_notices", "cost_fixed")
            in_channels = sum(x[key] for x in per)
            assert in_channels == pytest.approx(0.0 if centre_only else t[key], abs=1e-9), key
        assert sum(x["cost_total"] for x in per) + t["cost_notices"] + t["cost_fixed"] == (
            pytest.approx(t["cost_total"], rel=1e-12)
        )
        for key in ("paid_agent_h", "overtime_agent_h", "bot_sessions", "outbound_call_min"):
            assert sum(x[key] for x in per) == pytest.approx(t[key], abs=1e-9), key
        assert sum(p["cost_total"] for p in res.pool_totals) == pytest.approx(
            t["cost_agents"] + t["cost_overtime"]
        )


def test_overtime_is_what_the_staffing_strategy_adds():
    plain = build()
    base = run_replication(plain.centre, plain.settings, 0).totals
    more = build({"staffing": {"add_agents": {"phones": 2}}})
    np.testing.assert_array_equal(more.centre.costs.overtime_heads, [[2] * 24, [0] * 24])
    t = run_replication(more.centre, more.settings, 0).totals
    assert t["cost_agents"] == base["cost_agents"] == 3840.0  # the schedule before the strategy
    assert t["overtime_agent_h"] == 48.0 and t["paid_agent_h"] == 192.0
    assert t["cost_overtime"] == pytest.approx(48 * 30.0 * 1.5)  # time and a half
    # A premium of 0: overtime costs the pool's rate.
    flat = build({"staffing": {"add_agents": {"phones": 2}}}, dict(COSTS, overtime_premium=0.0))
    assert run_replication(flat.centre, flat.settings, 0).totals["cost_overtime"] == 48 * 30.0
    # Fewer agents are fewer paid hours, never negative overtime.
    fewer = build({"staffing": {"add_agents": {"phones": -1}}})
    t = run_replication(fewer.centre, fewer.settings, 0).totals
    assert t["cost_overtime"] == 0.0 and t["cost_agents"] == 3840.0 - 24 * 30.0


def test_overtime_of_added_shifts():
    centre = copy.deepcopy(CENTRE)
    centre["pools"]["digital"] = {
        "skills": {"chat": {"*": 1.0}, "email": {"*": 1.0}},
        "shifts": [{"start": "08:00", "length_h": 8, "count": 2}],
    }
    extra = {"shifts": {"digital": [{"start": "16:00", "length_h": 4, "count": 1}]}}
    job = build({"staffing": extra}, centre=centre)
    heads = job.centre.costs.overtime_heads[1]
    assert heads.sum() == 4 and (heads[16:20] == 1).all()
    t = run_replication(job.centre, job.settings, 0).totals
    assert t["overtime_agent_h"] == 4.0
    assert t["cost_overtime"] == pytest.approx(4 * 20.0 * 1.5)
    assert t["cost_agents"] == pytest.approx(4 * 24 * 30.0 + 2 * 8 * 20.0)


def test_fixed_costs_are_prorated_to_the_measured_horizon():
    two_days = dict(copy.deepcopy(CENTRE), horizon_days=2)
    job = build({"chatbot": BOT}, centre=two_days)
    assert run_replication(job.centre, job.settings, 0).totals["cost_fixed"] == pytest.approx(
        700.0 * 2 / 7
    )
    # A warm-up of 90 min drops two hourly intervals: 46 h of the week are paid.
    job = build({"chatbot": BOT}, centre=two_days, warmup_min=90)
    t = run_replication(job.centre, job.settings, 0).totals
    assert t["cost_fixed"] == pytest.approx(700.0 * 46 / 168)
    assert t["paid_agent_h"] == 6 * 46.0 and t["cost_agents"] == pytest.approx(46 * 160.0)
    # Several strategies switched on add up; a strategy that is off costs nothing.
    both = dict(COSTS, strategy_fixed_per_week={"chatbot": 700.0, "context": 350.0})
    job = build({"chatbot": BOT, "context": {"share": 0.5}}, both)
    t = run_replication(job.centre, job.settings, 0).totals
    assert t["cost_fixed"] == pytest.approx(1050.0 / 7)


EVENT = {
    "name": "outage",
    "start": "2026-01-05 06:00",
    "duration_h": 12,
    "magnitude": 1.0,
    "channels": ["voice"],
}
OUTREACH = {"event": "outage", "reach": 0.6, "prevention": 0.5, "lead_time_min": 60}


def test_notices_sent_are_reach_times_audience():
    centre = dict(copy.deepcopy(CENTRE), events=[EVENT])
    sms = build({"outreach": dict(OUTREACH, audience=1000)}, centre=centre)
    streams = RandomStreams(SEED, 0)
    assert sample_customers(sms.centre, streams).notices == (600.0,)
    res = run_replication(sms.centre, sms.settings, 0)
    t = res.totals
    assert t["notices_sent"] == 600.0 and t["cost_notices"] == pytest.approx(600 * 0.0083)
    assert all(x["cost_notices"] == 0.0 for x in res.channel_totals)  # the centre's only
    mail = build(
        {"outreach": dict(OUTREACH, audience=1000, via="email")},
        dict(COSTS, notice={"email": 0.002}),
        centre=centre,
    )
    assert run_replication(mail.centre, mail.settings, 0).totals["cost_notices"] == (
        pytest.approx(1.2)
    )
    # Without an audience: reach x the contacts the event brings in this run.
    plain = build({"outreach": OUTREACH}, centre=centre)
    ev = plain.centre.event_names.index("outage")
    expected = float(plain.centre.event_rate_per_s[ev].sum() * plain.centre.interval_s)
    assert sample_customers(plain.centre, RandomStreams(SEED, 0)).notices == (
        round(0.6 * expected),
    )
    # Notices sent during the warm-up are not part of the measured cost.
    early = build({"outreach": dict(OUTREACH, audience=1000)}, centre=centre, warmup_min=8 * 60)
    assert run_replication(early.centre, early.settings, 0).totals["notices_sent"] == 0.0


def test_outbound_call_minutes_are_priced_on_the_call_channel():
    centre = dict(copy.deepcopy(CENTRE), events=[EVENT])
    centre["pools"]["callers"] = {"skills": {"voice": {"*": 1.2}}, "agents": 2}
    strat = {"outreach": dict(OUTREACH, via="call", call_pool="callers", attempt_s=30)}
    job = build(strat, centre=centre)
    c = job.centre
    out = len(c.channels) - 1
    assert c.channels[out].name == "outbound_calls"
    rec = records_of(job)
    calls = (rec.channel == out) & ~np.isnan(rec.answer_s)
    end = np.where(np.isnan(rec.end_s), rec.horizon_s, rec.end_s)
    minutes = float((end - rec.answer_s)[calls].sum()) / 60.0
    assert minutes > 0
    res = run_replication(c, job.settings, 0)
    assert res.totals["outbound_call_min"] == pytest.approx(minutes, rel=1e-12)
    assert res.totals["cost_calls"] == pytest.approx(0.014 * minutes, rel=1e-12)
    assert res.totals["notices_sent"] == 0.0  # calls are not notices
    per = res.channel_totals
    assert per[out]["cost_calls"] == pytest.approx(res.totals["cost_calls"])
    assert per[out]["cost_penalties"] == 0.0  # no customer waits for an outbound call


def test_single_queue_and_estimates_with_confidence_intervals():
    cfg = {
        "scenario": {
            "horizon_h": 4,
            "interval_min": 60,
            "arrival_rate_per_h": 100,
            "agents": 9,
            "handle_time": exp_(300),
            "patience": exp_(120),
        },
        "run": {"seed": 3, "replications": 4, "plots": False, "n_jobs": 1},
        "costs": {"agent_hour": {"agents": 40.0}, "abandon_penalty": 10.0},
    }
    job = validate_config(cfg)
    result = run(job.centre, job.settings)
    assert result.currency == "USD"
    e = result.estimates
    assert e["cost_agents"].mean == 9 * 4 * 40.0 and e["cost_agents"].half_width == 0.0
    values = [r.totals["cost_total"] for r in result.replications]
    assert e["cost_total"].mean == pytest.approx(float(np.mean(values)))
    assert e["cost_total"].ci_low < e["cost_total"].mean < e["cost_total"].ci_high
    abandoned = [r.totals["abandoned"] for r in result.replications]
    assert e["cost_penalties"].mean == pytest.approx(10.0 * float(np.mean(abandoned)))
    assert result.pool_estimates[0]["paid_agent_h"].mean == 36.0


@pytest.mark.parametrize(
    ("costs", "key"),
    [
        ({"bot_session": -1}, "costs.bot_session"),
        ({"overtime_premium": float("nan")}, "costs.overtime_premium"),
        ({"abandon_penalty": float("inf")}, "costs.abandon_penalty"),
        ({"outbound_call_min": "cheap"}, "costs.outbound_call_min"),
        ({"agent_hour": {"phones": -5}}, "costs.agent_hour.phones"),
        ({"agent_hour": {"nobody": 30}}, "costs.agent_hour.nobody"),
        ({"agent_hour": 30}, "costs.agent_hour"),
        ({"notice": {"fax": 0.1}}, "costs.notice.fax"),
        ({"notice": {"call": 0.1}}, "costs.notice.call"),
        ({"notice": {"sms": -0.01}}, "costs.notice.sms"),
        ({"strategy_fixed_per_week": {"robots": 10}}, "costs.strategy_fixed_per_week.robots"),
        ({"strategy_fixed_per_week": {"chatbot": -10}}, "costs.strategy_fixed_per_week.chatbot"),
        ({"currency": ""}, "costs.currency"),
        ({"price_list": 3}, "costs.price_list"),
    ],
)
def test_prices_that_are_not_allowed(costs: dict[str, Any], key: str):
    with pytest.raises(ConfigError) as err:
        build(costs=costs)
    message = str(err.value)
    assert err.value.key == key and message.startswith(f"{key}=") and "\n" not in message
    # A single queue is checked the same way (its one pool is named "agents").
    single = {"scenario": {"arrival_rate_per_h": 10, "agents": 2}, "costs": costs}
    if "phones" not in key:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            validate_config(single)


def test_a_wrong_price_on_the_command_line_is_one_line_and_exit_status_2(tmp_path):
    for override, key in (
        ("costs.bot_session=-1", "costs.bot_session"),
        ("costs.agent_hour.nobody=30", "costs.agent_hour.nobody"),
    ):
        proc = run_ccsim(override, "run.replications=1", "hydra.run.dir=out", cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and key in lines[0], proc.stderr
        assert not (tmp_path / "out" / "summary.json").exists()


def test_costs_are_deterministic_and_the_records_do_not_change():
    priced = build({"chatbot": BOT})
    free = build({"chatbot": BOT}, costs={})
    a, b = records_of(priced), records_of(free)
    for name in ("arrival_s", "answer_s", "end_s", "outcome"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    x = run_replication(priced.centre, priced.settings, 0).totals
    y = run_replication(priced.centre, priced.settings, 0).totals
    assert all(x[k] == y[k] or (math.isnan(x[k]) and math.isnan(y[k])) for k in COST_KEYS)
