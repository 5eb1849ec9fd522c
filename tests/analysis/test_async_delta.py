"""The async demand delta by deadline (issue 25.2): the fluid inbox model on hand-computed
cases and against a linear programme, and on the default week: e-mail that meets its 24-hour
target is not short, e-mail whose evening and Sunday cover is cut misses it and is short."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from ccsim.analysis.deadline_delta import deadline_delta, deadline_deltas, due_h

DAY = 24  # hourly intervals in these hand-computed cases


def _daytime(per_h: float, days: int = 2, hours: range = range(8, 18)) -> np.ndarray:
    cap = np.zeros(DAY * days)
    for d in range(days):
        cap[[d * DAY + h for h in hours]] = per_h
    return cap


def test_night_burst_with_a_24h_target_is_answered_by_the_day_shift() -> None:
    """10 agent-h arriving 02:00-03:00, due 24 h later; 2 agent-h/h from 08:00 to 18:00:
    done by 13:00, never short; the rest of the day's capacity found the inbox empty."""
    work = np.zeros(2 * DAY)
    work[2] = 10.0
    d = deadline_delta(work, _daytime(2.0), lag=24)
    assert d.short_h.sum() == 0.0
    assert d.backlog_h[7] == 10.0 and d.backlog_h[12] == 0.0  # worked 08:00-13:00
    assert d.spare_h[13:18].sum() == pytest.approx(10.0)  # the rest of day 1
    assert d.spare_h[DAY:].sum() == pytest.approx(20.0)  # all of day 2
    assert np.all(d.delta_h[8:13] == 0.0)  # every agent-hour used: neither short nor spare
    # The arrival-interval delta would call 02:00 10 agent-h short, and the day shift spare.
    assert (work - _daytime(2.0))[2] == 10.0


def test_cut_capacity_is_short_just_before_the_deadline_by_the_missing_work() -> None:
    """The same burst with 0.5 agent-h/h: 5 agent-h done on day 1 before the deadline (end of
    02:00-03:00 on day 2); the 5 missing are short in that last interval, nowhere else."""
    work = np.zeros(2 * DAY)
    work[2] = 10.0
    d = deadline_delta(work, _daytime(0.5), lag=24)
    assert d.short_h[DAY + 2] == pytest.approx(5.0)
    assert d.short_h.sum() == pytest.approx(5.0)
    assert np.flatnonzero(d.short_h).tolist() == [DAY + 2]
    # Once added, the work counts as done: day 2's capacity finds the inbox empty.
    assert d.backlog_h[DAY + 2] == 0.0
    assert d.spare_h[DAY:].sum() == pytest.approx(5.0)
    assert d.spare_h[:DAY].sum() == 0.0  # day 1's capacity all worked the burst


def test_backlog_is_carried_and_nothing_is_overdue_at_the_start() -> None:
    """3 agent-h per interval for 4 intervals, capacity 2 per interval. Due 2 intervals later:
    the backlog (1, 2, 3, 4, 2, 0) is always worked in time; due 1 interval later: short 1 at
    the ends of intervals 3 and 4 (12 due by then, 10 of capacity), then spare."""
    work = np.array([3.0, 3, 3, 3, 0, 0, 0, 0])
    cap = np.full(8, 2.0)
    d = deadline_delta(work, cap, lag=2)
    assert d.short_h.sum() == 0.0
    assert d.backlog_h.tolist() == [1.0, 2.0, 3.0, 4.0, 2.0, 0.0, 0.0, 0.0]
    assert d.spare_h.tolist() == [0.0] * 6 + [2.0, 2.0]
    d = deadline_delta(work, cap, lag=1)
    assert d.short_h.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert d.spare_h.tolist() == [0.0] * 5 + [2.0, 2.0, 2.0]
    assert d.delta_h.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, -2.0, -2.0, -2.0]
    # At the start nothing is overdue: a deficit needs work that arrived in the horizon.
    assert deadline_delta(np.zeros(4), np.zeros(4), lag=1).short_h.sum() == 0.0


def test_a_fractional_target_splits_the_work_between_two_deadlines() -> None:
    """Work arriving evenly over an interval with a target of 1.5 intervals is half due at the
    end of the next interval, half one later."""
    work = np.array([4.0, 0, 0, 0])
    assert due_h(work, 1.5).tolist() == [0.0, 2.0, 2.0, 0.0]
    assert due_h(work, 2.0).tolist() == [0.0, 0.0, 4.0, 0.0]
    d = deadline_delta(work, np.zeros(4), lag=1.5)
    assert d.short_h.tolist() == [0.0, 2.0, 2.0, 0.0]
    d = deadline_delta(work, np.array([1.0, 0, 0, 0]), lag=1.5)
    assert d.short_h.tolist() == [0.0, 1.0, 2.0, 0.0]  # 4 - 1 short, as the deadlines fall
    # Work due after the end of the horizon is never short.
    assert deadline_delta(work, np.zeros(4), lag=3.5).short_h.tolist() == [0.0, 0.0, 0.0, 2.0]
    assert deadline_delta(work, np.zeros(4), lag=4).short_h.sum() == 0.0


