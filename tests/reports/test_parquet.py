"""Parquet beside the CSV tables of a run: the same cells, the documented types, the same bytes
for the same results, written atomically."""

from __future__ import annotations

import csv
import math
import os
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ccsim
from ccsim.reports import files
from ccsim.reports.files import fmt
from ccsim.reports.parquet import RUN_SCHEMAS, SCHEMA_KEY, arrow_table, write_parquet
from ccsim.reports.report import write_outputs

TABLES = ("intervals", "pools", "replications")
CHEAP = ("run.replications=2", "run.plots=false", "run.n_jobs=1")


@pytest.fixture(scope="module")
def calendar_run(tmp_path_factory):
    """small_centre over one day: a calendar start, two channels and pools, a warm-up."""
    out = tmp_path_factory.mktemp("parquet") / "small"
    over = [*CHEAP, "centre.horizon_days=1", "run.warmup_min=120"]
    return ccsim.run_config("small_centre", over, out_dir=out), out


@pytest.fixture(scope="module")
def single_queue_run(tmp_path_factory):
    """erlang_c over 4 hours: days numbered 1, 2, ... (no calendar)."""
    out = tmp_path_factory.mktemp("parquet") / "erlang"
    return ccsim.run_config("erlang_c", [*CHEAP, "scenario.horizon_h=4"], out_dir=out), out


