"""The comparison's tables as Parquet, beside the CSV files: ``tidy.parquet``,
``effects.parquet`` and ``waterfall.parquet``, the CSV's columns in its order, each with an
explicit type (docs/comparison.md lists them). Empty CSV cells and NaN are nulls. Reads
outputs; never runs the model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import pyarrow as pa

from ccsim.reports.parquet import write_parquet
from ccsim.sweeps.collect import TIDY_COLUMNS, Collection, tidy_rows
from ccsim.sweeps.pairing import ComparisonReport
from ccsim.sweeps.tables import EFFECT_COLUMNS, WATERFALL_COLUMNS, effect_rows, waterfall_rows

__all__ = ["COMPARISON_SCHEMAS", "param_type", "write_comparison_parquet"]

COMPARISON_SCHEMAS = {
    "tidy.parquet": "ccsim.tidy/1",
    "effects.parquet": "ccsim.effects/1",
    "waterfall.parquet": "ccsim.waterfall/1",
}
_S, _I, _F = pa.string(), pa.int64(), pa.float64()
TIDY_TYPES = dict(zip(TIDY_COLUMNS, (_S, _S, _I, _I, _S, _S, _F), strict=True))
EFFECT_TYPES = {c: _F for c in EFFECT_COLUMNS} | {
    "job": _S,
    "variant": _S,
    "seed": _I,
    "baseline_job": _S,
    "metric": _S,
    "n": _I,
    "other_seed_baseline_job": _S,
}
WATERFALL_TYPES = {c: _F for c in WATERFALL_COLUMNS} | {
    "cell": _S,
    "step": _S,  # 1, 2, ... or "total", as in the CSV
    "change": _S,
    "job": _S,
    "metric": _S,
    "n": _I,
}
# Never empty: a null there is an error.
TIDY_REQUIRED = ("job", "variant", "replication", "channel", "metric")
EFFECT_REQUIRED = ("job", "variant", "metric", "n")
WATERFALL_REQUIRED = ("cell", "step", "change", "job", "metric", "n")
_INT = re.compile(r"[+-]?\d+")


def param_type(values: Sequence[str]) -> pa.DataType:
    """A swept parameter's column: int64 when every value set is a whole number as written
    (``150``), float64 when every one is a number (``0.3``, ``1e3``), else string."""
    given = [v.strip() for v in values if v != ""]
    if not given:
        return _S
    if all(_INT.fullmatch(v) for v in given):
        return _I
    try:
        [float(v) for v in given]
    except ValueError:
        return _S
    return _F


def _columns(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {h: [] for h in header}
    for row in rows:
        for h, v in zip(header, row, strict=True):
            cols[h].append(v)
    return cols


def _tidy(coll: Collection, path: Path) -> Path:
    header, rows = tidy_rows(coll)
    cols = _columns(header, rows)
    types = dict(TIDY_TYPES)
    types.update((p, param_type(cols[p])) for p in coll.params)
    return write_parquet(path, cols, types, COMPARISON_SCHEMAS[path.name], TIDY_REQUIRED)


def write_comparison_parquet(
    coll: Collection, report: ComparisonReport, out_dir: Path
) -> list[Path]:
    """``tidy.parquet``, ``effects.parquet`` and ``waterfall.parquet`` in ``out_dir``."""
    out_dir = Path(out_dir)
    eff = _columns(EFFECT_COLUMNS, effect_rows(report))
    wat = _columns(WATERFALL_COLUMNS, waterfall_rows(report))
    return [
        _tidy(coll, out_dir / "tidy.parquet"),
        write_parquet(
            out_dir / "effects.parquet",
            eff,
            EFFECT_TYPES,
            COMPARISON_SCHEMAS["effects.parquet"],
            EFFECT_REQUIRED,
        ),
        write_parquet(
            out_dir / "waterfall.parquet",
            wat,
            WATERFALL_TYPES,
            COMPARISON_SCHEMAS["waterfall.parquet"],
            WATERFALL_REQUIRED,
        ),
    ]
