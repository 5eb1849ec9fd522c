"""Parquet copies of the CSV tables, written with pyarrow: explicit schemas, atomically, and
deterministically (same results and same pyarrow, same bytes).

A table is an ordered ``{column: list}`` (:mod:`ccsim.reports.tables`). Every column gets an
explicit Arrow type, NaN and empty cells become nulls (CSV: empty cells), infinities stay. The
file's key-value metadata holds only ``ccsim.schema`` (e.g. ``ccsim.intervals/1``); pyarrow adds
``created_by`` (its version) and ``ARROW:schema`` (the Arrow schema). docs/outputs.md lists every
column. Reads results; never runs the model.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ccsim.analysis.results import RunResult
from ccsim.reports.files import atomic_write_bytes
from ccsim.reports.tables import LABEL_COLUMNS, Table, interval_start

__all__ = [
    "SCHEMA_KEY",
    "RUN_SCHEMAS",
    "WRITE_OPTIONS",
    "arrow_table",
    "parquet_bytes",
    "write_parquet",
    "run_table_types",
    "write_run_parquet",
]

SCHEMA_KEY = "ccsim.schema"
# The Parquet file beside each CSV of a run, and its schema name (bump on a breaking change).
RUN_SCHEMAS = {
    "intervals.csv": ("intervals.parquet", "ccsim.intervals/1"),
    "pools.csv": ("pools.parquet", "ccsim.pools/1"),
    "replications.csv": ("replications.parquet", "ccsim.replications/1"),
}
# Fixed writer settings: the bytes depend on the data (and pyarrow's version) only. Statistics
# are left out; strings are dictionary-encoded on disk (their logical type stays string).
WRITE_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": False,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": True,
}
# Whole numbers in every row: int64 (the CSV writes them without a decimal point anyway).
INT_COLUMNS = frozenset({"interval", "replication"})
BOOL_COLUMNS = frozenset({"in_warmup"})
TIMESTAMP = pa.timestamp("us")  # timezone-naive, as the centre's calendar


def _is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v == "")


def _array(name: str, values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    """One column as an Arrow array of ``kind``; NaN, None and "" are nulls."""
    if pa.types.is_floating(kind):
        if not any(isinstance(v, str) or v is None for v in values):
            x = np.asarray(values, dtype=np.float64)
            return pa.array(x, type=kind, mask=np.isnan(x))
        floats = [None if _is_empty(v) else float(v) for v in values]
        return pa.array([None if v is None or math.isnan(v) else v for v in floats], type=kind)
    if pa.types.is_integer(kind):
        out: list[int | None] = []
        for v in values:
            if _is_empty(v):
                out.append(None)
            elif isinstance(v, (str, int, np.integer)):  # exact, however large
                out.append(int(v))
            elif math.isnan(f := float(v)):
                out.append(None)
            elif f.is_integer():
                out.append(int(f))
            else:
                raise ValueError(f"column {name!r}: {v!r} is not a whole number")
        return pa.array(out, type=kind)
    if pa.types.is_boolean(kind):
        return pa.array([None if _is_empty(v) else bool(v) for v in values], type=kind)
    if pa.types.is_timestamp(kind):
        return pa.array(list(values), type=kind)
    return pa.array([None if _is_empty(v) else str(v) for v in values], type=kind)


def arrow_table(
    columns: Mapping[str, Sequence[Any]],
    types: Mapping[str, pa.DataType],
    schema: str,
    required: Collection[str] = (),
) -> pa.Table:
    """``columns`` in their order, each as ``types[name]``, with ``ccsim.schema`` = ``schema``;
    the ``required`` columns are declared non-nullable (a null there is an error)."""
    fields, arrays = [], []
    for name, values in columns.items():
        arr = _array(name, list(values), types[name])
        if name in required and arr.null_count:
            raise ValueError(
                f"column {name!r}: {arr.null_count} empty cell(s) in a required column"
            )
        fields.append(pa.field(name, types[name], nullable=name not in required))
        arrays.append(arr)
    meta = {SCHEMA_KEY.encode(): schema.encode()}
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, **WRITE_OPTIONS)
    return buf.getvalue()


def write_parquet(
    path: Path,
    columns: Mapping[str, Sequence[Any]],
    types: Mapping[str, pa.DataType],
    schema: str,
    required: Collection[str] = (),
) -> Path:
    """Write ``columns`` as a Parquet file (:func:`arrow_table`), atomically: to a temporary
    file beside ``path``, then renamed."""
    table = arrow_table(columns, types, schema, required)
    atomic_write_bytes(Path(path), parquet_bytes(table))
    return Path(path)


def run_table_types(table: Mapping[str, Sequence[Any]]) -> dict[str, pa.DataType]:
    """The type of each column of a run's table: labels string, ``interval`` and
    ``replication`` int64, ``in_warmup`` bool, ``start`` timestamp, the rest float64."""
    types: dict[str, pa.DataType] = {}
    for name in table:
        if name in LABEL_COLUMNS:
            types[name] = pa.string()
        elif name in INT_COLUMNS:
            types[name] = pa.int64()
        elif name in BOOL_COLUMNS:
            types[name] = pa.bool_()
        elif name == "start":
            types[name] = TIMESTAMP
        else:
            types[name] = pa.float64()
    return types


def _starts(result: RunResult, start_min: Sequence[float]) -> list[datetime | None]:
    return [interval_start(result, m) for m in start_min]


def write_run_parquet(result: RunResult, out_dir: Path, tables: Mapping[str, Table]) -> list[Path]:
    """The Parquet file beside each of a run's CSV tables (``tables``: CSV name -> table): the
    CSV's columns in its order, then for intervals and pools ``start``, the interval's calendar
    start (null when the centre has no calendar)."""
    written = []
    for csv_name, table in tables.items():
        name, schema = RUN_SCHEMAS[csv_name]
        columns: dict[str, Sequence[Any]] = dict(table)
        if "start_min" in table:
            columns["start"] = _starts(result, table["start_min"])
        elif "interval" in table:
            step = result.centre.interval_s / 60
            columns["start"] = _starts(result, [i * step for i in table["interval"]])
        types = run_table_types(columns)
        required = [c for c, t in types.items() if not pa.types.is_floating(t) and c != "start"]
        written.append(write_parquet(Path(out_dir) / name, columns, types, schema, required))
    return written
