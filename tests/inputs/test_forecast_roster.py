"""Forecast and roster input files: valid samples parse to the right arrays; every kind of
mistake raises InputFileError (file, line, column) or ConfigError naming the offending value."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from ccsim.errors import ConfigError, InputFileError
from ccsim.inputs.forecast import read_forecast_csv
from ccsim.inputs.roster import (
    Shift,
    agents_per_interval,
    read_roster_csv,
    shifts_from_config,
    staffing_events,
)

DATA = Path(__file__).resolve().parents[1] / "data"
CHANNELS = ("voice", "chat")
INTENTS = ("billing", "tech")
POOLS = ("voice", "chat")
MONDAY = datetime(2024, 3, 4)  # a Monday, 00:00
H = 3600.0


def _write(tmp_path: Path, text: str, name: str = "input.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _forecast(path: Path, interval_min: int = 15):
    return read_forecast_csv(path, channels=CHANNELS, intents=INTENTS, interval_min=interval_min)


def _roster(path: Path):
    return read_roster_csv(path, pools=POOLS, horizon_start=MONDAY)


def _check(exc: pytest.ExceptionInfo, path: Path, line: int, column: str, *needles: str) -> None:
    err = exc.value
    assert err.path == str(path)
    assert err.line == line
    assert err.column == column
    message = str(err)
    assert message.startswith(f"{path}:{line}: column {column!r}: ")
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"


# --------------------------------------------------------------------------- forecast: valid


def test_sample_forecast_parses_to_the_right_arrays():
    fc = read_forecast_csv(
        DATA / "forecast_valid.csv", channels=CHANNELS, intents=INTENTS, interval_min=30
    )
    assert fc.path == str(DATA / "forecast_valid.csv")
    assert fc.start == MONDAY
    assert fc.interval_min == 30 and fc.interval_s == 1800.0
    assert fc.n_intervals == 48
    assert fc.channels == CHANNELS and fc.intents == INTENTS
    assert fc.volume.shape == fc.aht_s.shape == (2, 2, 48)
    # Hand-checked against the file: 10:00 is interval 20, 14:30 is interval 29.
    assert fc.volume[0, 0, 20] == 60.6  # voice, billing
    assert fc.volume[1, 1, 29] == 32.4  # chat, tech
    assert fc.volume[1, 0, 29] == 21.6  # chat, billing (after the blank line and comment)
    assert np.all(fc.volume[:, :, :14] == 0)  # night
    assert fc.aht_s[0, 1, 20] == 480.0
    assert np.all(np.isnan(fc.aht_s[1, 0]))  # chat billing: aht_s left empty everywhere
    assert np.all(fc.aht_s[1, 1] == 600.0)


def test_forecast_follows_the_callers_channel_order():
    a = read_forecast_csv(
        DATA / "forecast_valid.csv", channels=CHANNELS, intents=INTENTS, interval_min=30
    )
    b = read_forecast_csv(
        DATA / "forecast_valid.csv",
        channels=("chat", "voice", "email"),
        intents=("tech", "billing"),
        interval_min=30,
    )
    assert b.channels == ("chat", "voice", "email")
    np.testing.assert_array_equal(b.volume[0, 0], a.volume[1, 1])
    np.testing.assert_array_equal(b.volume[1, 1], a.volume[0, 0])
    assert np.all(b.volume[2] == 0) and np.all(np.isnan(b.aht_s[2]))  # email: not in the file


def test_forecast_rows_in_any_order_gaps_are_zero_and_intent_is_optional(tmp_path):
    path = _write(
        tmp_path,
        "volume,channel,interval_start\n"
        "5,chat,2024-03-04T09:30\n"
        "  7.5 , voice , 2024-03-04 08:45:00 \n"
        "# a comment line\n"
        "\n"
        ",,\n"
        "3,voice,2024-03-04 08:00\n",
    )
    fc = _forecast(path)
    assert fc.start == datetime(2024, 3, 4, 8, 0)
    assert fc.intents is None
    assert fc.n_intervals == 7  # 08:00 .. 09:30 in 15 minutes
    assert fc.volume.shape == (2, 1, 7)
    np.testing.assert_array_equal(fc.volume[0, 0], [3, 0, 0, 7.5, 0, 0, 0])
    np.testing.assert_array_equal(fc.volume[1, 0], [0, 0, 0, 0, 0, 0, 5])
    assert np.all(np.isnan(fc.aht_s))  # no aht_s column


def test_forecast_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffinterval_start,channel,volume\n2024-03-04 08:00,voice,1\n".encode())
    assert _forecast(path).volume[0, 0, 0] == 1.0


def test_forecast_rejects_an_interval_length_that_does_not_divide_a_day(tmp_path):
    path = _write(tmp_path, "interval_start,channel,volume\n2024-03-04 08:00,voice,1\n")
    with pytest.raises(ValueError, match="interval_min"):
        _forecast(path, interval_min=7)


# --------------------------------------------------------------------------- forecast: errors


def test_forecast_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 0, "", "file not found")


def test_forecast_unreadable_file(tmp_path):
    with pytest.raises(InputFileError) as exc:
        _forecast(tmp_path)  # a directory
    _check(exc, tmp_path, 0, "", "cannot read")


def test_forecast_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "interval_start,channel,volume\n2024-03-04 08:00,caf\xe9,1\n".encode("latin-1")
    )
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 0, "", "UTF-8")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n\n"])
def test_forecast_empty_file(tmp_path, text):
    path = _write(tmp_path, text)
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 1, "", "empty", "interval_start, channel, volume")


def test_forecast_header_without_rows(tmp_path):
    path = _write(tmp_path, "# comment\ninterval_start,channel,volume\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 2, "", "no data rows")


def test_forecast_missing_required_column(tmp_path):
    path = _write(tmp_path, "interval_start,channel,aht_s\n2024-03-04 08:00,voice,300\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 1, "volume", "'volume' is missing", "interval_start, channel, aht_s")


def test_forecast_unknown_column(tmp_path):
    path = _write(tmp_path, "interval_start,channel,Intent,volume\n2024-03-04 08:00,voice,x,1\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 1, "Intent", "unknown column 'Intent'", "did you mean 'intent'", "aht_s")


def test_forecast_semicolon_separated_file(tmp_path):
    path = _write(tmp_path, "interval_start;channel;volume\n2024-03-04 08:00;voice;1\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 1, "interval_start;channel;volume", "comma-separated")


def test_forecast_repeated_column(tmp_path):
    path = _write(tmp_path, "interval_start,channel,volume,volume\n2024-03-04 08:00,voice,1,2\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 1, "volume", "given twice")


def test_forecast_row_with_too_few_values(tmp_path):
    path = _write(tmp_path, "interval_start,channel,volume,aht_s\n2024-03-04 08:00,voice,1\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 2, "aht_s", "3 values", "4 columns")


def test_forecast_row_with_too_many_values(tmp_path):
    path = _write(tmp_path, "interval_start,channel,volume\n2024-03-04 08:00,voice,1,300\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 2, "", "4 values", "'300'")


@pytest.mark.parametrize(
    "stamp",
    [
        "2024-03-04 8:00",
        "04/03/2024 08:00",
        "2024-03-04",
        "2024-03-04 08:00+01:00",
        "2024-03-04T08:00Z",
        "2024-03-04 08:00:00.5",
        "20240304T0800",
        "2024-02-30 08:00",
        "2024-03-04 24:00",
    ],
)
def test_forecast_bad_timestamp(tmp_path, stamp):
    path = _write(
        tmp_path, f"interval_start,channel,volume\n2024-03-04 07:45,voice,1\n{stamp},voice,1\n"
    )
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 3, "interval_start", repr(stamp))


@pytest.mark.parametrize("stamp", ["2024-03-04 08:10", "2024-03-04 08:15:30"])
def test_forecast_timestamp_off_the_interval_grid(tmp_path, stamp):
    path = _write(tmp_path, f"interval_start,channel,volume\n{stamp},voice,1\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path, interval_min=15)
    _check(exc, path, 2, "interval_start", repr(stamp), "15-minute", "multiple of 15")


def test_forecast_duplicate_interval(tmp_path):
    path = _write(
        tmp_path,
        "interval_start,channel,intent,volume\n"
        "2024-03-04 08:00,voice,billing,1\n"
        "2024-03-04 08:00,voice,tech,1\n"
        "2024-03-04T08:00:00,voice,billing,2\n",
    )
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 4, "interval_start", "duplicate", "'2024-03-04T08:00:00'", "line 2")


def test_forecast_unknown_channel(tmp_path):
    path = _write(tmp_path, "interval_start,channel,volume\n2024-03-04 08:00,Voice,1\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 2, "channel", "'Voice'", "allowed: 'voice', 'chat'")


def test_forecast_unknown_intent(tmp_path):
    path = _write(
        tmp_path, "interval_start,channel,intent,volume\n2024-03-04 08:00,voice,sales,1\n"
    )
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 2, "intent", "'sales'", "allowed: 'billing', 'tech'")


def test_forecast_empty_intent_when_the_column_is_present(tmp_path):
    path = _write(tmp_path, "interval_start,channel,intent,volume\n2024-03-04 08:00,voice,,1\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 2, "intent", "empty", "allowed: 'billing', 'tech'")


@pytest.mark.parametrize(
    "value, needle",
    [
        ("abc", "'abc' is not a number"),
        ("", "empty is not a number"),
        ("-1", "'-1' is negative"),
        ("nan", "'nan' is not finite"),
        ("inf", "'inf' is not finite"),
    ],
)
def test_forecast_bad_volume(tmp_path, value, needle):
    path = _write(tmp_path, f"interval_start,channel,volume\n2024-03-04 08:00,voice,{value}\n")
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 2, "volume", needle, ">= 0")


@pytest.mark.parametrize(
    "value, needle",
    [("abc", "'abc' is not a number"), ("0", "'0' is not > 0"), ("-5", "'-5' is not > 0")],
)
def test_forecast_bad_aht(tmp_path, value, needle):
    path = _write(
        tmp_path,
        f"interval_start,channel,volume,aht_s\n2024-03-04 08:00,voice,1,300\n"
        f"2024-03-04 08:15,voice,1,{value}\n",
    )
    with pytest.raises(InputFileError) as exc:
        _forecast(path)
    _check(exc, path, 3, "aht_s", needle, "> 0")


# --------------------------------------------------------------------------- roster: valid


def test_sample_roster_parses_to_the_right_shifts():
    shifts = _roster(DATA / "roster_valid.csv")
    assert shifts == [
        Shift("voice", 8 * H, 16 * H, ((12 * H, 12.5 * H),), 10),
        Shift("voice", 12 * H, 20.5 * H, ((15 * H, 15.25 * H), (17.5 * H, 18 * H)), 6),
        Shift("chat", 9 * H, 17 * H, (), 4),
        # Night shift: the 02:00 break is on the next day.
        Shift("voice", 22 * H, 30 * H, ((26 * H, 26.5 * H),), 2),
        Shift("chat", 32 * H, 36 * H, (), 1),
    ]


def test_roster_agents_per_interval_is_time_weighted():
    shifts = _roster(DATA / "roster_valid.csv")
    voice = agents_per_interval(shifts, "voice", 1800.0, 48)
    assert voice.shape == (48,)
    assert voice[15] == 0  # 07:30
    assert voice[16] == 10  # 08:00
    assert voice[24] == 6  # 12:00: the first 10 on break, the next 6 start
    assert voice[25] == 16  # 12:30
    assert voice[30] == pytest.approx(10 + 6 * 0.5)  # 15:00: the 6 on a 15-min break
    assert voice[31] == 16
    assert voice[32] == 6  # 16:00: the first 10 have gone
    assert voice[35] == 0  # 17:30: the 6 on a 30-min break
    assert voice[40] == 6 and voice[41] == 0  # the 6 leave at 20:30
    assert voice[44] == 2 and voice[47] == 2  # night shift
    hourly = agents_per_interval(shifts, "voice", 3600.0, 24)
    assert hourly[12] == pytest.approx(10 * 0.5 + 6)  # 12:00-13:00
    # Agent-hours are conserved over the whole horizon (night shift runs past day 1).
    day2 = agents_per_interval(shifts, "voice", 1800.0, 96)
    paid = 10 * 7.5 + 6 * 7.75 + 2 * 7.5
    assert day2.sum() * 0.5 == pytest.approx(paid)
    chat = agents_per_interval(shifts, "chat", 3600.0, 48)
    assert chat[9] == 4 and chat[17] == 0 and chat[32] == 1
    assert np.all(agents_per_interval(shifts, "email", 3600.0, 5) == 0)
    assert agents_per_interval(shifts, "voice", 3600.0, 0).shape == (0,)


def test_staffing_events_are_sorted_and_deterministic():
    shifts = _roster(DATA / "roster_valid.csv")
    events = staffing_events(shifts)
    assert events == staffing_events(list(reversed(shifts)))
    assert events[:3] == [(8 * H, "voice", 10), (9 * H, "chat", 4), (12 * H, "voice", -10)]
    assert events[3] == (12 * H, "voice", 6)  # same time and pool: the drop comes first
    assert sum(d for _, _, d in events) == 0
    level: dict[str, int] = {}
    for _, pool, delta in events:
        level[pool] = level.get(pool, 0) + delta
        assert level[pool] >= 0
    assert len(events) == 2 * 5 + 2 * 4  # 5 shifts, 4 breaks


def test_roster_header_only_is_an_empty_roster(tmp_path):
    assert _roster(_write(tmp_path, "pool,start,length_h\n")) == []


# --------------------------------------------------------------------------- roster: errors


def _roster_error(tmp_path, rows: str, header: str = "pool,start,length_h,count,breaks"):
    path = _write(tmp_path, f"{header}\n{rows}\n")
    with pytest.raises(InputFileError) as exc:
        _roster(path)
    return path, exc


def test_roster_missing_column(tmp_path):
    path, exc = _roster_error(tmp_path, "voice,2024-03-04 08:00", header="pool,start")
    _check(exc, path, 1, "length_h", "'length_h' is missing")


def test_roster_unknown_column(tmp_path):
    path, exc = _roster_error(
        tmp_path, "voice,2024-03-04 08:00,8,", header="pool,start,length_h,breakz"
    )
    _check(exc, path, 1, "breakz", "'breakz'", "did you mean 'breaks'", "count")


def test_roster_unknown_pool(tmp_path):
    path, exc = _roster_error(tmp_path, "email,2024-03-04 08:00,8,1,")
    _check(exc, path, 2, "pool", "'email'", "allowed: 'voice', 'chat'")


@pytest.mark.parametrize("stamp", ["2024-03-04 8am", "2024-03-04", "2024-13-01 08:00"])
def test_roster_bad_timestamp(tmp_path, stamp):
    path, exc = _roster_error(tmp_path, f"voice,{stamp},8,1,")
    _check(exc, path, 2, "start", repr(stamp))


def test_roster_shift_from_before_the_horizon_start_is_cut_at_it(tmp_path, caplog):
    """A WFM export from Monday 00:00 holds Sunday's night shifts: their part in the horizon
    staffs it (on break at the start: from the break's end); one over by then is left out."""
    path = _write(
        tmp_path,
        "pool,start,length_h,count,breaks\n"
        "voice,2024-03-03 22:00,8,2,02:00+30\n"  # 22:00-06:00, break after the start
        "voice,2024-03-03 23:00,8,1,23:45+30\n"  # on break at 00:00 (23:45-00:15)
        "voice,2024-03-03 14:00,10,1,\n"  # ends 00:00: nothing in the horizon
        "voice,2024-03-04 08:00,8,1,\n",
    )
    with caplog.at_level("INFO", logger="ccsim"):
        shifts = _roster(path)
    assert shifts == [
        Shift("voice", 0.0, 6 * H, ((2 * H, 2.5 * H),), 2),
        Shift("voice", 0.25 * H, 7 * H, (), 1),
        Shift("voice", 8 * H, 16 * H, (), 1),
    ]
    assert "3 rows start before the horizon start 2024-03-04 00:00; 1 of them end" in caplog.text


@pytest.mark.parametrize(
    "value, needle",
    [
        ("eight", "'eight' is not a number"),
        ("0", "'0' is out of range"),
        ("-8", "'-8' is out of range"),
        ("24.5", "'24.5' is out of range"),
        ("nan", "'nan' is not finite"),
    ],
)
def test_roster_bad_length(tmp_path, value, needle):
    path, exc = _roster_error(tmp_path, f"voice,2024-03-04 08:00,{value},1,")
    _check(exc, path, 2, "length_h", needle, "> 0 and <= 24")


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "two"])
def test_roster_bad_count(tmp_path, value):
    path, exc = _roster_error(tmp_path, f"voice,2024-03-04 08:00,8,{value},")
    _check(exc, path, 2, "count", repr(value), "whole number >= 1")


