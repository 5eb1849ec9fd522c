"""Hydra callbacks: a sweep (``ccsim -m``) ends with its comparison report.

Registered in ``conf/config.yaml`` under ``hydra.callbacks``. The report reads the finished
job folders only (reports never run the model); it is what ``ccsim-report SWEEP_DIR`` writes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

__all__ = ["ComparisonOnMultirunEnd"]

log = logging.getLogger("ccsim")


class ComparisonOnMultirunEnd(Callback):
    """After the last job of a sweep: ``ccsim-report`` on the sweep folder."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from ccsim.sweeps.collect import NoJobsError
        from ccsim.sweeps.compare import compare

        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            report = compare(sweep_dir)
        except NoJobsError as exc:
            log.warning("no comparison report: %s", exc)
            return
        log.info(
            "comparison of %d job(s) (%d failed): %s",
            len(report.collection.jobs),
            len(report.collection.failed),
            report.out_dir / "comparison.md",
        )
