"""``ccsim-report`` in money: each strategy's paired cost effects (lever cost, saving, net, cost
per agent-hour of demand delta closed) checked by hand against the replications, the money
waterfall, and older result folders without costs (their money sections are left out)."""

from __future__ import annotations

import copy
import csv
import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from ccsim.runs.job import run_job
from ccsim.sweeps.compare import compare
from ccsim.sweeps.costs import MONEY_METRICS

N = 5  # replications


def exp_(mean_s: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_s": mean_s}


CENTRE: dict[str, Any] = {
    "name": "money",
    "start": "2026-01-05 00:00",
    "horizon_days": 1,
    "interval_min": 60,
    "channels": {
        "voice": {"daily_volume": 1000, "handle_time": exp_(240), "patience": exp_(90)},
        "chat": {"daily_volume": 700, "handle_time": exp_(300), "patience": exp_(150)},
    },
    "intents": {"billing": {"share": {"voice": 1, "chat": 1}}},
    "pools": {
        "phones": {"skills": {"voice": {"*": 1.0}}, "agents": 3},
        "digital": {"skills": {"chat": {"*": 1.0}}, "agents": 2},
    },
}
VARIANTS: list[dict[str, Any]] = [
    {},
    {"chatbot": {"channels": ["chat"], "containment": 0.4, "session_time": exp_(60)}},
    {
        "chatbot": {"channels": ["chat"], "containment": 0.4, "session_time": exp_(60)},
        "staffing": {"add_agents": {"phones": 1}},
    },
]
COSTS = {"abandon_penalty": 4.0, "strategy_fixed_per_week": {"chatbot": 350.0}}


def _cfg(strategy: dict[str, Any]) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "centre": copy.deepcopy(CENTRE),
        "run": {"seed": 5, "replications": N, "plots": False, "n_jobs": 1},
        "costs": copy.deepcopy(COSTS),
    }
    if strategy:
        cfg["strategy"] = copy.deepcopy(strategy)
    return cfg


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("money") / "study"
    for i, strategy in enumerate(VARIANTS):
        run_job(_cfg(strategy), root / str(i), resume=False)
    return root, compare(root)


def _paired(a: dict[int, float], b: dict[int, float]) -> tuple[float, float, float]:
    d = np.array([a[r] - b[r] for r in sorted(a)])
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_paired_cost_effects_by_hand(study):
    root, rep = study
    comps = {c.job.name: c for c in rep.comparisons}
    assert sorted(comps) == ["1", "2"]
    for c in comps.values():
        assert c.baseline is not None and c.baseline.name == "0"
        assert tuple(c.money) == MONEY_METRICS
        a, b = c.job, c.baseline

        def values(job: Any, key: str) -> dict[int, float]:
            return job.replication_values(key)

        for key in ("cost_total", "cost_agents", "cost_bot", "cost_penalties", "cost_overtime"):
            mean, low, high = _paired(values(a, key), values(b, key))
            e = c.money[key]
            assert (e.mean, e.n) == (pytest.approx(mean), N), key
            if high > low:
                assert (e.ci_low, e.ci_high) == (pytest.approx(low), pytest.approx(high)), key

        def lever(job: Any) -> dict[int, float]:
            total, pen = values(job, "cost_total"), values(job, "cost_penalties")
            return {r: total[r] - pen[r] for r in total}

        mean, low, high = _paired(lever(a), lever(b))
        assert c.money["lever_cost"].mean == pytest.approx(mean)
        assert c.money["lever_cost"].ci_low == pytest.approx(low)
        saving = c.money["saving"]
        assert saving.mean == pytest.approx(-c.money["cost_penalties"].mean)
        assert saving.ci_low == pytest.approx(-c.money["cost_penalties"].ci_high)
        net = c.money["cost_total"].mean
        assert net == pytest.approx(c.money["lever_cost"].mean - saving.mean)
        closed = -_paired(
            values(a, "positive_demand_delta_h"), values(b, "positive_demand_delta_h")
        )[0]
        assert c.money["agent_h_closed"].mean == pytest.approx(closed)
        per = c.money["cost_per_agent_h_closed"]
        if closed > 0:
            assert per.mean == pytest.approx(net / closed)
        else:
            assert math.isnan(per.mean)
        assert math.isnan(per.ci_low)  # a ratio of mean effects: no interval
    bot = comps["1"].money
    # The bot costs its fixed fee (a day of a week), sessions and resolutions; the schedule,
    # and so the agents' pay, does not change; fewer chatters abandon: a saving.
    assert bot["cost_agents"].mean == 0.0 and bot["cost_agents"].half_width == 0.0
    assert bot["cost_fixed"].mean == pytest.approx(350.0 / 7)
    assert bot["cost_bot"].mean > 0 and bot["saving"].ci_low > 0
    staffed = comps["2"].money
    assert staffed["cost_overtime"].mean == pytest.approx(24 * 27.0 * 1.5)  # one head, all day


