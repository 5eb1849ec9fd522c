"""``ccsim-report`` and Parquet: it reads each job's replications.parquet (else its CSV, as an
older ccsim wrote), the comparison does not depend on which, and tidy, effects and waterfall
tables come as Parquet too, cell for cell the CSV's, with the documented types."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ccsim
from ccsim.reports.files import fmt
from ccsim.sweeps.collect import collect, read_replications
from ccsim.sweeps.compare import compare, main
from ccsim.sweeps.pairing import EFFECT_METRICS
from ccsim.sweeps.parquet import COMPARISON_SCHEMAS, param_type

CHAINS = ([], ["staffing"], ["staffing", "callbacks"])
OUTPUTS = (
    "tidy.csv",
    "effects.csv",
    "waterfall.csv",
    "tidy.parquet",
    "effects.parquet",
    "waterfall.parquet",
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three real jobs on one seed, baseline -> [staffing] -> [staffing, callbacks] (a
    waterfall), compared once into runs/comparison."""
    root = tmp_path_factory.mktemp("pq_compare") / "runs"
    for i, strategies in enumerate(CHAINS):
        over = [
            "run.replications=3",
            "run.plots=false",
            "run.n_jobs=1",
            "centre.horizon_days=1",
            f"strategy=[{','.join(strategies)}]",
        ]
        ccsim.run_config("small_centre", over, out_dir=root / str(i))
    compare(root)
    return root


def _without(root: Path, dest: Path, suffix: str) -> Path:
    """A copy of the job folders without their replications.<suffix>."""
    shutil.copytree(root, dest, ignore=shutil.ignore_patterns("comparison"))
    for path in dest.rglob(f"replications.{suffix}"):
        path.unlink()
    return dest


def test_csv_only_and_parquet_only_folders_give_the_same_comparison(runs, tmp_path):
    for gone in ("parquet", "csv"):  # an older ccsim's folders; Parquet alone
        other = compare(_without(runs, tmp_path / gone, gone))
        assert len(other.comparisons) == 2 and len(other.waterfalls) == 1
        for name in OUTPUTS:
            a = (runs / "comparison" / name).read_bytes()
            assert a == (tmp_path / gone / "comparison" / name).read_bytes(), (gone, name)


