"""A run's figures: Figure objects without pyplot, calendar and clock time axes, channel colours
shared by every figure (and the comparison's), the day x time-of-day heat map of the demand
delta (its values are the interval table's), and the same PNG bytes on every render."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

import ccsim
from ccsim.reports.files import save_png
from ccsim.reports.palette import CHANNEL_COLOURS, channel_colour, channel_colours, pool_colours
from ccsim.reports.plots import (
    HEATMAP_FILE,
    PLOT_FILES,
    delta_heatmap_data,
    delta_heatmap_figure,
    demand_delta_figure,
    occupancy_figure,
    service_level_figure,
    time_ticks,
    write_plots,
)
from ccsim.reports.tables import interval_table
from ccsim.sweeps.collect import Collection, Job
from ccsim.sweeps.pairing import Comparison, ComparisonReport
from ccsim.sweeps.plots import channel_effects_figure

RUN = ["run.replications=1", "run.n_jobs=1", "run.plots=false", "run.warmup_min=60"]
WEEKDAY = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d [A-Z][a-z]{2}\b")
HHMM = re.compile(r"^\d\d:\d\d$")


@pytest.fixture(scope="module")
def centre():
    """Two calendar days (Mon 05 Jan 2026 on), three channels, two pools."""
    return ccsim.run_config("small_centre", RUN)


@pytest.fixture(scope="module")
def one_day():
    return ccsim.run_config("small_centre", [*RUN, "centre.horizon_days=1"])


@pytest.fixture(scope="module")
def day_queue():
    """A single queue on the clock, 08:00 to 20:00 (no calendar)."""
    return ccsim.run_config("default_day", RUN)


@pytest.fixture(scope="module")
def two_day_queue():
    return ccsim.run_config("erlang_c", [*RUN, "scenario.horizon_h=48"])


def _labels(fig: Figure) -> list[str]:
    fig.canvas.draw()
    ax = fig.axes[len(fig.axes) - 1]
    return [t.get_text() for m in (False, True) for t in ax.get_xticklabels(minor=m)]


def _line_colour(ax, label_start: str) -> tuple:  # type: ignore[no-untyped-def]
    (line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith(label_start)]
    return to_rgba(line.get_color())


def test_figure_functions_return_figures_with_an_axes_per_channel(centre, day_queue):
    n_c = len(centre.centre.channels)
    for fn in (demand_delta_figure, service_level_figure):
        fig = fn(centre)
        assert isinstance(fig, Figure) and len(fig.axes) == n_c
        assert len(fn(day_queue).axes) == 1
    assert len(occupancy_figure(centre).axes) == 1
    heat = delta_heatmap_figure(centre)
    assert isinstance(heat, Figure)
    panels = [a for a in heat.axes if a.get_visible() and a.get_images()]
    assert len(panels) == n_c + 1  # every channel and the centre
    assert len(heat.axes) == 2 * (n_c + 1)  # a colour bar each


def test_figures_are_not_pyplot_figures_and_leave_the_backend_alone():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    code = (
        "import matplotlib; matplotlib.use('svg'); import ccsim.reports.plots, "
        "ccsim.sweeps.plots; print(matplotlib.get_backend())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "svg"
    assert plt.get_fignums() == before


def test_a_calendar_run_shows_day_names_and_times_of_day(centre):
    labels = _labels(demand_delta_figure(centre))
    assert any("Mon 05 Jan" in t for t in labels) and any("Tue 06 Jan" in t for t in labels)
    assert "12:00" in labels
    assert not any("hours since" in t for t in labels)


def test_a_single_queue_shows_clock_times(day_queue, two_day_queue):
    labels = [t for t in _labels(service_level_figure(day_queue)) if t]
    assert labels[0] == "08:00" and all(HHMM.match(t) for t in labels)
    assert not any(WEEKDAY.search(t) for t in labels)
    two = _labels(demand_delta_figure(two_day_queue))
    assert "00:00\nDay 2" in two and "06:00" in two  # beyond a day, the day under midnight
    fig = demand_delta_figure(two_day_queue)
    assert fig.axes[0].format_xdata(30.0) == "Day 2 06:00"  # the cursor reads the clock


@pytest.mark.parametrize(
    ("days", "calendar", "expect"),
    [
        (7, True, ["Mon 05 Jan", "Sun 11 Jan"]),  # a week: the days
        (7, False, ["Day 1", "Day 7"]),
        (31, True, ["Mon 12 Jan", "Mon 02 Feb"]),  # a month: the weeks (Mondays)
        (200, True, ["Feb 2026", "Jul 2026"]),  # longer: the months
    ],
)
def test_tick_density_follows_the_horizon(days, calendar, expect):
    from datetime import datetime

    fake = SimpleNamespace(
        start=datetime(2026, 1, 5) if calendar else None,
        centre=SimpleNamespace(horizon_s=days * 86400.0, clock_start_h=0.0),
    )
    ticks = time_ticks(fake)  # type: ignore[arg-type]
    shown = [t for t in ticks.major_labels + ticks.minor_labels if t]
    assert len(shown) <= 16
    for e in expect:
        assert e in shown


def test_a_week_starting_mid_morning_names_its_first_day():
    from datetime import datetime

    fake = SimpleNamespace(
        start=datetime(2026, 1, 5, 6, 0), centre=SimpleNamespace(horizon_s=7 * 86400.0)
    )
    ticks = time_ticks(fake)  # type: ignore[arg-type]
    assert ticks.minor_labels[0] == "Mon 05 Jan" and ticks.minor[0] == 6.0  # its noon
    assert ticks.major[0] == 18.0  # the first midnight


def test_channels_keep_their_colours_in_every_figure(centre):
    expected = channel_colours(ch.name for ch in centre.centre.channels)
    assert expected["voice"] == CHANNEL_COLOURS["voice"] and expected["chat"] != expected["voice"]
    delta, sl = demand_delta_figure(centre), service_level_figure(centre)
    for i, ch in enumerate(centre.centre.channels):
        want = to_rgba(expected[ch.name])
        work = "work due" if ch.mode == "async" else "demand workload"  # async: by deadline
        assert _line_colour(delta.axes[i], work) == want
        assert _line_colour(sl.axes[i], "service level") == want
    occ = occupancy_figure(centre).axes[0]
    pools = pool_colours(p.name for p in centre.centre.pools)
    for p in centre.centre.pools:
        assert _line_colour(occ, p.name) == to_rgba(pools[p.name])
    assert len(set(pools.values())) == len(pools)


def test_other_channel_names_get_stable_distinct_colours():
    names = ["voice", "claims", "returns", "b2b", "vip"]
    a = channel_colours(names)
    assert a == channel_colours(list(reversed(names)))  # the set decides, not the order
    assert len(set(a.values())) == len(names)
    assert channel_colour("claims") == channel_colour("claims")
    assert "#d62728" not in a.values()  # red is the deficit's


def _job(name: str, strategies: tuple[str, ...], shift: float) -> Job:
    values = {}
    for i, ch in enumerate(("all", "voice", "chat", "email")):
        for m in ("positive_demand_delta_h", "sl_answered_within_t", "abandon_rate"):
            values[(ch, m)] = {r: 10.0 + i - shift * (r + 1) for r in range(3)}
    return Job(name, 1, 3, strategies, {}, {}, None, {}, values)


def test_the_comparison_draws_channels_in_their_run_colours(centre):
    base, other = _job("0", (), 0.0), _job("1", ("callbacks",), 0.5)
    coll = Collection(Path("."), [base, other], [], [])
    report = ComparisonReport(coll, frozenset(), [Comparison(other, base, {})], [], Path("."), [])
    fig = channel_effects_figure(report)
    assert fig is not None and len(fig.axes) == 3
    run = channel_colours(ch.name for ch in centre.centre.channels)
    for ax, scale in zip(fig.axes, (1.0, 100.0, 100.0), strict=True):  # agent-h, pp, pp
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        got = {c.get_label(): c.patches[0].get_facecolor() for c in bars}
        assert got == {ch: to_rgba(run[ch]) for ch in ("voice", "chat", "email")}
        assert [round(p.get_width(), 9) for c in bars for p in c.patches] == [-scale] * 3


def test_heat_map_cells_are_the_interval_tables_demand_delta(centre, two_day_queue):
    hm = delta_heatmap_data(centre)
    c = centre.centre
    per_day = round(86400 / c.interval_s)
    assert hm is not None and hm.days == ["Mon 05 Jan", "Tue 06 Jan"]
    assert hm.names == [ch.name for ch in c.channels] + ["all"]
    table = interval_table(centre)
    days = list(dict.fromkeys(table["day"]))
    total = np.zeros((2, per_day))
    for day, time, ch, v in zip(
        table["day"], table["time"], table["channel"], table["demand_delta_h"], strict=True
    ):
        d, k = days.index(day), hm.times.index(time)
        assert hm.values[ch][d, k] == v
        total[d, k] += v
    for name in hm.names:
        assert hm.values[name].shape == (2, per_day)
    np.testing.assert_allclose(hm.values["all"], total)
    assert hm.warmup.sum() == 2  # 60 min of 30-min intervals
    clock = delta_heatmap_data(two_day_queue)
    assert clock is not None and clock.days == ["Day 1", "Day 2"] and clock.names == ["voice"]
    assert clock.values["voice"].shape == (2, 24) and clock.times[8] == "08:00"


def _no_render(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """write_plots builds every figure but writes an empty file (rendering is the slow part)."""
    import ccsim.reports.plots as plots

    def save(fig, path):  # type: ignore[no-untyped-def]
        assert isinstance(fig, Figure)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(b"")
        return Path(path)

    monkeypatch.setattr(plots, "save_png", save)


def test_write_plots_adds_the_heat_map_to_runs_of_two_days_or_more(
    centre, one_day, tmp_path, monkeypatch
):
    _no_render(monkeypatch)
    assert [p.name for p in write_plots(centre, tmp_path / "on")] == list(PLOT_FILES)
    assert PLOT_FILES[-1] == HEATMAP_FILE == "demand_delta_heatmap.png"
    assert delta_heatmap_data(one_day) is None and delta_heatmap_figure(one_day) is None
    assert [p.name for p in write_plots(one_day, tmp_path / "short")] == list(PLOT_FILES[:3])
    off = replace(centre, settings=replace(centre.settings, heat_map=False))  # run.heat_map=false
    assert [p.name for p in write_plots(off, tmp_path / "off")] == list(PLOT_FILES[:3])
    assert not (tmp_path / "off" / HEATMAP_FILE).exists()


def test_same_result_same_png_bytes(centre, tmp_path):
    for fn in (demand_delta_figure, delta_heatmap_figure):
        a = save_png(fn(centre), tmp_path / "a.png").read_bytes()
        b = save_png(fn(centre), tmp_path / "b.png").read_bytes()
        assert a == b and a[:8] == b"\x89PNG\r\n\x1a\n", fn.__name__
