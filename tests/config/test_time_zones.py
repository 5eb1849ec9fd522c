"""Time-zone offsets are refused in one line wherever a date is read (issue 26.6): ccsim works in
the centre's local wall-clock time (docs/input_files.md, "Dates, times and time zones").
Before, an offset in ``centre.start`` or an event's ``start`` ended in a traceback (naive and
aware datetimes compared)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest

from ccsim.cli import main
from ccsim.config.centre import centre_from_config
from ccsim.config.times import local_datetime
from ccsim.errors import ConfigError, InputFileError
from ccsim.inputs.excel import cell_text
from ccsim.inputs.forecast import read_forecast_csv
from ccsim.inputs.roster import read_roster_csv
from ccsim.runs.job import validate_config

MONDAY = datetime(2026, 1, 5)
HINT = "ccsim works in the centre's local wall-clock time: give the local time without an offset"
OFFSETS = [
    ("2026-01-05 00:00+01:00", "+01:00"),
    ("2026-01-05T00:00Z", "Z"),
    ("2026-01-05T00:00:00-05:30", "-05:30"),
    ("2026-01-05 00:00+0000", "+0000"),
]


@pytest.mark.parametrize("value, offset", OFFSETS)
def test_centre_start_with_an_offset_is_refused(compose_cfg, value, offset):
    cfg = compose_cfg("scenario=small_centre", f"centre.start='{value}'")
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg)
    assert exc.value.key == "centre.start" and exc.value.value == value
    assert f"has a time-zone offset ({offset}); {HINT} ('2026-01-05 00:00'" in str(exc.value)


def test_centre_start_offset_on_the_command_line_is_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        sys, "argv", ["ccsim", "scenario=small_centre", "centre.start='2026-01-05 00:00+01:00'"]
    )
    with pytest.raises(SystemExit) as done:
        main()
    err = capsys.readouterr().err.strip().splitlines()
    assert done.value.code == 2 and len(err) == 1, err
    assert err[0].startswith("ccsim: error: centre.start='2026-01-05 00:00+01:00': has a time")


def test_event_start_with_an_offset_is_refused(compose_cfg):
    event = "centre.events=[{name:outage,start:'2026-01-05 10:00+01:00',duration_h:2}]"
    with pytest.raises(ConfigError) as exc:
        validate_config(compose_cfg("scenario=small_centre", event))
    assert exc.value.key == "centre.events[0].start"
    assert "has a time-zone offset (+01:00)" in str(exc.value) and "'2026-01-05 10:00'" in str(
        exc.value
    )
    ok = "centre.events=[{name:outage,start:'2026-01-05T10:00',duration_h:2}]"
    assert validate_config(compose_cfg("scenario=small_centre", ok)).centre.event_start_s == (
        36000.0,
    )


def test_python_datetimes_must_be_naive():
    assert local_datetime(MONDAY, "centre.start") == MONDAY
    assert local_datetime(MONDAY.date(), "centre.start") == MONDAY
    aware = MONDAY.replace(tzinfo=timezone(timedelta(hours=2)))
    with pytest.raises(ConfigError, match=r"centre.start='2026-01-05 00:00:00\+02:00': has a"):
        local_datetime(aware, "centre.start")
    with pytest.raises(ConfigError, match="a date and time, YYYY-MM-DD HH:MM"):
        local_datetime("next monday", "centre.start")


def test_a_centre_dict_with_an_aware_start_is_refused(compose_cfg):
    from omegaconf import OmegaConf

    raw = OmegaConf.to_container(compose_cfg("scenario=small_centre").centre, resolve=True)
    raw["start"] = MONDAY.replace(tzinfo=timezone.utc)
    with pytest.raises(ConfigError, match=r"centre.start=.*has a time-zone offset \(\+0000\)"):
        centre_from_config(raw)


@pytest.mark.parametrize(
    "stamp, offset",
    [
        ("2026-01-05T08:00:00+02:00", "+02:00"),
        ("2026-01-05 08:00Z", "Z"),
        ("2026-01-05 08:00 UTC", "UTC"),
        ("2026-01-05 08:00-0500", "-0500"),
    ],
)
def test_forecast_and_roster_timestamps_with_an_offset(tmp_path, stamp, offset):
    fc = tmp_path / "f.csv"
    fc.write_text(f"interval_start,channel,volume\n2026-01-05 07:30,voice,1\n{stamp},voice,4\n")
    with pytest.raises(InputFileError) as exc:
        read_forecast_csv(fc, channels=["voice"], intents=[], interval_min=30)
    assert (exc.value.line, exc.value.column) == (3, "interval_start")
    assert f"{stamp!r} has a time-zone offset ({offset}); {HINT}" in str(exc.value)
    roster = tmp_path / "r.csv"
    roster.write_text(f"pool,start,length_h\nvoice,{stamp},8\n")
    with pytest.raises(InputFileError) as exc:
        read_roster_csv(roster, pools=["voice"], horizon_start=MONDAY)
    assert str(exc.value).startswith(f"{roster}:2: column 'start': {stamp!r} has a time-zone")


def test_forecast_offset_through_the_command_line_is_one_line(monkeypatch, capsys, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "interval_start,channel,intent,volume\n2026-01-05T08:00:00+01:00,voice,billing,4\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        sys, "argv", ["ccsim", "scenario=small_centre", f"centre.forecast_csv={path}"]
    )
    with pytest.raises(SystemExit) as done:
        main()
    err = capsys.readouterr().err.strip().splitlines()
    assert done.value.code == 2 and len(err) == 1 and "has a time-zone offset (+01:00)" in err[0]


def test_excel_dates_are_local_and_text_offsets_refused(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["interval_start", "channel", "volume"])
    ws.append([datetime(2026, 1, 5, 8, 0), "voice", 4])  # a date cell: naive, read as shown
    wb.save(path)
    fc = read_forecast_csv(path, channels=["voice"], intents=[], interval_min=30)
    assert fc.start == datetime(2026, 1, 5, 8, 0)
    ws.append(["2026-01-05T08:30:00+02:00", "voice", 4])  # a text cell with an offset
    wb.save(path)
    with pytest.raises(InputFileError) as exc:
        read_forecast_csv(path, channels=["voice"], intents=[], interval_min=30)
    assert exc.value.sheet == "Sheet" and exc.value.line == 3
    assert "has a time-zone offset (+02:00)" in str(exc.value) and "cell A3" in str(exc.value)
    # openpyxl reads date cells as naive datetimes; an aware one is shown with its offset and
    # refused like the text.
    aware = datetime(2026, 1, 5, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    assert cell_text(aware, "timestamp", datetime(1899, 12, 30)) == "2026-01-05 08:00:00+01:00"
