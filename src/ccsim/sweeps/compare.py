"""``ccsim-report PATH``: compare the jobs of a sweep or study folder.

Finds every job under PATH (:mod:`ccsim.sweeps.collect`), pairs each strategy job with the
baseline job that saw the same customers and chains cumulative strategies into waterfalls
(:mod:`ccsim.sweeps.pairing`); swept numeric parameters become response curves, with the Erlang
formulas beside the simulation (:mod:`ccsim.sweeps.plots`). Writes ``tidy.csv``,
``effects.csv``, ``waterfall.csv`` (:mod:`ccsim.sweeps.tables`) and the same as Parquet
(:mod:`ccsim.sweeps.parquet`), ``comparison.md``
(:mod:`ccsim.sweeps.markdown`), ``comparison.html`` (:mod:`ccsim.sweeps.html`) and the figures
into PATH/comparison (or ``--out``). Reads
outputs; never runs the model. Same inputs, same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ccsim.errors import OutputError
from ccsim.reports.files import atomic_write_text, check_output_dir, write_csv
from ccsim.sweeps.collect import BASELINE, NoJobsError, collect, write_tidy
from ccsim.sweeps.html import write_comparison_html
from ccsim.sweeps.markdown import markdown
from ccsim.sweeps.pairing import ComparisonReport, chain_waterfalls, pair_jobs
from ccsim.sweeps.plots import write_comparison_plots
from ccsim.sweeps.tables import EFFECT_COLUMNS, WATERFALL_COLUMNS, effect_rows, waterfall_rows

__all__ = ["compare", "main"]


def compare(
    path: Path | str, out: Path | str | None = None, baseline: str = BASELINE
) -> ComparisonReport:
    """Compare every job under ``path``; write the outputs into ``out`` (default
    ``path/comparison``). Raises :class:`~ccsim.sweeps.collect.NoJobsError` when there is no
    usable job, :class:`~ccsim.errors.OutputError` when ``out`` cannot be written (checked
    before the first file is)."""
    coll = collect(path)
    base = frozenset(() if baseline in ("", BASELINE) else (s for s in baseline.split("+") if s))
    out_dir = Path(out) if out is not None else Path(path) / "comparison"
    check_output_dir(out_dir)
    comps = pair_jobs(coll, base)
    report = ComparisonReport(coll, base, comps, chain_waterfalls(coll, base), out_dir, [])
    files = [write_tidy(coll, out_dir / "tidy.csv")]
    write_csv(out_dir / "effects.csv", EFFECT_COLUMNS, effect_rows(report))
    write_csv(out_dir / "waterfall.csv", WATERFALL_COLUMNS, waterfall_rows(report))
    files += [out_dir / "effects.csv", out_dir / "waterfall.csv"]
    from ccsim.sweeps.parquet import write_comparison_parquet  # pyarrow loads only to write

    files += write_comparison_parquet(coll, report, out_dir)  # the same tables, typed
    plots = write_comparison_plots(report, out_dir)
    files += plots
    atomic_write_text(out_dir / "comparison.md", markdown(report, [p.name for p in plots]))
    files.append(out_dir / "comparison.md")
    files.append(write_comparison_html(report, plots, files))
    return ComparisonReport(coll, base, comps, report.waterfalls, out_dir, files)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ccsim-report",
        description="Compare the ccsim jobs under PATH (a sweep or study folder): tidy table, "
        "paired strategy effects with common random numbers, waterfall, response curves "
        "against the Erlang formulas.",
    )
    p.add_argument("path", metavar="PATH", help="folder holding job folders (any depth)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: PATH/comparison)")
    p.add_argument(
        "--baseline",
        metavar="VARIANT",
        default=BASELINE,
        help="variant to compare against: 'baseline' (no strategy, the default) or "
        "strategies joined by '+', e.g. chatbot+callbacks",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point. One line and exit status 2 when PATH holds no usable job or the
    output folder cannot be written; a job that failed or whose files cannot be read is listed
    (``failed: JOB: why``) and the others compared (status 0)."""
    args = _parser().parse_args(argv)
    try:
        report = compare(args.path, args.out, args.baseline)
    except (NoJobsError, OutputError) as exc:
        sys.stderr.write(f"ccsim-report: error: {exc}\n")
        sys.exit(2)
    coll = report.collection
    print(
        f"{len(coll.jobs)} job(s), {len(coll.failed)} failed, "
        f"{len([c for c in report.comparisons if c.baseline])} paired comparison(s), "
        f"{len(report.waterfalls)} waterfall(s); wrote {report.out_dir / 'comparison.md'}"
    )
    for f in coll.failed:
        print(f"failed: {f.name}: {f.error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
