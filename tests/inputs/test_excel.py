"""Excel forecasts and rosters (.xlsx) and column mappings: a workbook shaped like a WFM export
(its own headers, a title row, extra columns, dates and durations as Excel cells) drives the
same run as the equivalent CSV; every mistake stops with one line naming the file, the sheet,
the row and the column."""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import ccsim
from ccsim.cli import main
from ccsim.config.recorded import without_quiet_defaults
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.errors import ConfigError, InputFileError
from ccsim.inputs.excel import cell_text, column_letter
from ccsim.inputs.forecast import read_forecast_csv
from ccsim.inputs.roster import read_roster_csv
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config

MONDAY = datetime(2026, 1, 5)  # small_centre's start
CHEAP = ["centre.horizon_days=1", "run.replications=1", "run.plots=false"]
NO_SHIFTS = ["centre.pools.voice_team.shifts=null", "centre.pools.digital_team.shifts=null"]
FORECAST_MAP = (
    "centre.forecast_columns={interval_start: Interval, channel: Channel, intent: Skill, "
    "volume: Offered, aht_s: AHT}"
)
ROSTER_MAP = (
    "centre.roster_columns={pool: Team, start: 'Shift Start', length_h: Hours, count: Agents, "
    "breaks: Breaks}"
)
EXCEL_FORECAST = [
    "centre.forecast_sheet=Intervals",
    "centre.forecast_header_row=3",
    FORECAST_MAP,
]


def _forecast_rows() -> list[tuple[datetime, str, str, float, float | None]]:
    """08:00-12:00 on voice and chat, both intents; some AHTs left empty."""
    rows = []
    for k in range(8):
        t = MONDAY + timedelta(hours=8, minutes=30 * k)
        rows.append((t, "voice", "billing", 20 + 3 * k, 330.0 if k % 2 else None))
        rows.append((t, "voice", "technical", 10.5 + k, 450.0))
        rows.append((t, "chat", "billing", 6 + k, None))
    return rows