def test_a_target_of_zero_is_the_sync_delta() -> None:
    rng = np.random.default_rng(1)
    work, cap = rng.gamma(1.0, 2.0, 50), rng.gamma(1.0, 2.0, 50)
    np.testing.assert_allclose(deadline_delta(work, cap, 0).delta_h, work - cap, atol=1e-12)


def test_channels_sharing_agents_work_the_earliest_deadline_first() -> None:
    """A message due in 1 interval and an e-mail due in 4, one agent-hour each, one agent-hour
    of capacity per interval: the message first, then the e-mail, nobody short; apart, with
    the capacity split evenly, the message would be short."""
    work = np.array([[1.0, 0, 0, 0, 0], [1.0, 0, 0, 0, 0]])  # messaging, email
    cap = np.array([[0.5] * 5, [0.5] * 5])
    d = deadline_deltas(work, cap, [1, 4])
    assert d.short_h.sum() == 0.0
    assert d.backlog_h[:, 0].tolist() == [0.0, 1.0]  # the message done in interval 0
    assert deadline_delta(work[0], cap[0], 1).short_h.sum() == pytest.approx(0.0)
    assert deadline_delta(np.array([2.0, 0, 0]), np.array([0.5, 0.5, 0.5]), 1).short_h[1] == 1.0


def _least_extra_capacity(work: np.ndarray, cap: np.ndarray, lags: list[float]) -> float:
    """The least extra capacity that meets every deadline, by linear programme: each
    interval's work of each channel (split between its two deadlines as the model splits it) is
    done in intervals from its arrival to its deadline; capacity + extra bounds each
    interval's work."""
    n = work.shape[1]
    pieces = []  # (arrival, deadline, amount)
    for c, lag in enumerate(lags):
        q, f = int(np.floor(lag)), lag - np.floor(lag)
        for k in range(n):
            for d, amount in ((k + q, (1 - f) * work[c, k]), (k + q + 1, f * work[c, k])):
                if d < n and amount > 0:
                    pieces.append((k, d, amount))
    flows = [(i, j) for i, (k, d, _) in enumerate(pieces) for j in range(k, d + 1)]
    n_var = len(flows) + n  # the flows, then the extra capacity per interval
    a_eq = np.zeros((len(pieces), n_var))
    a_ub = np.zeros((n, n_var))
    for v, (i, j) in enumerate(flows):
        a_eq[i, v] = 1.0
        a_ub[j, v] = 1.0
    a_ub[np.arange(n), len(flows) + np.arange(n)] = -1.0
    cost = np.r_[np.zeros(len(flows)), np.ones(n)]
    res = linprog(cost, A_ub=a_ub, b_ub=cap.sum(axis=0), A_eq=a_eq, b_eq=[p[2] for p in pieces])
    assert res.status == 0
    return float(res.fun)


@pytest.mark.parametrize("seed", range(12))
def test_the_shortfall_is_the_least_extra_capacity_that_meets_every_deadline(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 3)), 20
    work = rng.gamma(0.6, 2.0, (m, n)) * (rng.random((m, n)) < 0.7)
    cap = rng.gamma(0.8, 1.5, (m, n)) * (rng.random((m, n)) < 0.6)
    lags = [float(rng.choice([0.0, 0.5, 1.0, 2.5, 4.0, 7.0])) for _ in range(m)]
    d = deadline_deltas(work, cap, lags)
    assert d.short_h.sum() == pytest.approx(_least_extra_capacity(work, cap, lags), abs=1e-7)
    # With the shortfall added where the model places it, no extra capacity is needed.
    again = deadline_deltas(work, cap + d.short_h, lags)
    assert again.short_h.sum() == pytest.approx(0.0, abs=1e-9)
    assert np.all(d.short_h >= 0) and np.all(d.spare_h >= 0)
    assert np.all((d.short_h == 0) | (d.spare_h == 0))  # never both in one interval


def test_one_channel_first_due_first_is_earliest_deadline_first() -> None:
    """The one-channel shortcut (oldest work first) gives what the pooled inbox gives."""
    from ccsim.analysis.deadline_delta import _earliest_deadline_first, _first_due_first, _split

    rng = np.random.default_rng(7)
    for lag in (0.0, 0.5, 3.0, 7.25):
        work = rng.gamma(0.6, 2.0, 40) * (rng.random(40) < 0.7)
        cap = rng.gamma(0.8, 1.5, 40) * (rng.random(40) < 0.6)
        fast = _first_due_first(work, cap, due_h(work, lag), 1e-12)
        edf = _earliest_deadline_first(work[None], cap[None], [_split(lag)], 1e-12)
        for a, b in zip(fast, edf, strict=True):
            np.testing.assert_allclose(a, b, atol=1e-9)


# --- the default week -------------------------------------------------------------------------