def test_money_in_comparison_md_csv_and_the_waterfall(study):
    root, rep = study
    out = root / "comparison"
    md = (out / "comparison.md").read_text()
    assert "## Money: what each change costs and saves (USD)" in md
    assert "lever cost" in md and "net per agent-h closed" in md
    assert "In money (USD)" in md  # the waterfall's money table
    assert (out / "waterfall_cost.png").stat().st_size > 0
    assert "waterfall_cost.png" in md
    [w] = rep.waterfalls
    assert len(w.money_steps) == 2
    steps = sum(s["cost_total"].mean for s in w.money_steps)
    assert steps == pytest.approx(w.money_total["cost_total"].mean)
    effects = _rows(out / "effects.csv")
    money = {(r["job"], r["metric"]): r for r in effects if r["metric"] in MONEY_METRICS}
    assert len(money) == 2 * len(MONEY_METRICS)
    e = rep.comparisons[0].money["cost_total"]
    row = money[(rep.comparisons[0].job.name, "cost_total")]
    assert float(row["effect"]) == pytest.approx(e.mean)
    assert float(row["ci95_low"]) == pytest.approx(e.ci_low)
    steps_csv = [r for r in _rows(out / "waterfall.csv") if r["metric"] == "lever_cost"]
    assert [r["step"] for r in steps_csv] == ["1", "2", "total"]
    tidy = _rows(out / "tidy.csv")
    assert any(r["metric"] == "cost_total" and r["channel"] == "chat" for r in tidy)


def test_older_result_folders_without_costs(study, tmp_path):
    root, _ = study
    old = tmp_path / "old"
    for job in ("0", "1", "2"):
        shutil.copytree(root / job, old / job)
        summary = json.loads((old / job / "summary.json").read_text())
        summary.pop("currency")
        summary.pop("pools")
        summary["totals"] = {k: v for k, v in summary["totals"].items() if "cost" not in k}
        (old / job / "summary.json").write_text(json.dumps(summary))
        (old / job / "replications.parquet").unlink()  # older ccsim wrote the CSV only
        path = old / job / "replications.csv"
        rows = _rows(path)
        keep = [r for r in rows if r["metric"] not in MONEY_METRICS and "cost" not in r["metric"]]
        drivers = ("paid_agent_h", "overtime_agent_h", "bot_sessions", "notices_sent")
        keep = [
            r for r in keep if r["metric"] not in drivers and r["metric"] != "outbound_call_min"
        ]
        with open(path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(keep)
    rep = compare(old)
    assert all(not c.money for c in rep.comparisons) and len(rep.comparisons) == 2
    assert [w.money_steps for w in rep.waterfalls] == [[]]
    md = (old / "comparison" / "comparison.md").read_text()
    assert "Money" not in md and "In money" not in md
    assert "## Paired effects" in md and "## Waterfall" in md
    assert not (old / "comparison" / "waterfall_cost.png").exists()
    assert (old / "comparison" / "waterfall.png").exists()
    metrics = {r["metric"] for r in _rows(old / "comparison" / "effects.csv")}
    assert not metrics & set(MONEY_METRICS)
