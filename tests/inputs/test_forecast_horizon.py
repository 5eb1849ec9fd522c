"""Forecast files are streamed once and sized to the horizon (issue 26.6): rows outside it are
ignored but counted and logged, a file with no row in it stops the run in one line, and a
file that also covers other weeks gives exactly the rates of one cut to the horizon."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta

import numpy as np
import openpyxl
import pytest

from ccsim.cli import main
from ccsim.errors import ConfigError, InputFileError
from ccsim.inputs.forecast import read_forecast_csv
from ccsim.inputs.roster import read_roster_csv
from ccsim.runs.job import validate_config

MONDAY = datetime(2026, 1, 5)  # small_centre's start (two days, 30-minute intervals)
HEADER = "interval_start,channel,intent,volume,aht_s\n"
IN_HORIZON = [
    "2026-01-05 08:00,voice,billing,40,450\n",
    "2026-01-05 08:30,voice,technical,30,\n",
    "2026-01-06 09:00,chat,billing,12,600\n",
    "2026-01-06 23:30,email,technical,9,\n",
]
OUTSIDE = [
    "2026-01-04 23:30,voice,billing,99,100\n",  # the interval before the horizon
    "2026-01-07 00:00,voice,billing,77,900\n",  # the first after it
    "2023-06-01 10:00,fax,nobody,-1,0\n",  # outside: only the timestamp is checked
    "2031-12-31 23:30,chat,technical,5,\n",
]
NO_SHIFTS = ["centre.pools.voice_team.shifts=null", "centre.pools.digital_team.shifts=null"]


def _read(path, **kw):
    return read_forecast_csv(
        path,
        channels=["voice", "chat"],
        intents=["billing", "technical"],
        interval_min=30,
        **kw,
    )


def test_rows_outside_the_horizon_are_ignored_counted_and_logged(tmp_path, caplog):
    path = tmp_path / "f.csv"
    path.write_text(HEADER + OUTSIDE[0] + IN_HORIZON[0] + OUTSIDE[1] + OUTSIDE[3])
    with caplog.at_level(logging.INFO, logger="ccsim"):
        fc = _read(path, horizon_start=MONDAY, horizon_intervals=96)
    assert fc.start == MONDAY and fc.n_intervals == 96 and fc.volume.shape == (2, 2, 96)
    assert fc.rows == 4 and fc.rows_outside == 3
    assert fc.volume.sum() == 40 and fc.volume[0, 0, 16] == 40 and fc.aht_s[0, 0, 16] == 450
    assert fc.first == datetime(2026, 1, 4, 23, 30) and fc.last == datetime(2031, 12, 31, 23, 30)
    assert fc.covers == (datetime(2026, 1, 4, 23, 30), datetime(2032, 1, 1))
    msg = [r.getMessage() for r in caplog.records if "outside the horizon" in r.getMessage()]
    assert msg == [
        f"forecast {path}: 3 of its 4 rows lie outside the horizon 2026-01-05 .. 2026-01-07 "
        "and are ignored (the file covers 2026-01-04 23:30 .. 2032-01-01)"
    ]


def test_only_a_row_timestamp_is_checked_outside_the_horizon(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(HEADER + IN_HORIZON[0] + OUTSIDE[2])  # unknown channel, negative volume
    fc = _read(path, horizon_start=MONDAY, horizon_intervals=96)
    assert fc.rows_outside == 1
    for bad in ("2023-06-01 10:10,voice,billing,1,\n", "2023-06-31 10:00,voice,billing,1,\n"):
        path.write_text(HEADER + IN_HORIZON[0] + bad)
        with pytest.raises(InputFileError) as exc:
            _read(path, horizon_start=MONDAY, horizon_intervals=96)
        assert exc.value.line == 3 and exc.value.column == "interval_start"
    # Inside the horizon every check applies, duplicates too (naming the first line).
    path.write_text(HEADER + IN_HORIZON[0] + OUTSIDE[1] + IN_HORIZON[0])
    with pytest.raises(InputFileError, match="already given on line 2") as exc:
        _read(path, horizon_start=MONDAY, horizon_intervals=96)
    assert exc.value.line == 4


def test_a_span_of_years_costs_no_memory(tmp_path):
    """Two rows three years apart: the arrays are the horizon's, not the file's span."""
    path = tmp_path / "f.csv"
    path.write_text(
        HEADER + "2024-01-01 00:00,voice,billing,1,\n2026-01-05 08:00,chat,billing,2,\n"
    )
    fc = _read(path, horizon_start=MONDAY, horizon_intervals=96)
    assert fc.volume.nbytes == 2 * 2 * 96 * 8 and fc.volume[1, 0, 16] == 2
    # Without a horizon the arrays span the file, as before: two years and four days.
    assert _read(path).n_intervals == (365 + 366 + 4) * 48 + 16 + 1


def test_reading_for_the_file_span_is_reading_without_a_horizon(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(HEADER + "".join(IN_HORIZON[:3]))
    plain = _read(path)
    fitted = _read(path, horizon_start=plain.start, horizon_intervals=plain.n_intervals)
    np.testing.assert_array_equal(plain.volume, fitted.volume)
    np.testing.assert_array_equal(plain.aht_s, fitted.aht_s)
    assert fitted.rows_outside == 0 and not fitted.volume.flags.writeable


def test_a_forecast_read_again_unchanged_is_not_parsed_again(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(HEADER + IN_HORIZON[0])
    a = _read(path, horizon_start=MONDAY, horizon_intervals=96)
    assert _read(path, horizon_start=MONDAY, horizon_intervals=96) is a
    assert _read(path, horizon_start=MONDAY, horizon_intervals=48) is not a
    path.write_text(HEADER + IN_HORIZON[0].replace(",40,", ",41,"))  # same size, new content
    assert _read(path, horizon_start=MONDAY, horizon_intervals=96).volume[0, 0, 16] == 41


def test_bad_horizon_arguments(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(HEADER + IN_HORIZON[0])
    with pytest.raises(ValueError, match="horizon_intervals"):
        _read(path, horizon_start=MONDAY)
    with pytest.raises(ValueError, match="not the start of a 30-minute interval"):
        _read(path, horizon_start=MONDAY + timedelta(minutes=10), horizon_intervals=4)


def test_a_wider_forecast_gives_the_rates_of_one_cut_to_the_horizon(compose_cfg, tmp_path):
    """A normal run's demand is unchanged: the rows outside add nothing, and the handle-time
    weighting uses the horizon's rows (the file used to have to start at centre.start)."""
    cut = tmp_path / "cut.csv"
    cut.write_text(HEADER + "".join(IN_HORIZON))
    wide = tmp_path / "wide.csv"
    wide.write_text(HEADER + OUTSIDE[0] + "".join(IN_HORIZON) + OUTSIDE[1] + OUTSIDE[3])
    a, b = (
        validate_config(
            compose_cfg("scenario=small_centre", f"centre.forecast_csv={p}", "run.plots=false")
        ).centre
        for p in (cut, wide)
    )
    np.testing.assert_array_equal(a.rate_per_s, b.rate_per_s)
    np.testing.assert_array_equal(a.handle_scale, b.handle_scale)
    assert a.rate_per_s.sum() * a.interval_s == pytest.approx(40 + 30 + 12 + 9)