@pytest.mark.parametrize(
    "value, needle",
    [
        ("12:00-30", "malformed"),
        ("12h+30", "malformed"),
        ("12:00+", "malformed"),
        ("12:00+30min", "malformed"),
        ("25:00+30", "no such clock time"),
        ("12:60+30", "no such clock time"),
        ("12:00+0", "0 minutes"),
    ],
)
def test_roster_malformed_break(tmp_path, value, needle):
    path, exc = _roster_error(tmp_path, f"voice,2024-03-04 08:00,8,1,10:00+15;{value}")
    _check(exc, path, 2, "breaks", repr(value), needle)


@pytest.mark.parametrize("value", ["16:00+15", "15:50+15", "08:00+15", "07:00+30", "03:00+30"])
def test_roster_break_outside_the_shift(tmp_path, value):
    path, exc = _roster_error(tmp_path, f"voice,2024-03-04 08:00,8,1,{value}")
    _check(exc, path, 2, "breaks", repr(value), "outside the shift", "2024-03-04 08:00 to")


@pytest.mark.parametrize("value", ["12:00+30;12:15+15", "12:00+30;12:30+15", "12:30+15;12:00+30"])
def test_roster_overlapping_breaks(tmp_path, value):
    path, exc = _roster_error(tmp_path, f"voice,2024-03-04 08:00,8,1,{value}")
    _check(exc, path, 2, "breaks", "overlaps or touches", "'12:00+30'")