def _forecast_xlsx(path: Path) -> Path:
    """A WFM-style export: a notes sheet first, then a title row, a blank row, the header on
    row 3 with its own names and an extra column, dates as date cells, one AHT as a duration
    cell and one as a serial-number date cell's neighbour: a time-of-day formatted AHT."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes["A1"] = "Exported from WFM, week 2"
    ws = wb.create_sheet("Intervals")
    ws["A1"] = "Forecast - contacts offered"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["Interval", "Channel", "Skill", "Offered", "AHT", "Service Level"])
    for i, (t, channel, intent, volume, aht) in enumerate(_forecast_rows()):
        cell: object = aht
        if aht == 450.0 and i == 1:
            cell = timedelta(minutes=7, seconds=30)  # [h]:mm:ss duration cell: 450 s
        elif aht == 450.0 and i == 4:
            cell = time(0, 7, 30)  # an mm:ss-formatted cell arrives as a time of day
        stamp: object = t
        if i == 2:  # a date cell formatted as General: its Excel serial number
            stamp = (t - datetime(1899, 12, 30)) / timedelta(days=1)
        ws.append([stamp, channel, intent, volume, cell, 0.8])
    ws.append(["# end of export"])
    wb.save(path)
    return path


def _forecast_csv(path: Path, *, names: tuple[str, ...] | None = None) -> Path:
    header = names or ("interval_start", "channel", "intent", "volume", "aht_s")
    lines = [",".join(header)]
    for t, channel, intent, volume, aht in _forecast_rows():
        lines.append(f"{t:%Y-%m-%d %H:%M},{channel},{intent},{volume},{'' if aht is None else aht}")
    path.write_text("\n".join(lines) + "\n")
    return path


ROSTER = [
    ("voice_team", MONDAY + timedelta(hours=8), 8.0, 9, "12:00+30"),
    ("voice_team", MONDAY + timedelta(hours=9), 8.5, 4, "13:00+30;15:00+15"),
    ("digital_team", MONDAY + timedelta(hours=8), 8.0, 5, None),
]


def _roster_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append(["Team", "Shift Start", "Hours", "Agents", "Breaks", "Employee group"])
    for i, (pool, start, hours, count, breaks) in enumerate(ROSTER):
        length: object = hours
        if i == 1:
            length = time(8, 30)  # an h:mm-formatted shift length: 8.5 hours
        ws.append([pool, start, length, count, breaks, "FT"])
    wb.save(path)
    return path


def _roster_csv(path: Path) -> Path:
    lines = ["pool,start,length_h,count,breaks"]
    for pool, start, hours, count, breaks in ROSTER:
        lines.append(f"{pool},{start:%Y-%m-%d %H:%M},{hours},{count},{breaks or ''}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _records(job) -> dict[str, object]:
    streams = RandomStreams(job.settings.seed, 0)
    records = simulate(job.centre, sample_customers(job.centre, streams), streams)
    return vars(records)


def _same_records(a: dict[str, object], b: dict[str, object]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        if isinstance(a[name], np.ndarray):
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
        else:
            assert a[name] == b[name], name


# --------------------------------------------------------------------------- equal runs


def test_a_run_from_the_workbooks_equals_the_run_from_the_csv_files(tmp_path):
    fx, rx = _forecast_xlsx(tmp_path / "forecast.xlsx"), _roster_xlsx(tmp_path / "roster.xlsx")
    fc, rc = _forecast_csv(tmp_path / "forecast.csv"), _roster_csv(tmp_path / "roster.csv")
    excel = [
        f"centre.forecast_csv={fx}",
        *EXCEL_FORECAST,
        f"centre.roster_csv={rx}",
        ROSTER_MAP,
        *NO_SHIFTS,
        *CHEAP,
    ]
    plain = [f"centre.forecast_csv={fc}", f"centre.roster_csv={rc}", *NO_SHIFTS, *CHEAP]
    job_x = validate_config(compose_config("small_centre", excel))
    job_c = validate_config(compose_config("small_centre", plain))
    cx, cc = job_x.centre, job_c.centre
    np.testing.assert_array_equal(cx.rate_per_s, cc.rate_per_s)
    np.testing.assert_array_equal(cx.handle_scale, cc.handle_scale)
    assert cx.handle_scale is not None and not np.all(cx.handle_scale == 1.0)
    for px, pc in zip(cx.pools, cc.pools, strict=True):
        np.testing.assert_array_equal(px.agents_scheduled, pc.agents_scheduled)
    assert cx.rate_per_s.sum() * cx.interval_s == pytest.approx(sum(r[3] for r in _forecast_rows()))
    _same_records(_records(job_x), _records(job_c))

    ccsim.run_config("small_centre", excel, out_dir=tmp_path / "x")
    ccsim.run_config("small_centre", plain, out_dir=tmp_path / "c")
    for name in ("intervals.csv", "pools.csv"):
        assert (tmp_path / "x" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()


def test_the_column_mapping_works_on_csv_too(tmp_path):
    mapped = _forecast_csv(
        tmp_path / "wfm.csv", names=("Interval", "Channel", "Skill", "Offered", "AHT")
    )
    plain = _forecast_csv(tmp_path / "forecast.csv")
    a = validate_config(
        compose_config("small_centre", [f"centre.forecast_csv={mapped}", FORECAST_MAP, *CHEAP])
    ).centre
    b = validate_config(compose_config("small_centre", [f"centre.forecast_csv={plain}", *CHEAP]))
    np.testing.assert_array_equal(a.rate_per_s, b.centre.rate_per_s)
    np.testing.assert_array_equal(a.handle_scale, b.centre.handle_scale)


def test_a_workbook_under_ccsims_own_names_needs_no_options(tmp_path):
    path = tmp_path / "forecast.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["interval_start", "channel", "intent", "volume", "aht_s"])
    ws.append([datetime(2026, 1, 5, 8, 0), "voice", "billing", 40, 450])
    ws.append([datetime(2026, 1, 5, 8, 30), "voice", "technical", 30, None])
    wb.save(path)
    fc = read_forecast_csv(
        path, channels=["voice"], intents=["billing", "technical"], interval_min=30
    )
    assert fc.start == datetime(2026, 1, 5, 8, 0) and fc.n_intervals == 2
    assert fc.volume[0, :, :].tolist() == [[40.0, 0.0], [0.0, 30.0]]
    assert fc.aht_s[0, 0, 0] == 450.0 and np.isnan(fc.aht_s[0, 1, 1])


def test_mapping_reads_only_the_columns_it_names(tmp_path):
    """Unmapped headers are ignored; an unmapped column of ccsim's own name is still read; a
    header ccsim also uses (``volume``) is not read when the mapping points elsewhere."""
    path = tmp_path / "r.csv"
    path.write_text("Team,start,Hours,volume,Notes\nvoice_team,2026-01-05 08:00,8,x,night cover\n")
    shifts = read_roster_csv(
        path,
        pools=["voice_team"],
        horizon_start=MONDAY,
        columns={"pool": "Team", "length_h": "Hours"},
    )
    assert [(s.pool, s.start_s, s.end_s, s.count) for s in shifts] == [
        ("voice_team", 8 * 3600.0, 16 * 3600.0, 1)
    ]


# --------------------------------------------------------------------------- errors


def _cli(args, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ccsim", "scenario=small_centre", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert exc.value.code == 2
    assert len(lines) == 1 and lines[0].startswith("ccsim: error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_unknown_mapping_key_names_it_and_lists_the_allowed(tmp_path, monkeypatch, capsys):
    path = _forecast_xlsx(tmp_path / "f.xlsx")
    line = _cli(
        [f"centre.forecast_csv={path}", "centre.forecast_columns.volumes=Offered"],
        monkeypatch,
        capsys,
        tmp_path,
    )
    assert "centre.forecast_columns.volumes='Offered'" in line
    assert "unknown column 'volumes' (did you mean 'volume'?)" in line
    assert "interval_start, channel, volume, intent, aht_s" in line
    with pytest.raises(ConfigError, match=r"centre\.roster_columns\.shift='S': .*pool, start"):
        validate_config(
            compose_config(
                "small_centre", [f"centre.roster_csv={path}", "centre.roster_columns.shift=S"]
            )
        )


def test_a_mapped_header_missing_from_the_file(tmp_path, monkeypatch, capsys):
    path = _forecast_xlsx(tmp_path / "f.xlsx")
    line = _cli(
        [
            f"centre.forecast_csv={path}",
            "centre.forecast_sheet=Intervals",
            "centre.forecast_header_row=3",
            FORECAST_MAP.replace("Offered", "Offered Contacts"),
        ],
        monkeypatch,
        capsys,
        tmp_path,
    )
    assert f"{path}, sheet 'Intervals', row 3: column 'volume'" in line
    assert "header 'Offered Contacts' (centre.forecast_columns.volume) is not in the file" in line
    assert "'Interval', 'Channel', 'Skill', 'Offered', 'AHT', 'Service Level'" in line


def test_the_header_on_a_lower_row_needs_header_row(tmp_path):
    path = _forecast_xlsx(tmp_path / "f.xlsx")
    cfg = compose_config(
        "small_centre",
        [f"centre.forecast_csv={path}", "centre.forecast_sheet=2", FORECAST_MAP, *CHEAP],
    )
    with pytest.raises(InputFileError) as exc:
        validate_config(cfg)
    msg = str(exc.value)
    assert "row 1: column 'interval_start'" in msg
    assert "'Forecast - contacts offered'" in msg and "centre.forecast_header_row" in msg


def test_a_bad_cell_names_the_sheet_row_column_and_cell(tmp_path, monkeypatch, capsys):
    path = _forecast_xlsx(tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Intervals"]["D7"] = "n/a"  # Offered, the fourth data row
    wb.save(path)
    line = _cli([f"centre.forecast_csv={path}", *EXCEL_FORECAST], monkeypatch, capsys, tmp_path)
    assert line == (
        f"ccsim: error: {path}, sheet 'Intervals', row 7: column 'volume' (header 'Offered', "
        "cell D7): 'n/a' is not a number; expected a finite number >= 0"
    )


def test_bad_roster_cells_in_a_workbook(tmp_path):
    path = _roster_xlsx(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Roster"]["B3"] = "tomorrow"
    wb.save(path)
    with pytest.raises(InputFileError) as exc:
        read_roster_csv(
            path,
            pools=["voice_team", "digital_team"],
            horizon_start=MONDAY,
            columns={"pool": "Team", "start": "Shift Start", "length_h": "Hours"},
        )
    e = exc.value
    assert (e.path, e.sheet, e.line, e.column) == (str(path), "Roster", 3, "start")
    assert "header 'Shift Start', cell B3" in str(e) and "'tomorrow' is not a timestamp" in str(e)


def test_a_bad_cell_in_a_mapped_csv_names_the_files_header(tmp_path):
    path = tmp_path / "wfm.csv"
    path.write_text("Interval,Channel,Offered\n2026-01-05 08:00,voice,-3\n")
    with pytest.raises(InputFileError) as exc:
        read_forecast_csv(
            path,
            channels=["voice"],
            intents=["billing"],
            interval_min=30,
            columns={"interval_start": "Interval", "channel": "Channel", "volume": "Offered"},
        )
    assert str(exc.value) == (
        f"{path}:2: column 'volume' (header 'Offered'): '-3' is negative; expected >= 0"
    )


def test_a_wrong_sheet_name_lists_the_sheets(tmp_path, monkeypatch, capsys):
    path = _forecast_xlsx(tmp_path / "f.xlsx")
    line = _cli(
        [f"centre.forecast_csv={path}", "centre.forecast_sheet=Interval"],
        monkeypatch,
        capsys,
        tmp_path,
    )
    assert str(path) in line
    assert "no sheet named 'Interval' (did you mean 'Intervals'?)" in line
    assert "the workbook has sheets: 'Notes', 'Intervals'" in line
    with pytest.raises(InputFileError, match=r"there is no sheet 3 .*'Notes', 'Intervals'"):
        read_forecast_csv(path, channels=["voice"], intents=[], interval_min=30, sheet=3)


def test_a_text_file_named_xlsx_is_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "forecast.xlsx"
    path.write_text("interval_start,channel,volume\n2026-01-05 08:00,voice,4\n")
    line = _cli([f"centre.forecast_csv={path}"], monkeypatch, capsys, tmp_path)
    assert f"{path}:0:" in line and "not an Excel workbook" in line


def test_missing_workbook_and_old_xls(tmp_path):
    with pytest.raises(InputFileError, match="file not found"):
        read_forecast_csv(tmp_path / "no.xlsx", channels=["voice"], intents=[], interval_min=30)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match=r"old-style \.xls .*save it as \.xlsx"):
        read_roster_csv(tmp_path / "old.xls", pools=["voice"], horizon_start=MONDAY)


def test_options_are_checked_as_config_values(tmp_path):
    csv_path = _forecast_csv(tmp_path / "f.csv")
    xlsx = _forecast_xlsx(tmp_path / "f.xlsx")
    cases = {
        "centre.forecast_sheet": [f"centre.forecast_csv={csv_path}", "centre.forecast_sheet=2"],
        "centre.roster_sheet": ["centre.roster_sheet=Roster"],  # no roster file
        "centre.forecast_header_row": [
            f"centre.forecast_csv={xlsx}",
            "centre.forecast_header_row=0",
        ],
    }
    for key, overrides in cases.items():
        with pytest.raises(ConfigError) as exc:
            validate_config(compose_config("small_centre", [*overrides, *CHEAP]))
        assert exc.value.key == key, str(exc.value)
    with pytest.raises(ConfigError, match="sheets are counted from 1"):
        validate_config(
            compose_config(
                "small_centre",
                [f"centre.forecast_csv={xlsx}", "centre.forecast_sheet=0", *CHEAP],
            )
        )
    with pytest.raises(ConfigError, match="both read header 'Offered'"):
        validate_config(
            compose_config(
                "small_centre",
                [
                    f"centre.forecast_csv={xlsx}",
                    "centre.forecast_columns={volume: Offered, aht_s: Offered}",
                ],
            )
        )


def test_a_value_right_of_the_header_is_an_error_without_a_mapping(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["interval_start", "channel", "volume"])
    ws.append([datetime(2026, 1, 5, 8, 0), "voice", 4, None, "stray"])
    wb.save(path)
    with pytest.raises(InputFileError) as exc:
        read_forecast_csv(path, channels=["voice"], intents=[], interval_min=30)
    assert str(exc.value).startswith(f"{path}, sheet 'Data', row 2: column '': cell E2 holds")


def test_a_blank_header_row_is_reported(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("# title\n\ninterval_start,channel,volume\n2026-01-05 08:00,voice,4\n")
    with pytest.raises(InputFileError, match=r":2: .*line 2 \(header_row\) is blank"):
        read_forecast_csv(path, channels=["voice"], intents=[], interval_min=30, header_row=2)
    fc = read_forecast_csv(path, channels=["voice"], intents=[], interval_min=30, header_row=3)
    assert fc.volume.sum() == 4


# --------------------------------------------------------------------------- cells, config


def test_cells_read_as_a_csv_export_would_hold_them():
    epoch = datetime(1899, 12, 30)
    assert cell_text(None, None, epoch) == ""
    assert cell_text("  voice ", None, epoch) == "voice"
    assert cell_text(42.0, None, epoch) == "42" and cell_text(55.5, None, epoch) == "55.5"
    assert cell_text(datetime(2026, 1, 5), None, epoch) == "2026-01-05 00:00"
    assert cell_text(datetime(2026, 1, 5, 8, 0, 30), None, epoch) == "2026-01-05 08:00:30"
    assert cell_text(time(8, 30), None, epoch) == "08:30"
    assert cell_text(46027.5, "timestamp", epoch) == "2026-01-05 12:00"
    assert cell_text(46027.5, None, epoch) == "46027.5"
    assert cell_text(timedelta(minutes=5, seconds=20), 1.0, epoch) == "320"
    assert cell_text(time(8, 30), 3600.0, epoch) == "8.5"
    assert cell_text(True, None, epoch) == "TRUE"
    assert [column_letter(i) for i in (0, 25, 26, 701)] == ["A", "Z", "AA", "ZZ"]


def test_new_keys_at_their_defaults_stay_out_of_the_recorded_config(tmp_path):
    centre = without_quiet_defaults(compose_config("small_centre"))["centre"]
    for which in ("forecast", "roster"):
        for key in ("sheet", "columns", "header_row"):
            assert f"{which}_{key}" not in centre
    path = _forecast_xlsx(tmp_path / "f.xlsx")
    given = compose_config("small_centre", [f"centre.forecast_csv={path}", *EXCEL_FORECAST])
    recorded = without_quiet_defaults(given)["centre"]
    assert recorded["forecast_sheet"] == "Intervals" and recorded["forecast_header_row"] == 3
    assert recorded["forecast_columns"]["volume"] == "Offered"


def test_a_scheduled_roster_is_read_back_without_the_excel_options(tmp_path):
    """mode=schedule writes its roster as CSV under ccsim's names and runs the centre on it."""
    from ccsim.planning.schedule_mode import roster_config

    raw = compose_config(
        "small_centre",
        ["centre.roster_csv=wfm.xlsx", "centre.roster_sheet=Roster", ROSTER_MAP],
    )
    centre = roster_config(raw, tmp_path / "roster.csv")["centre"]
    assert centre["roster_csv"] == str((tmp_path / "roster.csv").resolve())
    assert not {"roster_sheet", "roster_columns", "roster_header_row"} & set(centre)
