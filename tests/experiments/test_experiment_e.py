"""Experiment (e) runs as its README says: the README's own commands, in a copy of the
experiment folder, with fewer replications and a shorter horizon."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import run_ccsim

EXPERIMENT = Path(__file__).resolve().parents[2] / "experiments" / "e_erlang_sweep"
QUICK = ("run.replications=2", "scenario.horizon_h=3", "run.warmup_min=0")


def _readme_commands() -> list[list[str]]:
    text = (EXPERIMENT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    lines = [ln.strip() for b in blocks for ln in b.splitlines()]
    return [shlex.split(ln) for ln in lines if ln.startswith(("ccsim ", "ccsim-report "))]


def test_readme_commands_run_the_sweep_and_draw_the_report(tmp_path):
    commands = _readme_commands()
    assert [c[0] for c in commands] == ["ccsim", "ccsim-report"]
    shutil.copytree(EXPERIMENT, tmp_path / "experiments" / "e_erlang_sweep")
    sweep, report = commands
    proc = run_ccsim(*sweep[1:], *QUICK, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = tmp_path / report[1]
    jobs = sorted(p.parent.name for p in folder.glob("*/summary.json"))
    assert len(jobs) == 14, proc.stderr[-3000:]
    assert not list(folder.glob("*/error.json"))
    exe = shutil.which("ccsim-report")
    cmd = [exe] if exe else [sys.executable, "-m", "ccsim.sweeps.compare"]
    proc = subprocess.run([*cmd, *report[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = folder / "comparison"
    assert (out / "response_scenario.arrival_rate_per_h.png").is_file()
    md = (out / "comparison.md").read_text()
    assert "Erlang C (M/M/c)" in md and "Erlang A (M/M/c+M)" in md
    assert md.count("none (no steady state") == 2  # Erlang C at load 1.0 and 1.1
    # The committed figure is the one the report draws (same name).
    assert (EXPERIMENT / "response_scenario.arrival_rate_per_h.png").is_file()