def _csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _cell(v: object) -> str:
    """A Parquet value as the CSV writes it (null: an empty cell)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    return fmt(v)


@pytest.mark.parametrize("which", ["calendar_run", "single_queue_run"])
@pytest.mark.parametrize("name", TABLES)
def test_parquet_holds_the_csv_cell_by_cell(request, which, name):
    _, out = request.getfixturevalue(which)
    header, rows = _csv(out / f"{name}.csv")
    table = pq.read_table(out / f"{name}.parquet")
    extra = [] if name == "replications" else ["start"]
    assert table.column_names == header + extra  # the CSV's columns in its order, then start
    assert table.num_rows == len(rows) > 0
    for j, col in enumerate(header):
        got = [_cell(v) for v in table.column(col).to_pylist()]
        assert got == [r[j] for r in rows], col
    empty = sum(r.count("") for r in rows)
    nulls = sum(table.column(c).null_count for c in header)
    assert nulls == empty  # NaN: an empty CSV cell, a null in Parquet
    if name == "intervals":
        assert empty > 0  # the check above saw NaN (no contact in an interval)


@pytest.mark.parametrize("name", TABLES)
def test_pandas_reads_the_same_frame_from_either_file(calendar_run, name):
    pd = pytest.importorskip("pandas")
    _, out = calendar_run
    labels = {"day": str, "time": str, "channel": str, "pool": str, "metric": str}
    from_csv = pd.read_csv(out / f"{name}.csv", dtype=labels)
    from_pq = pd.read_parquet(out / f"{name}.parquet")
    assert list(from_pq.columns[: from_csv.shape[1]]) == list(from_csv.columns)
    assert len(from_pq) == len(from_csv)
    for col in from_csv.columns:
        a, b = from_csv[col], from_pq[col]
        if col in labels:
            assert list(a) == list(b), col
        else:  # the CSV keeps 10 significant digits
            np.testing.assert_allclose(
                b.to_numpy(dtype=float), a.to_numpy(dtype=float), rtol=1e-9, equal_nan=True
            )
    if name != "replications":
        assert str(from_pq["start"].dtype).startswith("datetime64")


def _documented(column: str) -> tuple[pa.DataType, bool]:
    """(type, nullable) as docs/outputs.md gives them."""
    if column in ("day", "time", "channel", "pool", "metric"):
        return pa.string(), False
    if column in ("interval", "replication"):
        return pa.int64(), False
    if column == "in_warmup":
        return pa.bool_(), False
    if column == "start":
        return pa.timestamp("us"), True
    return pa.float64(), True


@pytest.mark.parametrize("name", TABLES)
def test_schema_types_and_metadata_are_as_documented(calendar_run, name):
    _, out = calendar_run
    pf = pq.ParquetFile(out / f"{name}.parquet")
    schema = pf.schema_arrow
    for field in schema:
        assert (field.type, field.nullable) == _documented(field.name), field.name
    assert schema.metadata == {SCHEMA_KEY.encode(): f"ccsim.{name}/1".encode()}
    assert set(pf.metadata.metadata) == {b"ARROW:schema", SCHEMA_KEY.encode()}
    assert RUN_SCHEMAS[f"{name}.csv"] == (f"{name}.parquet", f"ccsim.{name}/1")
    rg = pf.metadata.row_group(0)
    for i in range(rg.num_columns):
        assert rg.column(i).compression == "ZSTD"
        assert not rg.column(i).is_stats_set  # nothing but the data


def test_start_is_the_calendar_start_of_each_interval(calendar_run, single_queue_run):
    result, out = calendar_run
    t = pq.read_table(out / "intervals.parquet").to_pydict()
    first = datetime(2026, 1, 5)  # small_centre's start
    assert result.start == first
    assert t["start"] == [first + timedelta(minutes=m) for m in t["start_min"]]
    assert [s.strftime("%Y-%m-%d %a") for s in t["start"]] == t["day"]
    assert [s.strftime("%H:%M") for s in t["start"]] == t["time"]
    warm = [s < first + timedelta(minutes=120) for s in t["start"]]
    assert t["in_warmup"] == warm and any(warm) and not all(warm)
    p = pq.read_table(out / "pools.parquet").to_pydict()
    step = result.centre.interval_s / 60
    assert p["start"] == [first + timedelta(minutes=i * step) for i in p["interval"]]
    _, out = single_queue_run
    for name in ("intervals", "pools"):
        col = pq.read_table(out / f"{name}.parquet").column("start")
        assert col.null_count == len(col) > 0  # no calendar: no start


def test_same_results_give_the_same_bytes(calendar_run, single_queue_run, tmp_path):
    result, out = calendar_run
    write_outputs(result, tmp_path / "again", {})
    for name in TABLES:
        a = (out / f"{name}.parquet").read_bytes()
        assert a == (tmp_path / "again" / f"{name}.parquet").read_bytes(), name
    _, out = single_queue_run
    ccsim.run_config("erlang_c", [*CHEAP, "scenario.horizon_h=4"], out_dir=tmp_path / "rerun")
    for name in TABLES:
        a = (out / f"{name}.parquet").read_bytes()
        assert a == (tmp_path / "rerun" / f"{name}.parquet").read_bytes(), name


def test_written_to_a_temporary_file_then_renamed(tmp_path, monkeypatch):
    seen = []
    real = os.replace

    def replace(src, dst):
        src, dst = Path(src), Path(dst)
        assert src.parent == dst.parent and src.name.startswith(f".{dst.name}.")
        assert not dst.exists()  # nobody sees a half-written file
        seen.append(pq.read_table(src).num_rows)  # the temporary file is already complete
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    path = write_parquet(tmp_path / "t.parquet", {"x": [1.0, math.nan]}, {"x": pa.float64()}, "s/1")
    assert seen == [2] and pq.read_table(path).column("x").to_pylist() == [1.0, None]

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_parquet(tmp_path / "u.parquet", {"x": [1.0]}, {"x": pa.float64()}, "s/1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]  # no temporary left


def test_the_writer_refuses_what_the_schema_does_not_allow():
    types = {"interval": pa.int64(), "metric": pa.string(), "x": pa.float64()}
    t = arrow_table({"interval": [1.0, 2], "metric": ["a", "b"], "x": ["", 3]}, types, "s/1")
    assert t.column("interval").to_pylist() == [1, 2] and t.column("x").to_pylist() == [None, 3.0]
    assert t.column("x").type == pa.float64()
    with pytest.raises(ValueError, match="not a whole number"):
        arrow_table({"interval": [1.5]}, types, "s/1")
    with pytest.raises(ValueError, match="required"):
        arrow_table({"metric": ["a", ""]}, types, "s/1", required=["metric"])
    inf = arrow_table({"x": [math.inf, -math.inf]}, types, "s/1").column("x").to_pylist()
    assert inf == [math.inf, -math.inf]  # only NaN becomes null
