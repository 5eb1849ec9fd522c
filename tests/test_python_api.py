"""ccsim.run_result: a run as pandas DataFrames (the CSVs' cells) and matplotlib figures;
numpy values in a config dict."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import ccsim
from ccsim.reports.files import fmt

FAST = ["run.replications=3", "run.plots=false"]


def _cells(df: pd.DataFrame) -> list[list[str]]:
    """Every cell as the CSV writer writes it (flags as 0/1, as in the CSV)."""
    return [
        [fmt(int(v)) if isinstance(v, (bool, np.bool_)) else fmt(v) for v in row]
        for row in df.itertuples(index=False)
    ]


def _csv_cells(path) -> tuple[list[str], list[list[str]]]:
    csv = pd.read_csv(path, dtype=str, keep_default_na=False)
    return list(csv.columns), csv.values.tolist()


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    out = tmp_path_factory.mktemp("small_centre")
    return ccsim.run_result("small_centre", FAST, out_dir=out), out


@pytest.fixture(scope="module")
def queue(tmp_path_factory):
    out = tmp_path_factory.mktemp("erlang_c")
    return ccsim.run_result("erlang_c", [*FAST, "scenario.horizon_h=48"], out_dir=out), out


@pytest.mark.parametrize("fixture", ["week", "queue"])
@pytest.mark.parametrize("name", ["intervals", "pools", "replications"])
def test_tables_hold_the_csv_cells(request, fixture, name):
    res, out = request.getfixturevalue(fixture)
    df = getattr(res, name)
    columns, cells = _csv_cells(out / f"{name}.csv")
    labels = df.drop(columns="start") if "start" in df else df
    assert list(labels.columns) == columns
    assert _cells(labels) == cells
    if name != "replications":
        assert str(df["interval"].dtype) == "int64" and df["start"].dtype.kind == "M"
    parquet = out / f"{name}.parquet"
    if parquet.is_file():  # the Parquet copies: the same columns and types
        pd.testing.assert_frame_equal(
            df, pd.read_parquet(parquet), check_dtype=False, check_index_type=False
        )


def test_start_is_the_calendar_start_of_each_interval(week, queue):
    res, _ = week
    iv = res.intervals
    assert (iv["start"].dt.strftime("%Y-%m-%d %a") == iv["day"]).all()
    assert (iv["start"].dt.strftime("%H:%M") == iv["time"]).all()
    first = pd.Timestamp(res.run.start)
    assert (iv["start"] == first + pd.to_timedelta(iv["start_min"], unit="min")).all()
    assert (res.pools["start"].dt.strftime("%H:%M") == res.pools["time"]).all()
    assert queue[0].intervals["start"].isna().all()  # a single queue has no calendar


def test_summary_is_summary_json(week):
    res, out = week
    on_disk = json.loads((out / "summary.json").read_text())
    assert res.summary_dict() == on_disk
    s = res.summary
    assert list(s.columns) == [
        "scope",
        "name",
        "metric",
        "mean",
        "ci95_low",
        "ci95_high",
        "std",
        "n",
    ]
    assert list(dict.fromkeys(s["scope"])) == ["centre", "channel", "intent", "pool"]
    sections = {"centre": "totals", "channel": "channels", "intent": "intents", "pool": "pools"}
    for row in s.itertuples(index=False):
        section = on_disk[sections[row.scope]]
        want = section[row.metric] if row.scope == "centre" else section[row.name][row.metric]
        for col in ("mean", "ci95_low", "ci95_high", "std", "n"):
            got = getattr(row, col)
            assert (want[col] is None and math.isnan(got)) or got == want[col]
    n_rows = sum(len(v) for v in on_disk["channels"].values()) + len(on_disk["totals"])
    n_rows += sum(len(v) for k in ("intents", "pools") for v in on_disk[k].values())
    assert len(s) == n_rows
    wide = res.channels
    assert list(wide.index) == [ch["name"] for ch in on_disk["centre"]["channels"]]
    assert wide.loc["voice", "offered"] == on_disk["channels"]["voice"]["offered"]["mean"]
    assert res.reference is None
    assert "small_centre" in repr(res) and res.out_dir == out


def test_reference_beside_the_simulation(queue):
    res, out = queue
    ref = res.reference
    on_disk = json.loads((out / "summary.json").read_text())
    assert ref.attrs == {"model": "Erlang C (M/M/c)", "exact": True}
    assert ref["formula"].to_dict() == on_disk["reference"]["values"]
    sl = res.run.estimates["sl_answered_within_t"]
    row = ref.loc["sl_answered_within_t"]
    assert (row["mean"], row["ci95_low"], row["ci95_high"]) == (sl.mean, sl.ci_low, sl.ci_high)
    assert row["inside_ci"] == (sl.ci_low <= row["formula"] <= sl.ci_high)
    assert res.summary_dict()["config_digest"] == on_disk["config_digest"]


def test_plots_return_figures(week, queue):
    res, _ = week
    for fig in (
        res.plot_demand_delta(),
        res.plot_service_level(),
        res.plot_occupancy(),
        res.plot_heat_map(),
    ):
        assert isinstance(fig, Figure) and fig.axes
    assert isinstance(queue[0].plot_heat_map(), Figure)  # two whole days


def test_run_result_without_out_dir_matches_run_config():
    over = ["scenario.horizon_h=6", "run.replications=2"]
    res = ccsim.run_result("erlang_c", over)
    assert res.out_dir is None
    assert res.run.estimates == ccsim.run_config("erlang_c", over).estimates
    assert len(res.intervals) == 6 and res.summary_dict()["config"]["scenario"]["horizon_h"] == 6
    assert res.plot_heat_map() is None  # less than 2 days


def test_numpy_values_in_a_config_dict_are_plain_values():
    cfg = ccsim.compose_config("erlang_c", ["scenario.horizon_h=6", "run.replications=2"])
    plain = ccsim.run_result(cfg)
    staffing = pd.DataFrame({"agents": [26, 27]})  # a notebook's numbers: numpy scalars
    cfg["scenario"]["agents"] = staffing["agents"].iloc[1]
    sc, run = cfg["scenario"], cfg["run"]
    for section, key in ((sc, "arrival_rate_per_h"), (sc["handle_time"], "mean_s")):
        section[key] = np.array(section[key])[()]  # numpy's float64 (or int64) of the value
    run["replications"], run["plots"] = np.int32(2), np.bool_(run["plots"])
    run["seed"] = np.uint64(run["seed"])
    assert isinstance(cfg["scenario"]["agents"], np.integer)
    res = ccsim.run_result(cfg)
    assert res.run.estimates == plain.run.estimates
    assert res.config_digest == plain.config_digest  # recorded as the same config
    assert ccsim.run_config(cfg).estimates == plain.run.estimates
    float_cfg = {**cfg, "run": {**cfg["run"], "warmup_min": np.float32(30.0)}}
    with_float = ccsim.run_config(cfg, ["run.warmup_min=30"]).estimates
    assert ccsim.run_config(float_cfg).estimates == with_float
    cfg["scenario"]["agents_per_interval"] = np.array([27] * 6)  # arrays as lists
    del cfg["scenario"]["agents"]
    assert ccsim.run_result(cfg).run.estimates == plain.run.estimates


def test_plain_values_converts_at_any_depth():
    from ccsim.runs.presets import plain_values

    got = plain_values({np.str_("a"): (np.int64(1), [np.float64(0.5), {"b": np.bool_(True)}])})
    assert got == {"a": [1, [0.5, {"b": True}]]}
    assert type(got["a"][0]) is int and type(got["a"][1][1]["b"]) is bool


def test_run_result_loads_pandas_only_when_a_table_is_read():
    code = (
        "import sys, ccsim\n"
        "res = ccsim.run_result('erlang_c', ['scenario.horizon_h=2', 'run.n_jobs=1'])\n"
        "print('pandas' in sys.modules)\n"
        "res.intervals\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
