"""``ccsim-report``: finding jobs, the tidy table, paired effects (checked by hand with numpy),
waterfalls, response curves, failures and determinism."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from ccsim.analysis.effects import paired_effect
from ccsim.sweeps.collect import collect
from ccsim.sweeps.compare import compare, main
from ccsim.sweeps.pairing import EFFECT_METRICS
from conftest import run_ccsim

N = 6  # replications of the synthetic jobs


def write_job(
    folder: Path,
    values: dict[str, list[float]],
    *,
    seed: int = 1,
    strategies: list[str] | None = None,
    overrides: list[str] = (),  # type: ignore[assignment]
    reference: dict | None = None,
) -> Path:
    """A hand-made job folder: summary.json, replications.csv (channels all and voice) and
    .hydra/overrides.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(next(iter(values.values())))
    totals = {}
    for m, v in values.items():
        x = np.asarray(v, dtype=float)
        totals[m] = {
            "mean": float(x.mean()),
            "ci95_low": None,
            "ci95_high": None,
            "std": None,
            "n": n,
        }
    summary = {
        "schema": "ccsim.summary/3",
        "run": {"seed": seed, "replications": n, "warmup_min": 0},
        "totals": totals,
        "reference": reference,
        "config": {},
        "config_digest": "0" * 16,
    }
    if strategies is not None:
        summary["strategies"] = strategies
    (folder / "summary.json").write_text(json.dumps(summary))
    lines = ["replication,channel,metric,value"]
    for r in range(n):
        for ch in ("all", "voice"):
            for m, v in values.items():
                lines.append(f"{r},{ch},{m},{'' if math.isnan(v[r]) else v[r]}")
    (folder / "replications.csv").write_text("\n".join(lines) + "\n")
    if overrides:
        (folder / ".hydra").mkdir(exist_ok=True)
        (folder / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    return folder


def _values(base: np.ndarray, shift: float = 0.0, noise: np.ndarray | None = None) -> dict:
    """Every effect metric: the baseline draws (common to all jobs: CRN) plus a shift."""
    extra = np.zeros_like(base) if noise is None else noise
    return {m: list(base * (i + 1) + shift * (i + 1) + extra) for i, m in enumerate(EFFECT_METRICS)}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A sweep over arrival rate (2 values) x strategies [], [a], [a,b], [a,b,c], seed 1,
    plus a baseline on seed 2 and a failed job; compared once (into study/comparison)."""
    rng = np.random.default_rng(0)
    root = tmp_path_factory.mktemp("compare") / "study"
    chains = ([], ["a"], ["a", "b"], ["a", "b", "c"])
    shifts = (0.0, -2.0, -3.0, -3.5)
    k = 0
    for rate in (100, 200):
        common = rng.normal(50, 10, N)  # what replication r's customers bring
        for strat, shift in zip(chains, shifts, strict=True):
            ov = [
                f"scenario.arrival_rate_per_h={rate}",
                "run.replications=6",
                f"strategy=[{','.join(strat)}]",
                "hydra.job.chdir=false",
            ]
            noise = rng.normal(0, 0.5, N)
            write_job(
                root / "sweep" / str(k),
                _values(common, shift, noise),
                strategies=strat,
                overrides=ov,
            )
            k += 1
    other = rng.normal(50, 10, N)
    write_job(
        root / "seed2" / "0",
        _values(other),
        overrides=["scenario.arrival_rate_per_h=100", "run.replications=6", "run.seed=2"],
        seed=2,
    )
    failed = root / "sweep" / "99"
    failed.mkdir(parents=True)
    (failed / "error.json").write_text(json.dumps({"error": "RuntimeError: disk on fire\nmore"}))
    return root, compare(root)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _job_values(root: Path, job: str, metric: str) -> np.ndarray:
    rows = _rows(root / job / "replications.csv")
    return np.array(
        [float(r["value"]) for r in rows if r["channel"] == "all" and r["metric"] == metric]
    )


def test_paired_and_independent_intervals_match_a_hand_computation(study):
    study, rep = study
    by_job = {c.job.name: c for c in rep.comparisons}
    c = by_job["sweep/1"]  # [a] at rate 100 vs sweep/0
    assert c.baseline is not None and c.baseline.name == "sweep/0"
    for m in EFFECT_METRICS:
        a, b = _job_values(study, "sweep/1", m), _job_values(study, "sweep/0", m)
        d = a - b
        half = stats.t.ppf(0.975, N - 1) * d.std(ddof=1) / math.sqrt(N)
        e = c.effects[m]
        assert e.mean == pytest.approx(d.mean())
        assert (e.ci_low, e.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
        va, vb = a.var(ddof=1) / N, b.var(ddof=1) / N
        df = (va + vb) ** 2 / (va**2 / (N - 1) + vb**2 / (N - 1))
        ind = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
        assert e.independent_half_width == pytest.approx(ind)
        assert e.ratio == pytest.approx(ind / half)
        assert e.ratio > 3  # the shared customers cancel out
        # A really independent baseline (seed 2) at the same rate: Welch.
        assert c.other_baseline is not None and c.other_baseline.name == "seed2/0"
        o = _job_values(study, "seed2/0", m)
        i = c.independent[m]
        vo = o.var(ddof=1) / N
        df = (va + vo) ** 2 / (va**2 / (N - 1) + vo**2 / (N - 1))
        assert i.mean == pytest.approx(a.mean() - o.mean())
        assert i.half_width == pytest.approx(stats.t.ppf(0.975, df) * math.sqrt(va + vo))
    # Rate 200 jobs pair with the rate-200 baseline; there is no seed-2 baseline there.
    c200 = by_job["sweep/5"]
    assert c200.baseline is not None and c200.baseline.name == "sweep/4"
    assert c200.other_baseline is None
    effects = _rows(study / "comparison" / "effects.csv")
    assert len(effects) == 6 * len(EFFECT_METRICS)
    row = next(r for r in effects if r["job"] == "sweep/1" and r["metric"] == EFFECT_METRICS[0])
    assert float(row["effect"]) == pytest.approx(c.effects[EFFECT_METRICS[0]].mean)


def test_waterfall_steps_add_up_to_the_total(study):
    study, rep = study
    assert len(rep.waterfalls) == 2  # one chain per arrival rate
    w = rep.waterfalls[0]
    assert [j.name for j in w.chain] == ["sweep/0", "sweep/1", "sweep/2", "sweep/3"]
    assert "scenario.arrival_rate_per_h=100" in w.label
    for m in EFFECT_METRICS:
        vals = [_job_values(study, j.name, m) for j in w.chain]
        for i, s in enumerate(w.steps):
            assert s[m].mean == pytest.approx((vals[i + 1] - vals[i]).mean())
        assert sum(s[m].mean for s in w.steps) == pytest.approx(w.total[m].mean)
    out = study / "comparison"
    for name in (
        "waterfall.png",
        "effects.png",
        "response_scenario.arrival_rate_per_h.png",
        "comparison.md",
        "waterfall.csv",
    ):
        assert (out / name).is_file(), name
    md = (out / "comparison.md").read_text()
    assert "## Waterfall" in md and "| + c |" in md and "![waterfall.png](waterfall.png)" in md
    assert len(_rows(out / "waterfall.csv")) == 2 * 4 * len(EFFECT_METRICS)


def test_tidy_table(study):
    study, _ = study
    path = study / "comparison" / "tidy.csv"
    rows = _rows(path)
    header = list(rows[0])
    assert header == [
        "job",
        "variant",
        "seed",
        "replication",
        "channel",
        "metric",
        "value",
        "scenario.arrival_rate_per_h",
    ]  # strategy, hydra.*, seed left out
    assert len(rows) == 9 * N * 2 * len(EFFECT_METRICS)  # jobs x reps x channels x metrics
    assert {r["variant"] for r in rows} == {"baseline", "a", "a+b", "a+b+c"}
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(path)
    assert df.shape == (len(rows), len(header))
    assert df["value"].dtype.kind == "f"


def test_failed_jobs_are_listed_and_same_inputs_give_same_bytes(study, tmp_path, capsys):
    study, _ = study
    assert main([str(study), "--out", str(tmp_path / "again")]) == 0
    printed = capsys.readouterr().out
    assert "failed: sweep/99: RuntimeError: disk on fire" in printed
    md = (study / "comparison" / "comparison.md").read_text()
    assert "- `sweep/99`: RuntimeError: disk on fire" in md
    assert "9 finished job(s), 1 failed" in md
    names = sorted(p.name for p in (study / "comparison").iterdir())
    assert "waterfall.png" in names and "effect_scenario.arrival_rate_per_h.png" in names
    assert len(names) == 8 + 3 + 1  # and the three tables as Parquet, and comparison.html
    for name in names:
        assert (tmp_path / "again" / name).read_bytes() == (
            study / "comparison" / name
        ).read_bytes(), name


def test_one_replication_and_zero_variance_do_not_crash(tmp_path):
    root = tmp_path / "s"
    write_job(root / "0", {m: [1.0] for m in EFFECT_METRICS}, strategies=[])
    write_job(root / "1", {m: [3.0] for m in EFFECT_METRICS}, strategies=["x"])
    write_job(root / "2", {m: [4.0] for m in EFFECT_METRICS}, strategies=["x"], seed=9)
    rep = compare(root)
    e = rep.comparisons[0].effects["unmet_contacts"]
    assert e.mean == 2.0 and e.n == 1 and math.isnan(e.ci_low) and math.isnan(e.ratio)
    unpaired = rep.comparisons[1]  # seed 9: no baseline on its seed, one on another
    assert unpaired.baseline is None and unpaired.other_baseline is not None
    assert unpaired.independent["unmet_contacts"].mean == 3.0
    md = (root / "comparison" / "comparison.md").read_text()
    assert "one replication: no CI" in md
    assert "No baseline job with the same seed, replications and other overrides for: `2`" in md
    # Zero variance: a constant shift, and two identical jobs.
    e = paired_effect({0: 1.0, 1: 2.0, 2: 4.0}, {0: 0.0, 1: 1.0, 2: 3.0})
    assert (e.mean, e.ci_low, e.ci_high) == (1.0, 1.0, 1.0) and e.ratio == math.inf
    e = paired_effect({0: 5.0, 1: 5.0}, {0: 5.0, 1: 5.0})
    assert e.half_width == 0.0 and e.independent_half_width == 0.0 and math.isnan(e.ratio)
    # Replications without data (NaN) drop out of both sides.
    e = paired_effect({0: 1.0, 1: math.nan, 2: 3.0}, {0: 0.0, 1: 7.0, 2: 1.0})
    assert e.n == 2 and e.mean == 1.5


def test_no_job_is_one_line_and_exit_status_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    only_failed = tmp_path / "failed" / "0"
    only_failed.mkdir(parents=True)
    (only_failed / "error.json").write_text('{"error": "boom"}')
    exe = shutil.which("ccsim-report")
    cmd = [exe] if exe else [sys.executable, "-m", "ccsim.sweeps.compare"]
    proc = subprocess.run([*cmd, "empty"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2
    assert (
        proc.stderr == "ccsim-report: error: empty: no ccsim job; a job folder holds summary.json\n"
    )
    for target in ("missing", "failed"):
        with pytest.raises(SystemExit) as exc:
            main([str(tmp_path / target)])
        assert exc.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"ccsim-report: error: {tmp_path / 'missing'}: no such file or directory",
        f"ccsim-report: error: {tmp_path / 'failed'}: only failed jobs (1, error.json); "
        "a job folder holds summary.json",
    ]


def test_real_sweep_draws_simulated_vs_formula(tmp_path):
    """A real ccsim sweep over the arrival rate, with and without patience: one curve each,
    the Erlang values beside."""
    proc = run_ccsim(
        "-m",
        "hydra/launcher=basic",  # in one process: faster for tiny jobs
        "scenario=erlang_a",
        "scenario.patience.dist=exponential,none",  # Erlang A and Erlang C
        "scenario.arrival_rate_per_h=180,300",
        "scenario.agents=20",
        "scenario.horizon_h=3",
        "run.warmup_min=0",
        "run.replications=3",
        "run.n_jobs=1",
        "run.plots=false",
        "hydra.sweep.dir=sweep",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    rep = compare(tmp_path / "sweep")
    coll = rep.collection
    assert len(coll.jobs) == 4
    assert coll.params == ["scenario.arrival_rate_per_h", "scenario.patience.dist"]
    assert rep.comparisons == []  # no strategies: nothing to pair
    out = tmp_path / "sweep" / "comparison"
    assert (out / "response_scenario.arrival_rate_per_h.png").is_file()
    md = (out / "comparison.md").read_text()
    assert "Erlang A (M/M/c+M)" in md and "Erlang C (M/M/c)" in md
    assert "none (no steady state" in md  # Erlang C at load 1
    rows = _rows(out / "tidy.csv")
    assert {r["scenario.patience.dist"] for r in rows} == {"exponential", "none"}


def test_common_random_numbers_in_real_runs(compose_cfg, tmp_path):
    """Two real jobs on one seed (27 vs 28 agents): the paired interval is much narrower than
    an independent-seeds one would be, because both see the same customers."""
    from ccsim.runs.job import run_job

    def job(name: str, *overrides: str, strategies: list[str]) -> None:
        cfg = compose_cfg(
            "scenario=erlang_c",
            "scenario.horizon_h=6",
            "run.warmup_min=0",
            "run.replications=5",
            "run.n_jobs=1",
            "run.plots=false",
            *overrides,
        )
        run_job(cfg, tmp_path / name)
        path = tmp_path / name / "summary.json"
        summary = json.loads(path.read_text())
        summary["strategies"] = strategies  # as if a strategy had added the agent
        path.write_text(json.dumps(summary))

    job("base", strategies=[])
    job("plus_one", "scenario.agents=28", strategies=["one_more_agent"])
    rep = compare(tmp_path)
    assert [c.job.name for c in rep.comparisons] == ["plus_one"]
    e = rep.comparisons[0].effects["asa_s"]
    assert e.mean < 0 and e.ci_high < 0 and e.ratio > 1.5
    assert len(collect(tmp_path).jobs) == 2


def test_waterfall_follows_strategy_sets_whatever_order_they_are_listed_in(tmp_path):
    """summary.json may list strategies in the order ccsim applies them, not the order they
    were added: [], [b], [a, b] is still a chain (b, then a)."""
    base = np.arange(4.0)
    write_job(tmp_path / "0", _values(base), strategies=[])
    write_job(tmp_path / "1", _values(base, -1.0), strategies=["b"])
    write_job(tmp_path / "2", _values(base, -3.0), strategies=["a", "b"])
    rep = compare(tmp_path, baseline="baseline")
    (w,) = rep.waterfalls
    assert [j.name for j in w.chain] == ["0", "1", "2"]
    k = EFFECT_METRICS.index("unmet_contacts") + 1  # _values scales metric i by i + 1
    assert w.steps[1]["unmet_contacts"].mean == pytest.approx(-2.0 * k)  # a, after b
    md = (tmp_path / "comparison" / "comparison.md").read_text()
    assert "| + b | 1 |" in md and "| + a | 2 |" in md
    # The baseline may be a variant: effects against [b], in any order it is written.
    rep = compare(tmp_path, tmp_path / "vs_b", baseline="b")
    assert {c.job.name: c.baseline.name for c in rep.comparisons if c.baseline} == {
        "0": "1",
        "2": "1",
    }