# Evening and Sunday cover of the digital team (the pool that answers e-mail and messages) cut:
# the 15:30-24:00 shift (Monday-Saturday) from 4 agents to 1, Sunday's shifts from 5 and 2 to
# 2 and 1 (conf/scenario/default_week.yaml).
EVENINGS_CUT = (
    "centre.pools.digital_team.shifts.4.count=1",
    "centre.pools.digital_team.shifts.7.count=2",
    "centre.pools.digital_team.shifts.8.count=1",
)


def _week(*overrides: str):  # type: ignore[no-untyped-def]
    import ccsim

    return ccsim.run_result("default_week", ["run.replications=2", *overrides])


@pytest.fixture(scope="module")
def week():  # type: ignore[no-untyped-def]
    return _week()


@pytest.fixture(scope="module")
def week_cut():  # type: ignore[no-untyped-def]
    return _week(*EVENINGS_CUT)


def _email(res):  # type: ignore[no-untyped-def]
    return res.channels.loc["email"]


def test_email_meeting_its_24h_target_is_not_short(week) -> None:  # type: ignore[no-untyped-def]
    email = _email(week)
    assert email["sl_answered_within_t"] >= 0.9  # its target: 90% within 24 h
    assert email["planned_positive_demand_delta_h"] < 0.5  # the plan meets every deadline
    assert email["positive_demand_delta_h"] < 10.0  # the simulated e-mails nearly so
    # Charged to the interval it arrives in, the same work would look well short: the night.
    iv = week.intervals[week.intervals["channel"] == "email"]
    by_arrival = (iv["planned_workload_h"] - iv["capacity_h"]).clip(lower=0).sum()
    assert by_arrival > 50.0


def test_email_whose_evening_cover_is_cut_misses_its_target_and_is_short(  # type: ignore[no-untyped-def]
    week, week_cut
) -> None:
    email, base = _email(week_cut), _email(week)
    assert email["sl_answered_within_t"] < 0.9
    assert email["planned_positive_demand_delta_h"] > 5.0
    assert email["positive_demand_delta_h"] > 15.0
    assert email["positive_demand_delta_h"] > base["positive_demand_delta_h"] + 10.0
    assert email["late_async_workload_h"] > base["late_async_workload_h"] + 20.0
    iv = week_cut.intervals[week_cut.intervals["channel"] == "email"]
    short = iv[iv["planned_demand_delta_h"] > 0]
    # The plan is short before the deadlines Saturday's e-mails miss, on the thin Sunday, not
    # at the night arrivals.
    assert (short["start"].dt.day_of_week == 6).all() and short["start"].dt.hour.min() >= 9


def test_sync_channels_keep_their_delta_per_interval(week) -> None:  # type: ignore[no-untyped-def]
    iv = week.intervals
    for name in ("voice", "chat"):
        ch = iv[iv["channel"] == name]
        np.testing.assert_allclose(
            ch["demand_delta_h"], ch["demand_workload_h"] - ch["capacity_h"], atol=1e-9
        )
        np.testing.assert_allclose(
            ch["planned_demand_delta_h"], ch["planned_workload_h"] - ch["capacity_h"], atol=1e-9
        )


def _area(fill) -> float:  # type: ignore[no-untyped-def]
    """The area of a fill_between's polygons (shoelace), in data units."""
    total = 0.0
    for path in fill.get_paths():
        for poly in path.to_polygons():
            x, y = poly[:, 0], poly[:, 1]
            total += 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
    return total


def test_the_figures_shade_only_the_deadlines_missed(week_cut) -> None:  # type: ignore[no-untyped-def]
    from ccsim.reports.heatmap import delta_heatmap_data
    from ccsim.reports.plots import demand_delta_figure

    run = week_cut.run
    iv = run.interval_means()
    n_k, step_h = run.centre.n_intervals, run.centre.interval_s / 3600
    fig = demand_delta_figure(run)
    for c, ch in enumerate(run.centre.channels):
        if ch.mode != "async":
            continue
        (fill,) = [f for f in fig.axes[c].collections if f.get_label().startswith("short")]
        short = np.clip(iv["demand_delta_h"][c * n_k : (c + 1) * n_k], 0.0, None)
        assert short.sum() > 1.0
        assert _area(fill) == pytest.approx(short.sum() * step_h, rel=1e-6)
    hm = delta_heatmap_data(run)
    assert hm is not None
    email = iv["demand_delta_h"][2 * n_k : 3 * n_k]
    np.testing.assert_array_equal(hm.values["email"].ravel()[:n_k], email)


def test_the_reports_give_each_async_channel_its_deadline_figures(week) -> None:  # type: ignore[no-untyped-def]
    from ccsim.reports.deadlines import deadline_md, deadline_table

    lines = "\n".join(deadline_md(week.run))
    email = _email(week)
    assert "## Async channels: the demand delta by deadline" in lines
    assert f"| email | 90.0% within 24 h | {email['sl_answered_within_t']:.1%} |" in lines
    assert "| messaging | 80.0% within 2 h |" in lines and "| voice |" not in lines
    table, _ = deadline_table(week.run)
    assert table is not None and [r[0].text for r in table.rows] == ["email", "messaging"]
