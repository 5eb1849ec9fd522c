"""No silent empty runs (issue 25.1): a run that would simulate nothing, or whose contacts no
agent could ever answer, stops before it runs with one line and exit status 2; what a user may
mean (a channel closed or switched off, a pool left without agents while others cover its
skills) runs, with a warning in the log, at the top of report.md and report.html and in
summary.json; and no report prints "nan"."""

from __future__ import annotations

import copy
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import ccsim
from ccsim.cli import main

SMALL = ["scenario=small_centre", "run.replications=1", "run.plots=false"]
CLOSED_AT_NIGHT = "[0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0]"


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _forecast_of_zeros(folder: Path) -> str:
    """A forecast for small_centre's first day, every volume 0."""
    rows = ["interval_start,channel,volume"]
    rows += [
        f"2026-01-05 {h:02d}:{m:02d},{ch},0"
        for h in range(24)
        for m in (0, 30)
        for ch in ("voice", "chat", "email")
    ]
    return _write(folder / "zeros.csv", rows)


def _forecast_a_month_later(folder: Path) -> str:
    """Volumes for a day a month after small_centre's horizon."""
    rows = ["interval_start,channel,volume"]
    rows += [f"2026-02-05 {h:02d}:00,voice,10" for h in range(24)]
    return _write(folder / "later.csv", rows)


def _roster_without_digital_team(folder: Path) -> str:
    rows = ["pool,start,length_h,count", "voice_team,2026-01-05 08:00,8,20"]
    return _write(folder / "roster.csv", rows)


