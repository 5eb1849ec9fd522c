"""Activity-segment rosters (``centre.roster_format: segments``): one row per agent and segment,
as WFM tools export schedules, read into agents scheduled (paid segments) and on the phone
(on-phone segments) per pool and interval; CSV and Excel; every mistake one line naming the
file, the row and the column."""

from __future__ import annotations

import math
from datetime import datetime, time
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from ccsim.analysis.demand_delta import plan_for, required_on_phone
from ccsim.config.recorded import without_quiet_defaults
from ccsim.errors import ConfigError, InputFileError
from ccsim.inputs.segments import read_segments, segment_staffing
from ccsim.runs.job import validate_config
from ccsim.runs.presets import compose_config

MONDAY = datetime(2026, 3, 2)
ACTIVITIES = {"on_phone": ["Open"], "off_phone": ["Break", "Meeting"], "unpaid": ["Lunch"]}
TEAMS = {"Voice A": "voice", "Digital": "chat_team", "Back Office": None}
HEADER = "agent,team,date,activity,start,end\n"


def _csv(tmp_path: Path, body: str, name: str = "segments.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def _read(path: Path, **kw):
    options = {"teams": TEAMS, "activities": ACTIVITIES, "horizon_start": MONDAY, **kw}
    return read_segments(str(path), **options)


def _error(path: Path, **kw) -> str:
    with pytest.raises(InputFileError) as exc:
        _read(path, **kw)
    return str(exc.value)


def test_segments_give_agents_scheduled_and_on_the_phone(tmp_path):
    path = _csv(
        tmp_path,
        "Ann,Voice A,2026-03-02,Open,08:00,10:00\n"
        "Ann,Voice A,2026-03-02,Break,10:00,10:15\n"
        "Ann,Voice A,2026-03-02,Open,10:15,12:00\n"
        "Ann,Voice A,2026-03-02,Lunch,12:00,12:30\n"
        "Ann,Voice A,2026-03-02,Meeting,12:30,13:00\n"
        "Bob,Voice A,2026-03-02,open,08:30,12:30\n"  # any case
        "Cy,Back Office,2026-03-02,Open,08:00,12:00\n",  # a team left out
    )
    segments = _read(path)
    assert [s.category for s in segments[:5]] == [
        "on_phone",
        "off_phone",
        "on_phone",
        "unpaid",
        "off_phone",
    ]
    scheduled, on_phone = segment_staffing(segments, "voice", 1800.0, 48)
    k = {f"{h:02d}:{m:02d}": 2 * h + m // 30 for h in range(24) for m in (0, 30)}
    assert scheduled[k["08:00"]] == 1 and on_phone[k["08:00"]] == 1
    assert scheduled[k["08:30"]] == 2 and on_phone[k["08:30"]] == 2
    assert scheduled[k["10:00"]] == 2 and on_phone[k["10:00"]] == 1.5  # Ann's 15-min break
    assert scheduled[k["12:00"]] == 1 and on_phone[k["12:00"]] == 1  # her lunch is unpaid
    assert scheduled[k["12:30"]] == 1 and on_phone[k["12:30"]] == 0  # her meeting is paid
    assert scheduled[k["13:00"]] == 0 and scheduled.sum() == pytest.approx(2 * (4.5 + 4))
    assert segment_staffing(segments, "chat_team", 1800.0, 48)[0].sum() == 0


def test_a_segment_past_midnight_ends_the_next_day(tmp_path):
    path = _csv(
        tmp_path,
        "Nia,Voice A,2026-03-02,Open,22:00,02:00\n"
        "Nia,Voice A,2026-03-03,Break,02:00,02:30\n"
        "Nia,Voice A,2026-03-03,Open,02:30,06:00\n"
        "Oli,Voice A,2026-03-02,Open,20:00,24:00\n",
    )
    segments = _read(path)
    assert segments[0].end_s - segments[0].start_s == 4 * 3600
    assert segments[0].end_s == segments[1].start_s == (24 + 2) * 3600
    assert segments[3].end_s == 24 * 3600
    scheduled, on_phone = segment_staffing(segments, "voice", 3600.0, 48)
    assert scheduled[21] == 1 and scheduled[22] == 2 and scheduled[23] == 2 and scheduled[24] == 1
    assert on_phone[26] == 0.5 and scheduled[26] == 1 and scheduled[30] == 0


def test_dates_and_times_in_the_start_and_end_columns(tmp_path):
    path = _csv(tmp_path, "Ann,Voice A,2026-03-02,Open,2026-03-02 22:00,2026-03-03 01:30\n")
    (s,) = _read(path)
    assert (s.start_s, s.end_s) == (22 * 3600, 25.5 * 3600)


def test_overlapping_segments_of_one_agent_are_an_error(tmp_path):
    path = _csv(
        tmp_path,
        "Ann,Voice A,2026-03-02,Open,08:00,12:00\n"
        "Bob,Voice A,2026-03-02,Open,08:00,12:00\n"  # another agent: fine
        "Ann,Voice A,2026-03-02,Break,10:00,10:15\n",  # a whole-shift row under a break
    )
    message = _error(path)
    assert message.startswith(f"{path}:4: column 'start': agent 'Ann': Break 2026-03-02 10:00")
    assert "overlaps Open 2026-03-02 08:00 to 12:00 (line 2)" in message
    assert "must not overlap" in message and "\n" not in message
    touching = _csv(
        tmp_path,
        "Ann,Voice A,2026-03-02,Open,08:00,10:00\nAnn,Voice A,2026-03-02,Break,10:00,10:15\n",
        "touching.csv",
    )
    assert len(_read(touching)) == 2


def test_an_unknown_team_names_the_team_and_the_mapping(tmp_path):
    path = _csv(tmp_path, "Ann,Voice B,2026-03-02,Open,08:00,12:00\n")
    message = _error(path)
    assert message.startswith(f"{path}:2: column 'team': unknown team 'Voice B'")
    assert "(did you mean 'Voice A'?)" in message
    assert "centre.roster_teams maps 'Voice A' -> voice; 'Digital' -> chat_team" in message
    assert "'Back Office' -> null (left out)" in message
    message = _error(path, teams={"voice": "voice"}, teams_are_pools=True)
    assert "centre.roster_teams is empty, so a team must be a pool's name (voice)" in message


def test_an_unknown_activity_is_an_error_naming_the_lists(tmp_path):
    path = _csv(tmp_path, "Ann,Voice A,2026-03-02,Coaching,08:00,09:00\n")
    message = _error(path)
    assert message.startswith(f"{path}:2: column 'activity': unknown activity 'Coaching'")
    assert "add it to centre.roster_activities.on_phone, .off_phone or .unpaid" in message
    assert "on_phone: Open; off_phone: Break, Meeting; unpaid: Lunch" in message


@pytest.mark.parametrize(
    "row, column, words",
    [
        (",Voice A,2026-03-02,Open,08:00,09:00", "agent", "every row must name an agent"),
        ("Ann,,2026-03-02,Open,08:00,09:00", "team", "every row must name a team"),
        ("Ann,Voice A,2026-03-02,,08:00,09:00", "activity", "every row must name an activity"),
        ("Ann,Voice A,02/03/2026,Open,08:00,09:00", "date", "'02/03/2026' is not a date"),
        ("Ann,Voice A,2026-02-30,Open,08:00,09:00", "date", "not a valid date"),
        ("Ann,Voice A,2026-03-02 08:00,Open,08:00,09:00", "date", "is not a date"),
        ("Ann,Voice A,2026-03-02,Open,8am,09:00", "start", "'8am' is not a clock time"),
        ("Ann,Voice A,2026-03-02,Open,08:00,25:00", "end", "has no such clock time"),
        ("Ann,Voice A,2026-03-02,Open,24:00,09:00", "start", "has no such clock time"),
        ("Ann,Voice A,2026-03-02,Open,08:00,08:00", "end", "ends (2026-03-02 08:00) when or"),
        ("Ann,Voice A,2026-03-02,Open,08:00,", "end", "empty; expected a clock time"),
        (
            "Ann,Voice A,2026-03-02,Open,2026-03-02 08:00,2026-03-04 09:00",
            "end",
            "longer than 24 hours",
        ),
    ],
)
def test_bad_cells_name_the_line_and_column(tmp_path, row, column, words):
    path = _csv(tmp_path, "Bob,Voice A,2026-03-02,Open,08:00,09:00\n" + row + "\n")
    message = _error(path)
    assert message.startswith(f"{path}:3: column '{column}': ") and words in message, message


def _segments_xlsx(path: Path) -> Path:
    """A WFM export: a title row, a blank row, its own headers on row 3 with an extra column,
    dates as date cells, times as time cells (one as a date-and-time cell on Excel's epoch)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Schedule"
    ws["A1"] = "Agent schedule, week 10"
    ws.append([])
    ws.append(["Agent Name", "Team", "Date", "Activity", "Start Time", "End Time", "Minutes"])
    ws.append(["Ann", "Voice A", datetime(2026, 3, 2), "Open", time(8, 0), time(10, 0), 120])
    ws.append(["Ann", "Voice A", datetime(2026, 3, 2), "Break", time(10, 0), time(10, 15), 15])
    ws.append(["Ann", "Voice A", datetime(2026, 3, 2), "Open", time(10, 15), time(12), 105])
    ws.append(
        ["Nia", "Digital", datetime(2026, 3, 2), "Open", time(22), datetime(1899, 12, 30, 2), 240]
    )
    wb.save(path)
    return path


MAPPING = {
    "agent": "Agent Name",
    "team": "Team",
    "date": "Date",
    "activity": "Activity",
    "start": "Start Time",
    "end": "End Time",
}


def test_an_excel_schedule_reads_as_the_csv_export(tmp_path):
    xlsx = _segments_xlsx(tmp_path / "week10.xlsx")
    csv = tmp_path / "week10.csv"
    csv.write_text(
        "Agent Name,Team,Date,Activity,Start Time,End Time,Minutes\n"
        "Ann,Voice A,2026-03-02,Open,08:00,10:00,120\n"
        "Ann,Voice A,2026-03-02,Break,10:00,10:15,15\n"
        "Ann,Voice A,2026-03-02,Open,10:15,12:00,105\n"
        "Nia,Digital,2026-03-02,Open,22:00,02:00,240\n"
    )
    from_excel = _read(xlsx, columns=MAPPING, header_row=3, sheet="Schedule")
    from_csv = _read(csv, columns=MAPPING)
    assert [(s.agent, s.start_s, s.end_s) for s in from_excel] == [
        (s.agent, s.start_s, s.end_s) for s in from_csv
    ]
    assert from_excel[3].end_s == 26 * 3600  # past midnight, from a time cell
    wb = openpyxl.load_workbook(xlsx)
    wb["Schedule"]["D6"] = "Coffee"
    wb.save(xlsx)
    message = _error(xlsx, columns=MAPPING, header_row=3, option_prefix="centre.roster_")
    assert message.startswith(
        f"{xlsx}, sheet 'Schedule', row 6: column 'activity' (header 'Activity', cell D6): "
        "unknown activity 'Coffee'"
    )


# ------------------------------------------------------------------------ through the config


def _centre(tmp_path: Path, body: str, **centre) -> dict:
    """small_centre (2026-01-05, two days) on a segment roster; ``centre`` overrides keys."""
    _csv(tmp_path, body)
    raw = compose_config("small_centre", ["run.replications=1"])
    c = raw["centre"]
    for pool in c["pools"].values():
        pool["shifts"] = None
    c.update(
        roster_csv=str(tmp_path / "segments.csv"),
        roster_format="segments",
        roster_teams={"Voice A": "voice_team", "Digital": "digital_team"},
        roster_activities=ACTIVITIES,
    )
    c.update(centre)
    return raw


DAY = (
    "Ann,Voice A,2026-01-05,Open,08:00,10:00\n"
    "Ann,Voice A,2026-01-05,Break,10:00,10:30\n"
    "Ann,Voice A,2026-01-05,Open,10:30,16:00\n"
    "Bob,Voice A,2026-01-05,Open,08:00,16:00\n"
    "Cy,Digital,2026-01-05,Open,08:00,16:00\n"
)


def test_a_segment_roster_staffs_the_pools_with_the_schedules_shrinkage(tmp_path):
    raw = _centre(tmp_path, DAY)
    raw["centre"]["pools"]["voice_team"]["shrinkage"] = 0.0
    raw["centre"]["pools"]["digital_team"]["shrinkage"] = 0.5
    voice, digital = validate_config(raw).centre.pools
    k = 20  # 10:00
    assert voice.agents_scheduled[k] == 2 and voice.agents_on_phone[k] == 1
    assert voice.agents_scheduled[16] == 2 and voice.agents_on_phone[16] == 2
    # The pool's overall shrinkage: the schedule's (0.5 of 16 paid hours) and nothing else.
    assert voice.shrinkage == pytest.approx(0.5 / 16)
    # shrinkage on top of the schedule: what it does not show (absence).
    assert digital.agents_scheduled[16] == 1 and digital.agents_on_phone[16] == 1  # 0.5 up
    assert digital.shrinkage == pytest.approx(0.5)


def test_the_plan_counts_a_segment_rosters_breaks_in_the_intervals_they_fall_in(tmp_path):
    """Planned capacity, Erlang's heads and added agents follow the schedule's on-phone share
    interval by interval, not the pool's overall shrinkage spread over the day."""
    raw = _centre(tmp_path, DAY)
    raw["centre"]["pools"]["voice_team"]["shrinkage"] = 0.0
    raw["centre"]["pools"]["digital_team"]["shrinkage"] = 0.5
    centre = validate_config(raw).centre
    voice, digital = centre.pools
    plan = plan_for(centre, lambda c, r: required_on_phone(centre, c, r))
    half_h = 0.5
    # 10:00 (k=20): Ann on her break, Bob on the phone; Cy (digital) on the phone, half absent.
    assert voice.on_phone_shares()[20] == pytest.approx(0.5)
    assert plan.capacity_h[:, 20].sum() == pytest.approx((1 + 0.5) * half_h)
    assert plan.capacity_h[:, 16].sum() == pytest.approx((2 + 0.5) * half_h)  # 08:00
    # Voice (channel 0, voice_team only): the agents on the phone Erlang needs, grossed up by
    # the interval's share: twice the heads in the break's interval, as many at 08:00.
    rate = centre.rate_per_s[0].sum(axis=0)
    for k, keep in ((20, 0.5), (16, 1.0)):
        on_c, _ = required_on_phone(centre, 0, float(rate[k]))
        assert on_c > 0
        assert plan.required_erlang_c[0, k] == math.ceil(on_c / keep - 1e-9)
    # Heads added by the staffing strategy take their breaks with the others.
    raw["strategy"]["staffing"] = {"add_agents": {"voice_team": 2}, "shifts": {}}
    added = validate_config(raw).centre.pools[0]
    assert added.agents_scheduled[20] == 4 and added.agents_on_phone[20] == 2
    assert added.agents_scheduled[16] == 4 and added.agents_on_phone[16] == 4


def test_segment_roster_config_errors(tmp_path):
    cases = [
        ({"roster_format": "wfm"}, "centre.roster_format", "shifts (one row per shift) or seg"),
        ({"roster_format": "shifts"}, "centre.roster_teams", "set centre.roster_format=segm"),
        ({"roster_csv": None}, "centre.roster_format", "set centre.roster_csv too"),
        ({"roster_teams": {"Voice A": "voice"}}, "centre.roster_teams.Voice A", "unknown pool"),
        (
            {"roster_activities": {"on_phone": ["Open"], "off_phone": ["open"]}},
            "centre.roster_activities.off_phone[0]",
            "is also in centre.roster_activities.on_phone",
        ),
        ({"roster_activities": {"offphone": []}}, "centre.roster_activities.offphone", "unknown"),
        ({"roster_columns": {"pool": "Team"}}, "centre.roster_columns.pool", "unknown column"),
        ({"start": "2026-02-02 00:00"}, "segments.csv:0: column 'date'", "no segment falls"),
    ]
    for centre, key, words in cases:
        with pytest.raises((ConfigError, InputFileError)) as exc:
            validate_config(_centre(tmp_path, DAY, **centre))
        assert key in str(exc.value) and words in str(exc.value), (centre, str(exc.value))
    raw = _centre(tmp_path, DAY)
    raw["centre"]["pools"]["voice_team"]["agents"] = 3
    with pytest.raises(ConfigError, match="staffing comes from centre.roster_csv"):
        validate_config(raw)


def test_the_new_keys_at_their_defaults_stay_out_of_the_recorded_config():
    raw = compose_config("small_centre")
    assert {"roster_format", "roster_teams", "roster_activities"} <= set(raw["centre"])
    assert not {"roster_format", "roster_teams", "roster_activities"} & set(
        without_quiet_defaults(raw)["centre"]
    )
    assert np.isfinite(validate_config(raw).centre.pools[0].agents_scheduled).all()
