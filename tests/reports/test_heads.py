"""The report in heads and in planners' units (issue 25.3-4): agents required against scheduled
per channel and interval (whole agents, from intervals.csv), the worst intervals, per day and
per pool, the coverage figure; async waits in hours, no centre-wide or per-intent wait mixing
live channels with backlogs; the centre's netted total beside the channels' own sum; the
busiest interval's contacts by kind."""

from __future__ import annotations

import csv
import html
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

import ccsim
from ccsim.reports.formats import channel_line
from ccsim.reports.heads import day_rows, heads_of


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Any]:
    """small_centre: voice (own pool), chat and email (a shared pool), two days."""
    out = tmp_path_factory.mktemp("heads") / "run"
    result = ccsim.run_config(
        "small_centre", ["run.replications=2", "run.seed=7", "run.n_jobs=1"], out_dir=out
    )
    return out, result


def _csv(out: Path) -> list[dict[str, str]]:
    with open(out / "intervals.csv", newline="") as f:
        return list(csv.DictReader(f))


def _required(row: dict[str, str]) -> int:
    a, c = row["required_agents_erlang_a"], row["required_agents_erlang_c"]
    return math.ceil(float(a if a else c) - 1e-9)


def _md_table(md: str, heading: str) -> list[list[str]]:
    """The rows of the Markdown table under ``heading``."""
    lines = md.split(heading, 1)[1].splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    rows = []
    for ln in lines[start + 2 :]:
        if not ln.startswith("|"):
            break
        rows.append([cell.strip() for cell in ln.strip("|").split("|")])
    return rows


def test_heads_are_whole_agents_from_intervals_csv(small):
    out, result = small
    rows = {(r["day"], r["time"], r["channel"]): r for r in _csv(out)}
    md = (out / "report.md").read_text()
    worst = _md_table(md, "### Worst intervals")
    assert worst and len(worst) <= 10
    shorts = []
    for day, time, channel, required, scheduled, short in worst:
        row = rows[(day, time, channel)]
        assert required == str(_required(row))
        assert float(scheduled) == pytest.approx(float(row["agents_scheduled"]), abs=0.05)
        assert re.fullmatch(r"\d+", short)  # whole agents
        # ceil(required) - scheduled, in whole agents to add where the channel's agents are a
        # share of a shared pool's.
        want = math.ceil(_required(row) - float(row["agents_scheduled"]) - 1e-9)
        assert int(short) == want > 0
        if channel == "voice":  # its own pool: whole agents scheduled
            assert int(short) == _required(row) - int(float(row["agents_scheduled"]))
        shorts.append(int(short))
    assert shorts == sorted(shorts, reverse=True)
    # Every channel-interval, not only the worst: the same from the result.
    h = heads_of(result)
    names = [ch.name for ch in result.centre.channels]
    for (_, _, channel), row in rows.items():
        c, k = names.index(channel), int(row["interval"])
        if channel == "email":  # async: no heads
            assert math.isnan(h.required[c, k]) and h.short[c, k] == 0
            continue
        assert h.required[c, k] == _required(row)
        assert h.short[c, k] == math.ceil(_required(row) - float(row["agents_scheduled"]) - 1e-9)
    # The headline sentence and card name the worst one.
    day, time, channel, required, scheduled, short = worst[0]
    assert f"**Worst interval: {short} short on {channel}, {day} {time} ({required}" in md
    page = (out / "report.html").read_text()
    card = re.search(r'id="kpi-heads_short" data-value="([^"]+)"', page)
    assert card and float(card.group(1)) == int(short)
    assert "heads short at the worst interval" in page and 'id="heads"' in page


def test_heads_per_day_and_pool_add_up(small):
    out, result = small
    md = (out / "report.md").read_text()
    per_day = _md_table(md, "### Heads per day")
    h = heads_of(result)
    assert [(r[0], r[1]) for r in per_day] == [(s.label, s.name) for s in day_rows(result, h)]
    by_day: dict[tuple[str, str], list[int]] = {}
    for row in _csv(out):
        if row["channel"] == "email":
            continue
        short = math.ceil(_required(row) - float(row["agents_scheduled"]) - 1e-9)
        by_day.setdefault((row["day"], row["channel"]), []).append(short)
    for day, channel, peak, _at, n_under, head_hours in per_day:
        shorts = by_day[(day, channel)]
        assert int(peak) == max(max(shorts), 0)
        assert int(n_under) == sum(s > 0 for s in shorts)
        assert float(head_hours) == pytest.approx(sum(max(s, 0) for s in shorts) * 0.5, abs=0.05)
    pools = {r[0]: r for r in _md_table(md, "### Heads per pool")}
    assert pools["digital_team"][2] == "n/a (async)"  # it answers the e-mails too
    voice = [r for r in per_day if r[1] == "voice"]
    assert float(pools["voice_team"][5]) == pytest.approx(sum(float(r[5]) for r in voice))
    assert "email (async): no heads per interval" in md