def test_parquet_is_read_when_present_at_the_csv_precision(runs, tmp_path):
    job = tmp_path / "job"
    shutil.copytree(runs / "1", job)
    from_csv = read_replications(_without(runs / "1", tmp_path / "csv", "parquet"))
    assert read_replications(job) == from_csv  # full precision rounded as the CSV rounds
    rows = list(csv.reader((job / "replications.csv").open()))
    rows[1][3] = "12345"  # only the CSV changes: the Parquet is what is read
    with open(job / "replications.csv", "w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    assert read_replications(job) == from_csv
    raw = pq.read_table(job / "replications.parquet").column("value").to_pylist()
    assert any(v is not None and float(fmt(v)) != v for v in raw)  # there was rounding to do


def _break(folder: Path, parquet: bytes | None, csv_text: str | None) -> None:
    for name, data in (("replications.parquet", parquet), ("replications.csv", csv_text)):
        path = folder / name
        path.unlink()
        if data is not None:
            path.write_bytes(data if isinstance(data, bytes) else data.encode())


def _no_value_column() -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table({"replication": [0], "channel": ["all"], "metric": ["x"]}), buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "parquet, csv_text, message",
    [
        (b"not parquet", None, r"^replications\.parquet malformed or unreadable \(.+\)$"),
        ("no value", None, r"^replications\.parquet malformed or unreadable \(no column value\)$"),
        (None, "replication,channel\n0,all\n", r"^replications\.csv .*\(no column metric, value\)"),
        (None, "replication,channel,metric,value\nx,all,m,1\n", r"replications\.csv .*line 2"),
        (b"", "garbage", r"^replications\.parquet .*; replications\.csv .*\(no column"),
        (None, None, r"^summary\.json but no replications\.parquet or replications\.csv$"),
    ],
)
def test_unreadable_replications_fail_the_job_with_one_line(
    runs, tmp_path, capsys, parquet, csv_text, message
):
    root = tmp_path / "s"
    for i in (0, 1):
        shutil.copytree(runs / str(i), root / str(i))
    _break(root / "1", _no_value_column() if parquet == "no value" else parquet, csv_text)
    coll = collect(root)
    assert [j.name for j in coll.jobs] == ["0"]
    (failed,) = coll.failed
    assert failed.error.startswith("unreadable results: ")
    assert "\n" not in failed.error
    assert re.search(message, failed.error.removeprefix("unreadable results: ")), failed.error
    assert main([str(root)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [ln for ln in printed if ln.startswith("failed:")] == [f"failed: 1: {failed.error}"]


def test_a_broken_parquet_beside_a_good_csv_falls_back_to_the_csv(runs, tmp_path):
    job = tmp_path / "job"
    shutil.copytree(runs / "2", job)
    expected = read_replications(job)
    (job / "replications.parquet").write_bytes(b"PAR1 truncated")
    assert read_replications(job) == expected


def _csv_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _cell(v: object) -> str:
    return "" if v is None else fmt(v)


def write_csv_job(folder: Path, values: dict[str, list[float]], strategies, overrides) -> None:
    """A job folder as an older ccsim wrote it: summary.json, replications.csv, overrides."""
    folder.mkdir(parents=True)
    n = len(next(iter(values.values())))
    totals = {m: {"mean": sum(v) / n, "n": n} for m, v in values.items()}
    summary = {"run": {"seed": 1, "replications": n}, "totals": totals, "reference": None}
    (folder / "summary.json").write_text(json.dumps({**summary, "strategies": strategies}))
    lines = ["replication,channel,metric,value"]
    lines += [
        f"{r},{ch},{m},{'' if math.isnan(v[r]) else v[r]}"
        for r in range(n)
        for ch in ("all", "voice")
        for m, v in values.items()
    ]
    (folder / "replications.csv").write_text("\n".join(lines) + "\n")
    (folder / ".hydra").mkdir()
    (folder / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """Hand-made CSV-only jobs: two arrival rates x a chain of strategies, a containment set on
    some jobs only, a NaN, and a constant shift (paired width 0: an infinite width ratio)."""
    root = tmp_path_factory.mktemp("pq_swept") / "study"
    k = 0
    for rate in (100, 200):
        for i, strategies in enumerate(([], ["a"], ["a", "b"])):
            values = {
                m: [rate / 10 + j * (r + 1) - 2 * i + 0.1 * r * r * (i % 2) for r in range(4)]
                for j, m in enumerate(EFFECT_METRICS)
            }
            values["asa_s"][2] = math.nan
            over = [f"scenario.arrival_rate_per_h={rate}", f"strategy=[{','.join(strategies)}]"]
            if strategies:
                over.append(f"strategy.a.containment={0.3 if rate == 100 else 0.5}")
            write_csv_job(root / str(k), values, strategies, over)
            k += 1
    compare(root)
    return root / "comparison"


@pytest.mark.parametrize("name", ["tidy", "effects", "waterfall"])
def test_comparison_parquet_holds_the_csv_cell_by_cell(swept, name):
    header, rows = _csv_cells(swept / f"{name}.csv")
    pf = pq.ParquetFile(swept / f"{name}.parquet")
    table = pf.read()
    assert table.column_names == header and table.num_rows == len(rows) > 0
    for j, col in enumerate(header):
        assert [_cell(v) for v in table.column(col).to_pylist()] == [r[j] for r in rows], col
    assert pf.schema_arrow.metadata == {
        b"ccsim.schema": COMPARISON_SCHEMAS[f"{name}.parquet"].encode()
    }
    types = {f.name: (str(f.type), f.nullable) for f in pf.schema_arrow}
    documented = {
        "tidy": {
            "job": ("string", False),
            "variant": ("string", False),
            "seed": ("int64", True),
            "replication": ("int64", False),
            "channel": ("string", False),
            "metric": ("string", False),
            "value": ("double", True),
            "scenario.arrival_rate_per_h": ("int64", True),
            "strategy.a.containment": ("double", True),
        },
        "effects": {
            "job": ("string", False),
            "variant": ("string", False),
            "seed": ("int64", True),
            "baseline_job": ("string", True),
            "metric": ("string", False),
            "n": ("int64", False),
            "other_seed_baseline_job": ("string", True),
        },
        "waterfall": {
            "cell": ("string", False),
            "step": ("string", False),
            "change": ("string", False),
            "job": ("string", False),
            "metric": ("string", False),
            "n": ("int64", False),
        },
    }[name]
    for col, kind in types.items():
        assert kind == documented.get(col, ("double", True)), col
    if name == "tidy":
        rates = set(table.column("scenario.arrival_rate_per_h").to_pylist())
        assert rates == {100, 200}
        assert table.column("strategy.a.containment").null_count > 0  # baselines left it unset
        assert table.column("value").null_count > 0  # the NaN
    if name == "effects":
        assert math.inf in table.column("width_ratio").to_pylist()  # kept, not a null


def test_pandas_reads_the_tidy_table_from_either_file(swept):
    pd = pytest.importorskip("pandas")
    a = pd.read_csv(swept / "tidy.csv", dtype={"job": str})  # job folders 0, 1, ...: names
    b = pd.read_parquet(swept / "tidy.parquet")
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_a_swept_parameter_is_typed_from_its_values():
    assert param_type(["150", "", "-3"]) == pa.int64()
    assert param_type(["0.3", "1e3", "2"]) == pa.float64()
    assert param_type(["fifo", "2"]) == pa.string()
    assert param_type(["", ""]) == pa.string()
