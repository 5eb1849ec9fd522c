"""docs/planner_quickstart.md runs end to end as written: its shell blocks, line by line, in a
fresh folder beside the repository's docs (the sample files shaped like a WFM export); the
outputs are named after the centre, the report carries its name, and the roster was read from
the activity segments."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "planner_quickstart.md"
SAMPLE = ROOT / "docs" / "quickstart" / "my_centre"


def _blocks(lang: str) -> list[str]:
    text = PAGE.read_text()
    return [m[1] for m in re.finditer(rf"^```{lang}\n(.*?)^```", text, flags=re.M | re.S)]


def _shell_lines() -> list[str]:
    return [ln for block in _blocks("bash") for ln in block.splitlines() if ln.strip()]


def test_the_page_shows_the_sample_files_as_they_are():
    (config,) = _blocks("yaml")
    assert config == (SAMPLE / "config.yaml").read_text()
    shown = [b for b in _blocks("text") if b.splitlines()[0].count(",") >= 4]  # CSV heads
    for block, name in zip(shown, ("forecast.csv", "schedule.csv"), strict=True):
        assert (SAMPLE / name).read_text().startswith(block), name
    assert yaml.safe_load(config)["centre"]["name"] == "Northgate"
    assert sum(1 for _ in (SAMPLE / "schedule.csv").open()) < 400  # a small sample


def _on_shift(schedule: Path, team: str, at: datetime, minutes: int, kinds: set[str]) -> float:
    """Time-weighted agents of ``team`` in the interval ``[at, at + minutes)`` whose activity
    is in ``kinds``, counted straight from the export."""
    end = at + timedelta(minutes=minutes)
    total = 0.0
    for row in csv.DictReader(schedule.open()):
        if row["Team"] != team or row["Activity"] not in kinds:
            continue
        day = datetime.fromisoformat(row["Date"])
        a = day + timedelta(hours=int(row["Start Time"][:2]), minutes=int(row["Start Time"][3:]))
        b = day + timedelta(hours=int(row["End Time"][:2]), minutes=int(row["End Time"][3:]))
        overlap = (min(b, end) - max(a, at)).total_seconds()
        total += max(overlap, 0.0) / (60 * minutes)
    return total


def test_the_quickstart_runs_as_written(tmp_path):
    (tmp_path / "docs").symlink_to(ROOT / "docs", target_is_directory=True)
    env = dict(os.environ)
    exe = shutil.which("ccsim") or str(Path(sys.executable).with_name("ccsim"))
    env["PATH"] = f"{Path(exe).parent}{os.pathsep}{env.get('PATH', '')}"
    lines = _shell_lines()
    assert lines[:2] == ["cp -r docs/quickstart/my_centre .", "ccsim --config-dir my_centre"]
    for line in lines:
        done = subprocess.run(
            ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{line}\n{done.stderr[-3000:]}"
    runs = sorted((tmp_path / "outputs" / "Northgate").iterdir())
    assert len(runs) == len([ln for ln in lines if ln.startswith("ccsim ")])
    out = runs[0]  # the first command's: the baseline
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}", out.name)
    html = (out / "report.html").read_text()
    assert re.search(r"<title>[^<]*Northgate[^<]*</title>", html)
    assert (out / "report.md").read_text().startswith("# ccsim report: Northgate")

    # The roster is the schedule's segments: paid ones scheduled, on-phone ones on the phone.
    schedule = tmp_path / "my_centre" / "schedule.csv"
    pools = {
        (r["day"][:10], r["time"], r["pool"]): r for r in csv.DictReader((out / "pools.csv").open())
    }
    checks = [  # a break (Monday 10:00), lunches (12:30), Tuesday's team meeting (15:00)
        ("2026-03-02", "10:00", "voice_team", "Voice Team A"),
        ("2026-03-02", "12:30", "voice_team", "Voice Team A"),
        ("2026-03-03", "15:00", "voice_team", "Voice Team A"),
        ("2026-03-02", "14:00", "digital_team", "Digital Team"),
    ]
    for day, clock, pool, team in checks:
        at = datetime.fromisoformat(f"{day} {clock}")
        paid = _on_shift(schedule, team, at, 30, {"Open", "Break", "Meeting", "Training"})
        on = _on_shift(schedule, team, at, 30, {"Open"})
        row = pools[(day, clock, pool)]
        assert float(row["agents_scheduled"]) == pytest.approx(paid), (day, clock)
        assert float(row["agents_on_phone"]) == int(on * (1 - 0.05) + 0.5), (day, clock)
    meeting = pools[("2026-03-03", "15:00", "voice_team")]
    assert float(meeting["agents_on_phone"]) < float(meeting["agents_scheduled"]) - 2

    # "Reading the headline" quotes this run (seed and sample fixed): its numbers are the report's.
    page = " ".join(PAGE.read_text().split())
    md = (out / "report.md").read_text()
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    head = re.search(r"> \*\*([\d.]+) agent-hours short\*\* over 2 days, most on (.+?) \(", page)
    ci = re.search(r"below 0 \(`(.+?)` here\)", page)
    heads = re.search(
        r"here: (\d+) voice agents short at Monday (\d\d:\d\d), (\d+) required and (\d+) sch", page
    )
    assert head and ci and heads
    assert f"{head[1]} agent-hours short over 2 days, most on {head[2]} (" in words
    assert f"**{head[1]} agent-hours** in total (95% CI {ci[1]})" in md
    n, clock, required, scheduled = heads.groups()
    assert (
        f"**Worst interval: {n} short on voice, 2026-03-02 Mon {clock} ({required} required by "
        f"Erlang A, {scheduled} scheduled).**"
    ) in md


def test_the_error_the_page_shows(tmp_path, monkeypatch, capsys):
    """The page's example of a stop before anything runs: an activity the config does not list."""
    from ccsim.cli import precheck

    shutil.copytree(SAMPLE, tmp_path / "my_centre")
    schedule = tmp_path / "my_centre" / "schedule.csv"
    lines = schedule.read_text().splitlines(keepends=True)
    lines[8] = lines[8].replace(",Open,", ",Coaching,")
    schedule.write_text("".join(lines))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        precheck(["--config-dir", "my_centre"])
    err = capsys.readouterr().err
    shown = re.search(r"^`(my_centre/schedule\.csv:9: .*?) \.\.\.`", PAGE.read_text(), re.M)
    assert exc.value.code == 2 and shown is not None
    assert err.startswith(f"ccsim: error: {shown[1]}"), err