# (overrides, words the one line must hold); ``{tmp}`` is the test's folder.
ERRORS = {
    "single queue without arrivals": (
        ["scenario=erlang_c", "scenario.arrival_rate_per_h=0"],
        ["scenario.arrival_rate_per_h=0.0", "no contacts arrive", "nothing to simulate"],
    ),
    "every daily volume 0": (
        [
            *SMALL,
            "centre.channels.voice.daily_volume=0",
            "centre.channels.chat.daily_volume=0",
            "centre.channels.email.daily_volume=0",
        ],
        ["centre.channels.*.daily_volume=0", "voice, chat and email", "nothing to simulate"],
    ),
    "every channel closed over the horizon": (
        [
            *SMALL,
            "centre.horizon_days=0.25",  # 00:00-06:00
            f"centre.channels.email.intraday_profile={CLOSED_AT_NIGHT}",
        ],
        ["centre.horizon_days=0.25", "2026-01-05 00:00 .. 2026-01-05 06:00", "closed then"],
    ),
    "a forecast of zeros": (
        [*SMALL, "centre.horizon_days=1", "centre.forecast_csv={forecast}"],
        ["centre.forecast_csv=", "gives no contacts over the horizon", "nothing to simulate"],
    ),
    # Checked by the forecast reader (its message is its own): one line all the same.
    "a forecast outside the horizon": (
        [*SMALL, "centre.forecast_csv={later}"],
        ["forecast", "later.csv", "horizon"],
    ),
    "the only pool of a channel: no agents": (
        [*SMALL, "centre.pools.digital_team.shifts=null", "centre.pools.digital_team.agents=0"],
        [
            "centre.pools.digital_team.agents=0",
            "no agent on the phone in any interval",
            "channel 'chat'",
            "could only wait and abandon",
        ],
    ),
    "the only pool of a channel: shrinkage leaves nobody on the phone": (
        [
            *SMALL,
            "centre.pools.digital_team.shrinkage=0.9",
            "centre.pools.digital_team.shifts=[{start:'08:00',length_h:8,count:1}]",
        ],
        ["centre.pools.digital_team.shifts=", "shrinkage 0.9", "channel 'chat'"],
    ),
    "the only pool of a channel: missing from the roster": (
        [*SMALL, "centre.roster_csv={roster}"],
        ["centre.roster_csv=", "pool 'digital_team'", "no agent on the phone"],
    ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_a_silent_empty_run_exits_2_with_one_line(name, monkeypatch, capsys, tmp_path):
    overrides, words = ERRORS[name]
    if "centre.roster_csv={roster}" in overrides:  # its pools take their staffing from the file
        overrides = [*overrides, *(f"centre.pools.{p}.shifts=null" for p in POOLS)]
    files = {
        "{forecast}": _forecast_of_zeros(tmp_path),
        "{later}": _forecast_a_month_later(tmp_path),
        "{roster}": _roster_without_digital_team(tmp_path),
    }
    for mark, path in files.items():
        overrides = [o.replace(mark, path) for o in overrides]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ccsim", *overrides])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("ccsim: error: ")
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not list(tmp_path.rglob("summary.json"))  # nothing ran


POOLS = ("voice_team", "digital_team")


def _exp(mean_s: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_s": mean_s}


# One day: voice open 08:00-20:00 (a zero-traffic interval every night), chat switched off, a
# pool for chat only (idle), a spare voice pool without agents (the phones pool covers voice).
CENTRE: dict[str, Any] = {
    "name": "empty parts",
    "start": "2026-01-05 00:00",
    "horizon_days": 1,
    "interval_min": 60,
    "channels": {
        "voice": {
            "daily_volume": 300,
            "intraday_profile": [float(8 <= h < 20) for h in range(24)],
            "handle_time": _exp(240),
            "patience": _exp(120),
        },
        "chat": {"daily_volume": 0, "handle_time": _exp(300), "patience": _exp(150)},
    },
    "intents": {"billing": {"share": {"voice": 1, "chat": 1}}},
    "pools": {
        "phones": {"skills": {"voice": {"*": 1.0}}, "agents": 4},
        "digital": {"skills": {"chat": {"*": 1.0}}, "agents": 2},
        "spare": {"skills": {"voice": {"*": 1.0}}, "agents": 0},
    },
}
WARNINGS = [
    "channel chat: no contacts arrive over the horizon",
    "pool digital: its skills (chat) get no contacts over the horizon: its 48.0 agent-hours",
    "pool spare: no agent on the phone in any interval",
]


@pytest.fixture(scope="module")
def warned(tmp_path_factory) -> tuple[Path, list[logging.LogRecord]]:
    out = tmp_path_factory.mktemp("empty") / "run"
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    logging.getLogger("ccsim").addHandler(handler)
    try:
        cfg = {"centre": copy.deepcopy(CENTRE), "run": {"seed": 3, "replications": 2}}
        ccsim.run_config(cfg, out_dir=out)
    finally:
        logging.getLogger("ccsim").removeHandler(handler)
    return out, records


def test_what_a_user_may_mean_runs_with_loud_warnings(warned):
    out, records = warned
    logged = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    for words in WARNINGS:
        assert sum(m.startswith(words) for m in logged) == 1, (words, logged)
    md = (out / "report.md").read_text().splitlines()
    # At the top: after the title, before anything else.
    assert [ln for ln in md[1:6] if ln] == [f"> **Warning:** {m}" for m in logged]
    html = (out / "report.html").read_text()
    headline = html.index('<section id="headline">')
    for m in logged:
        assert headline < html.index(m.replace("'", "&#39;")) < html.index('id="delta"')
    assert json.loads((out / "summary.json").read_text())["warnings"] == logged


def _visible(html: str) -> str:
    """The page's text and attributes that show, without embedded images and data values."""
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    return re.sub(r'data-value="[^"]*"', "", html)


def test_no_nan_in_any_report(warned):
    out, _ = warned
    md = (out / "report.md").read_text()
    html = _visible((out / "report.html").read_text())
    for text in (md, html):
        assert not re.search(r"\bnan\b", text, re.IGNORECASE), re.findall(r".{40}nan.{20}", text)
    assert "n/a (no contacts)" in md and "n/a (no contacts)" in html
    channel_row = next(ln for ln in md.splitlines() if ln.startswith("| chat |"))
    assert "n/a (no contacts)" in channel_row


def test_a_channel_closed_on_the_horizons_day_is_a_warning(tmp_path, caplog):
    """default_week's voice and chat are closed on Sundays: a Sunday runs, and says so."""
    caplog.set_level(logging.WARNING, logger="ccsim")
    ccsim.run_config(
        "default_week",
        [
            "centre.start='2026-01-11 00:00'",
            "centre.horizon_days=1",
            "run.replications=1",
            "run.plots=false",
        ],
        out_dir=tmp_path,
    )
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [m.split(":")[0] for m in logged] == ["channel voice", "channel chat"]
    assert "> **Warning:** channel voice" in (tmp_path / "report.md").read_text()