def test_no_row_in_the_horizon_is_one_line(compose_cfg, tmp_path, monkeypatch, capsys):
    path = tmp_path / "f.csv"
    rows = [f"2025-01-0{d} 08:00,voice,billing,5,\n" for d in range(1, 8)]
    path.write_text(HEADER + "".join(rows))
    cfg = compose_cfg("scenario=small_centre", f"centre.forecast_csv={path}")
    with pytest.raises(ConfigError) as exc:
        validate_config(cfg)
    assert str(exc.value) == (
        f"centre.start='2026-01-05 00:00': forecast {path} covers 2025-01-01 08:00 .. "
        "2025-01-07 08:30, the horizon is 2026-01-05 .. 2026-01-07: no interval in common; set "
        "centre.start to a time the forecast covers (its first interval: '2025-01-01 08:00')"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        sys, "argv", ["ccsim", "scenario=small_centre", f"centre.forecast_csv={path}"]
    )
    with pytest.raises(SystemExit) as done:
        main()
    err = capsys.readouterr().err.strip().splitlines()
    assert done.value.code == 2 and len(err) == 1 and "no interval in common" in err[0], err
    # A file around the horizon with a gap just there says so.
    path.write_text(HEADER + "2026-01-01 08:00,voice,billing,5,\n2026-02-01 08:00,chat,,1,\n")
    with pytest.raises(ConfigError, match="the forecast has no row in the horizon"):
        validate_config(compose_cfg("scenario=small_centre", f"centre.forecast_csv={path}"))


def test_a_workbook_is_streamed_and_cut_to_the_horizon(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["interval_start", "channel", "intent", "volume", "aht_s"])
    ws.append([datetime(2025, 12, 31, 8, 0), "fax", "?", -3, None])  # outside: not checked
    ws.append([datetime(2026, 1, 5, 8, 0), "voice", "billing", 40, 450])
    ws.append([datetime(2026, 1, 8, 8, 0), "voice", "billing", 40, 450])
    wb.save(path)
    fc = _read(path, horizon_start=MONDAY, horizon_intervals=96)
    assert fc.rows == 3 and fc.rows_outside == 2 and fc.volume[0, 0, 16] == 40
    bad = tmp_path / "bad.xlsx"
    ws.append([datetime(2026, 1, 5, 8, 0), "voice", "billing", 1, None])  # a duplicate
    wb.save(bad)
    with pytest.raises(InputFileError, match="already given on row 3") as exc:
        _read(bad, horizon_start=MONDAY, horizon_intervals=96)
    assert exc.value.sheet == "Sheet" and exc.value.line == 5


def test_roster_rows_after_the_horizon_are_ignored_and_counted(tmp_path, caplog):
    path = tmp_path / "r.csv"
    path.write_text(
        "pool,start,length_h,count,breaks\n"
        "voice,2026-01-05 08:00,8,2,12:00+30\n"
        "voice,2026-01-07 00:00,8,1,\n"  # at the horizon end
        "voice,2026-03-01 08:00,8,1,\n"
    )
    end = MONDAY + timedelta(days=2)
    with caplog.at_level(logging.INFO, logger="ccsim"):
        shifts = read_roster_csv(path, pools=["voice"], horizon_start=MONDAY, horizon_end=end)
    assert [(s.start_s, s.count) for s in shifts] == [(8 * 3600.0, 2)]
    assert any("2 rows start at or after the horizon end" in r.getMessage() for r in caplog.records)
    assert len(read_roster_csv(path, pools=["voice"], horizon_start=MONDAY)) == 3
    # Their start is still checked; a run on the file reads only the horizon's shifts.
    path.write_text("pool,start,length_h\nvoice,2026-03-01 8h,8\n")
    with pytest.raises(InputFileError, match="is not a timestamp"):
        read_roster_csv(path, pools=["voice"], horizon_start=MONDAY, horizon_end=end)