def test_coverage_figure(small):
    out, _ = small
    assert (out / "coverage.png").stat().st_size > 10_000
    md = (out / "report.md").read_text()
    assert "![coverage.png](coverage.png)" in md
    assert (out / "report.html").read_text().count("coverage.png") >= 1


def test_async_waits_in_hours_and_no_mixed_waits(small):
    out, result = small
    summary = json.loads((out / "summary.json").read_text())
    md = (out / "report.md").read_text()
    rows = {r[0]: r for r in _md_table(md, "## Per channel")}
    email_h = summary["channels"]["email"]["asa_s"]["mean"] / 3600
    voice_s = summary["channels"]["voice"]["asa_s"]["mean"]
    assert rows["email"][4] == f"{email_h:,.1f} h"
    assert rows["voice"][4] == f"{voice_s:,.1f} s"
    page = (out / "report.html").read_text()
    assert f'<td class="r">{email_h:,.1f} h</td>' in page
    # Log lines: the same units, no "nan".
    chans = result.centre.channels
    lines = [channel_line(ch, ce) for ch, ce in zip(chans, result.channel_estimates, strict=True)]
    assert f"ASA {email_h:,.1f} h" in lines[2] and f"ASA {voice_s:,.1f} s" in lines[0]
    # The whole centre mixes live channels and a backlog: no wait, with the reason.
    centre = md.split("## Whole centre", 1)[1].split("## Cost", 1)[0]
    assert "ASA" not in centre and "(s)" not in centre
    assert "Waits and times in queue are left out of the whole centre" in centre
    intents = md.split("## Per intent", 1)[1].split("## Per pool", 1)[0]
    assert "ASA |" not in intents and "ASA per intent is left out" in intents
    for text in (md, page):
        assert "nan%" not in text and "ASA (s)" not in text


def test_the_netting_sentence_states_both_totals(small):
    out, _ = small
    summary = json.loads((out / "summary.json").read_text())
    md = (out / "report.md").read_text()
    m = re.search(
        r"Demand exceeds capacity by \*\*([\d,.]+) agent-hours\*\* in total.*?\(channels netted "
        r"within each interval; the channels' own shortfalls sum to ([\d,.]+) agent-hours",
        md,
    )
    assert m, md[:2000]
    centre = summary["totals"]["positive_demand_delta_h"]["mean"]
    own = sum(ch["positive_demand_delta_h"]["mean"] for ch in summary["channels"].values())
    assert m.group(1) == f"{centre:,.1f}" and m.group(2) == f"{own:,.1f}"
    assert own >= centre  # netting can only hide shortfalls
    page = html.unescape((out / "report.html").read_text())
    assert f"the channels' own shortfalls sum to {own:,.1f} agent-hours" in page


def test_the_busiest_interval_by_kind(small):
    out, _ = small
    md = (out / "report.md").read_text()
    m = re.search(
        r"The busiest interval: ([\d,]+) contacts offered on (\w+), (\S+ \S+) (\d\d:\d\d) "
        r"\(mean over replications\): (.*?)\.\n",
        md,
    )
    assert m, md[:2000]
    offered, channel, day, time, parts = m.groups()
    counts = dict(
        (label, int(n.replace(",", ""))) for n, label in re.findall(r"(\d[\d,]*) ([a-z]+)", parts)
    )
    plural = {"retry": "retries", "repeat": "repeats", "chaser": "chasers"}
    counts = {plural.get(label, label): n for label, n in counts.items()}
    assert list(counts)[:4] == ["new", "retries", "repeats", "chasers"]
    assert sum(counts.values()) == int(offered.replace(",", ""))
    rows = _csv(out)
    top = max(rows, key=lambda r: float(r["offered"]))
    assert (top["day"], top["time"], top["channel"]) == (day, time, channel)
    assert int(offered.replace(",", "")) == round(float(top["offered"]))
    for kind in ("new", "retries", "repeats", "chasers"):
        assert abs(counts[kind] - float(top[kind])) < 1  # whole contacts, adding up


def test_a_backlog_only_centre_has_waits_in_hours_and_no_heads(tmp_path):
    cfg = {
        "centre": {
            "name": "inbox",
            "start": "2026-01-05 00:00",
            "horizon_days": 1,
            "interval_min": 60,
            "channels": {
                "email": {
                    "mode": "async",
                    "daily_volume": 200,
                    "handle_time": {"dist": "exponential", "mean_s": 300},
                    "target_response_h": 4,
                }
            },
            "intents": {"billing": {"share": {"email": 1}}},
            "pools": {"team": {"skills": {"email": {"*": 1.0}}, "agents": 2}},
        },
        "run": {"seed": 1, "replications": 2, "n_jobs": 1},
    }
    ccsim.run_config(cfg, out_dir=tmp_path)
    md = (tmp_path / "report.md").read_text()
    centre = md.split("## Whole centre", 1)[1].split("## Cost", 1)[0]
    assert "| ASA, answered contacts (h) |" in centre and " (s) |" not in centre
    assert "email (async): no heads per interval" in md
    assert not (tmp_path / "coverage.png").exists()
    assert 'id="kpi-heads_short"' not in (tmp_path / "report.html").read_text()