def test_roster_error_line_counts_comments_and_blank_lines(tmp_path):
    path, exc = _roster_error(
        tmp_path, "# first shift\nvoice,2024-03-04 08:00,8,1,\n\nvoice,2024-03-04 09:00,x,1,"
    )
    _check(exc, path, 5, "length_h", "'x'")


# --------------------------------------------------------------------------- roster: config


def test_shifts_from_config_repeats_on_the_chosen_weekdays():
    items = [
        {"pool": "voice", "start": "09:00", "length_h": 8, "count": 5, "breaks": ["13:00+30"]},
        {"pool": "chat", "start": "22:00", "length_h": 9, "breaks": ["02:00+30"], "days": [4]},
    ]
    shifts = shifts_from_config(
        items, pools=POOLS, horizon_start=MONDAY, n_days=7, key_prefix="roster.shifts"
    )
    assert len(shifts) == 8  # voice every day, chat on Friday only
    assert shifts[0] == Shift("voice", 9 * H, 17 * H, ((13 * H, 13.5 * H),), 5)
    assert shifts[-1] == Shift(
        "voice",
        6 * 24 * H + 9 * H,
        6 * 24 * H + 17 * H,
        ((6 * 24 * H + 13 * H, 6 * 24 * H + 13.5 * H),),
        5,
    )
    friday = 4 * 24 * H
    assert (
        Shift("chat", friday + 22 * H, friday + 31 * H, ((friday + 26 * H, friday + 26.5 * H),), 1)
        in shifts
    )


