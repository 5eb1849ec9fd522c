"""A run's results as pandas DataFrames and matplotlib figures, for notebooks.

:class:`Result` wraps a :class:`~ccsim.analysis.results.RunResult`. Its tables are built from
:mod:`ccsim.reports.tables`, the source of the CSV files, so they hold the same cells as
``intervals.csv``, ``pools.csv`` and ``replications.csv`` (with typed columns: ``interval``
and ``replication`` integers, ``in_warmup`` true/false, ``start`` a Timestamp, as the Parquet
copies). pandas and matplotlib load on first use. Reads results; never runs the model.

    >>> import ccsim
    >>> res = ccsim.run_result("erlang_c", ["run.replications=3"])  # doctest: +SKIP
    >>> res.intervals.groupby("channel")["asa_s"].max()  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsim.analysis.results import RunResult
from ccsim.analysis.statistics import Estimate
from ccsim.reports.tables import (
    Table,
    interval_start,
    interval_table,
    pool_table,
    replication_table,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["Result", "ESTIMATE_COLUMNS"]

# The columns of an estimate, as summary.json names them.
ESTIMATE_COLUMNS = ("mean", "ci95_low", "ci95_high", "std", "n")
# Whole numbers and flags in every row (the Parquet copies type them the same way).
_INT_COLUMNS = ("interval", "replication")
_BOOL_COLUMNS = ("in_warmup",)


def _frame(table: Table, starts: list[Any] | None = None) -> pd.DataFrame:
    """A table (``{column: list}``) as a DataFrame, its columns typed; ``starts`` (the
    intervals' calendar starts, None without a calendar) as a last ``start`` column."""
    import pandas as pd

    df = pd.DataFrame({name: list(values) for name, values in table.items()})
    for name in _INT_COLUMNS:
        if name in df:
            df[name] = df[name].astype("int64")
    for name in _BOOL_COLUMNS:
        if name in df:
            df[name] = df[name].astype(bool)
    if starts is not None:
        df["start"] = pd.to_datetime(pd.Series(starts, dtype="object"))
    return df


def _estimate_row(e: Estimate) -> tuple[float, float, float, float, int]:
    return (e.mean, e.ci_low, e.ci_high, e.std, e.n)


@dataclass(frozen=True, repr=False, eq=False)
class Result:
    """One run's results for notebooks: pandas tables, matplotlib figures.

    ``run``: the :class:`~ccsim.RunResult` (estimates, every replication). ``config``: the
    config as recorded in ``summary.json``, with its ``config_digest`` and the ``code_digest``
    of ccsim that ran it (empty when the result was wrapped by hand); ``out_dir``: the output
    folder, when the run wrote one. Tables are built on first use and kept: copy one before
    changing it in place.
    """

    run: RunResult
    config: dict[str, Any] = field(default_factory=dict)
    config_digest: str = ""
    code_digest: str = ""
    out_dir: Path | None = None

    def __repr__(self) -> str:
        c, st = self.run.centre, self.run.settings
        return (
            f"<ccsim.Result {c.name}: {len(c.channels)} channel(s), {len(c.pools)} pool(s), "
            f"{c.n_intervals} intervals of {c.interval_s / 60:g} min, "
            f"{st.replications} replication(s)>"
        )

    # -- tables ---------------------------------------------------------------------------

    @cached_property
    def intervals(self) -> pd.DataFrame:
        """One row per channel and interval, means over replications: the columns of
        ``intervals.csv``, then ``start`` (the interval's calendar start; NaT when the run has
        no calendar, as a single queue)."""
        table = interval_table(self.run)
        starts = [interval_start(self.run, m) for m in table["start_min"]]
        return _frame(table, starts)

    @cached_property
    def pools(self) -> pd.DataFrame:
        """One row per pool and interval, staffing and occupancy: the columns of ``pools.csv``,
        then ``start``."""
        table = pool_table(self.run)
        step = self.run.centre.interval_s / 60
        starts = [interval_start(self.run, i * step) for i in table["interval"]]
        return _frame(table, starts)

    @cached_property
    def replications(self) -> pd.DataFrame:
        """One row per replication, channel (``all``: the centre) and metric, tidy: the columns
        of ``replications.csv`` (``replication``, ``channel``, ``metric``, ``value``)."""
        return _frame(replication_table(self.run))

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Every estimate, tidy: one row per scope (``centre``, ``channel``, ``intent``,
        ``pool``), name (``all`` for the centre) and metric, with ``mean``, ``ci95_low``,
        ``ci95_high``, ``std`` (over replications; NaN with one) and ``n`` (replications):
        ``summary.json``'s totals, channels, intents and pools."""
        import pandas as pd

        c, r = self.run.centre, self.run
        scopes: list[tuple[str, str, dict[str, Estimate]]] = [("centre", "all", r.estimates)]
        scopes += [
            ("channel", ch.name, e) for ch, e in zip(c.channels, r.channel_estimates, strict=True)
        ]
        scopes += [
            ("intent", it.name, e) for it, e in zip(c.intents, r.intent_estimates, strict=True)
        ]
        scopes += [("pool", p.name, e) for p, e in zip(c.pools, r.pool_estimates, strict=True)]
        rows = [
            (scope, name, metric, *_estimate_row(e))
            for scope, name, estimates in scopes
            for metric, e in estimates.items()
        ]
        df = pd.DataFrame(rows, columns=["scope", "name", "metric", *ESTIMATE_COLUMNS])
        df["n"] = df["n"].astype("int64")
        return df

    @cached_property
    def channels(self) -> pd.DataFrame:
        """Per-channel totals, wide: one row per channel (the index), one column per metric,
        the mean over replications (the confidence intervals are in :attr:`summary`)."""
        import pandas as pd

        c, r = self.run.centre, self.run
        data = {
            ch.name: {k: e.mean for k, e in ce.items()}
            for ch, ce in zip(c.channels, r.channel_estimates, strict=True)
        }
        df = pd.DataFrame.from_dict(data, orient="index")
        df.index.name = "channel"
        return df

    @cached_property
    def reference(self) -> pd.DataFrame | None:
        """For a single queue, the closed form beside the simulation, as the report's table: one
        row per metric (the index) with ``formula`` (Erlang B/C/A, M/M/c+G or GI/M/c), the
        simulated ``mean``, ``ci95_low``, ``ci95_high`` and ``inside_ci`` (whether the formula
        lies in the interval; missing with one replication). ``attrs``: ``model`` and
        ``exact`` (False where the formula is an approximation). None for a multichannel run."""
        import pandas as pd

        ref = self.run.reference
        if ref is None:
            return None
        rows = []
        for metric, value in ref["values"].items():
            e = self.run.estimates[metric]
            inside = None if math.isnan(e.ci_low) else bool(e.ci_low <= value <= e.ci_high)
            rows.append((metric, value, e.mean, e.ci_low, e.ci_high, inside))
        df = pd.DataFrame(
            rows, columns=["metric", "formula", "mean", "ci95_low", "ci95_high", "inside_ci"]
        ).set_index("metric")
        df["inside_ci"] = df["inside_ci"].astype("boolean")
        df.attrs.update(model=ref["model"], exact=bool(ref["exact"]))
        return df

    def summary_dict(self) -> dict[str, Any]:
        """``summary.json``'s content as a dict (NaN as None, as in the file): the same as
        ``json.load`` of the ``summary.json`` the run wrote or would write."""
        from ccsim.reports.files import _json_safe
        from ccsim.reports.report import _summary

        summary = _summary(self.run, self.config, self.config_digest, self.code_digest)
        return dict(_json_safe(summary))

    # -- figures --------------------------------------------------------------------------

    def plot_demand_delta(self) -> Figure:
        """Per channel: demand workload vs capacity, the deficit shaded (``demand_delta.png``)."""
        from ccsim.reports.plots import demand_delta_figure

        return demand_delta_figure(self.run)

    def plot_service_level(self) -> Figure:
        """Per channel: service level and abandonment per interval (``service_level.png``)."""
        from ccsim.reports.plots import service_level_figure

        return service_level_figure(self.run)

    def plot_occupancy(self) -> Figure:
        """Occupancy per pool and interval (``occupancy.png``)."""
        from ccsim.reports.plots import occupancy_figure

        return occupancy_figure(self.run)

    def plot_heat_map(self) -> Figure | None:
        """The demand delta by day and time of day, a panel per channel and one for the centre
        (``demand_delta_heatmap.png``); None when the run covers less than 2 days or its
        intervals do not tile the day."""
        from ccsim.reports.plots import delta_heatmap_figure

        return delta_heatmap_figure(self.run)
