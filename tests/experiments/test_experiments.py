"""Studies (a)-(d) run as their READMEs say: the README's own commands, with fewer
replications and a shorter horizon, in a temporary folder. Study (a) also checks what the issue
asks of a study sweep: both cores, a comparison report at the end, and an interrupted rerun that
redoes only unfinished jobs."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_ccsim

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
# One day, Wednesday (the outage day of studies a and c), two replications.
QUICK = ("run.replications=2", "centre.horizon_days=1", "centre.start='2026-01-07 00:00'")


def readme_commands(study: str) -> list[list[str]]:
    """The ``ccsim`` and ``ccsim-report`` commands of the README's bash blocks, in order
    (backslash continuations joined)."""
    text = (EXPERIMENTS / study / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    cmds = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith(("ccsim ", "ccsim-report ")):
                cmds.append(shlex.split(line))
    return cmds


def run_readme(study: str, tmp_path: Path) -> list[subprocess.CompletedProcess]:
    """Every README command of ``study`` (in a copy of ``experiments/``), ``QUICK`` added to
    the ``ccsim`` ones; fails on the first non-zero exit."""
    shutil.copytree(EXPERIMENTS, tmp_path / "experiments")
    done = []
    for cmd in readme_commands(study):
        if cmd[0] == "ccsim":
            proc = run_ccsim(*cmd[1:], *QUICK, cwd=tmp_path)
        else:
            exe = shutil.which("ccsim-report")
            base = [exe] if exe else [sys.executable, "-m", "ccsim.sweeps.compare"]
            proc = subprocess.run(
                [*base, *cmd[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300
            )
        assert proc.returncode == 0, (cmd, proc.stderr[-3000:])
        done.append(proc)
    return done


def test_strategy_comparison_uses_both_cores_reports_and_resumes(tmp_path):
    procs = run_readme("a_strategy_comparison", tmp_path)
    folder = tmp_path / "multirun" / "a_strategy_comparison"
    summaries = sorted(folder.glob("*/summary.json"))
    assert len(summaries) == 17  # 16 variants + the baseline on another seed
    assert not list(folder.glob("*/error.json"))
    # Both cores: joblib runs the jobs in parallel worker processes.
    log = procs[0].stdout + procs[0].stderr
    assert "n_jobs=-1" in log
    pids = set()
    for job_log in folder.glob("*/*.log"):
        pids |= set(re.findall(r"\(process (\d+)\)", job_log.read_text()))
    if (os.cpu_count() or 1) >= 2:
        assert len(pids) >= 2, pids
    # The sweep ended with its comparison report (the Hydra callback); the README's
    # ccsim-report rewrote it with the second baseline included.
    md = (folder / "comparison" / "comparison.md").read_text()
    assert "## Paired effects" in md and "## Waterfall" in md
    assert "What common random numbers buy" in md
    assert (folder / "comparison" / "waterfall.png").is_file()
    assert (folder / "comparison" / "effects.png").is_file()
    rows = (folder / "comparison" / "tidy.csv").read_text().splitlines()
    assert rows[0].startswith("job,variant,seed,replication,channel,metric,value")
    # An interrupted rerun: two jobs never finished; only they run again.
    sweep = readme_commands("a_strategy_comparison")[0]
    # Job folders are named after their overrides, ending with the variant.
    lost = [p.parent for p in summaries if p.parent.name.endswith(("=[chatbot]", "=[fcr]"))]
    assert len(lost) == 2
    kept = [p for p in summaries if p.parent not in lost and p.parent.name != "baseline_seed8"]
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    for job in lost:
        (job / "summary.json").unlink()
    again = run_ccsim(*sweep[1:], *QUICK, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    out = again.stdout + again.stderr
    assert out.count("already in") == len(kept) == 14
    assert all(p.stat().st_mtime_ns == stamps[p] for p in kept)
    assert all((job / "summary.json").is_file() for job in lost)


@pytest.mark.slow
@pytest.mark.parametrize(
    "study, n_jobs",
    [("b_chatbot_containment", 8), ("c_outage_notice", 7), ("d_cross_training", 4)],
)
def test_study_runs_from_its_readme(study, n_jobs, tmp_path):
    run_readme(study, tmp_path)
    folder = tmp_path / "multirun" / study
    summaries = list(folder.glob("*/summary.json"))
    assert len(summaries) == n_jobs
    assert not list(folder.glob("*/error.json"))
    md = (folder / "comparison" / "comparison.md").read_text()
    assert "## Paired effects" in md
    strategies = {tuple(json.loads(p.read_text())["strategies"]) for p in summaries}
    assert () in strategies  # every study has its baseline