def test_shifts_from_config_cuts_shifts_at_the_horizon_start():
    start = datetime(2024, 3, 4, 8, 0)
    items = [
        {"pool": "voice", "start": "07:00", "length_h": 8, "breaks": ["12:00+30"]},
        {"pool": "voice", "start": "00:00", "length_h": 8},  # ends as the horizon starts
        {"pool": "chat", "start": "06:00", "length_h": 4, "breaks": ["07:45+30"]},
    ]
    shifts = shifts_from_config(items, pools=POOLS, horizon_start=start, n_days=2, key_prefix="s")
    assert shifts[:2] == [
        Shift("voice", 0.0, 7 * H, ((4 * H, 4.5 * H),), 1),
        Shift("chat", 0.25 * H, 2 * H, (), 1),  # on break at 08:00: starts at 08:15
    ]
    assert shifts[2] == Shift("voice", 23 * H, 31 * H, ((28 * H, 28.5 * H),), 1)
    assert len(shifts) == 5


@pytest.mark.parametrize(
    "item, key, needle",
    [
        (
            {"pool": "voice", "start": "08:00", "length_h": 8, "brakes": []},
            "[0].brakes",
            "unknown key",
        ),
        ({"pool": "email", "start": "08:00", "length_h": 8}, "[0].pool", "voice, chat"),
        ({"start": "08:00", "length_h": 8}, "[0].pool", "required"),
        ({"pool": "voice", "start": 750, "length_h": 8}, "[0].start", "in quotes"),
        ({"pool": "voice", "start": "8am", "length_h": 8}, "[0].start", "HH:MM"),
        ({"pool": "voice", "start": "24:00", "length_h": 8}, "[0].start", "HH:MM"),
        ({"pool": "voice", "start": "08:00", "length_h": 0}, "[0].length_h", "> 0 and <= 24"),
        ({"pool": "voice", "start": "08:00", "length_h": "8"}, "[0].length_h", "> 0"),
        ({"pool": "voice", "start": "08:00", "length_h": 8, "count": 0}, "[0].count", ">= 1"),
        ({"pool": "voice", "start": "08:00", "length_h": 8, "count": 1.5}, "[0].count", "whole"),
        ({"pool": "voice", "start": "08:00", "length_h": 8, "count": True}, "[0].count", "whole"),
        (
            {"pool": "voice", "start": "08:00", "length_h": 8, "breaks": "12:00+30"},
            "[0].breaks",
            "list",
        ),
        (
            {"pool": "voice", "start": "08:00", "length_h": 8, "breaks": ["10:00+15", "12+30"]},
            "[0].breaks[1]",
            "malformed",
        ),
        (
            {"pool": "voice", "start": "08:00", "length_h": 8, "breaks": ["17:00+30"]},
            "[0].breaks[0]",
            "outside the shift",
        ),
        (
            {"pool": "voice", "start": "08:00", "length_h": 8, "breaks": ["12:00+30", "12:10+5"]},
            "[0].breaks[1]",
            "overlaps",
        ),
        ({"pool": "voice", "start": "08:00", "length_h": 8, "days": [0, 7]}, "[0].days[1]", "0-6"),
        ({"pool": "voice", "start": "08:00", "length_h": 8, "days": []}, "[0].days", "non-empty"),
        ("voice 08:00", "[0]", "mapping"),
    ],
)
def test_shifts_from_config_errors(item, key, needle):
    with pytest.raises(ConfigError) as exc:
        shifts_from_config(
            [item], pools=POOLS, horizon_start=MONDAY, n_days=1, key_prefix="roster.shifts"
        )
    assert exc.value.key == f"roster.shifts{key}"
    assert needle in str(exc.value)


def test_shifts_from_config_needs_a_list():
    with pytest.raises(ConfigError) as exc:
        shifts_from_config(
            {"pool": "voice"}, pools=POOLS, horizon_start=MONDAY, n_days=1, key_prefix="r"
        )
    assert exc.value.key == "r"
    assert (
        shifts_from_config(None, pools=POOLS, horizon_start=MONDAY, n_days=1, key_prefix="r") == []
    )


def test_nan_is_not_a_count_or_length():
    item = {"pool": "voice", "start": "08:00", "length_h": math.nan}
    with pytest.raises(ConfigError):
        shifts_from_config([item], pools=POOLS, horizon_start=MONDAY, n_days=1, key_prefix="r")
