"""Progress of a long run on the terminal: a bar where someone watches, log lines elsewhere.

A bar is drawn only when the stream is a terminal (tqdm's ``disable=None``), so logs, pipes and
CI stay quiet but for the usual log lines; where a bar is drawn, the per-step log lines go to the
debug level (they would break the bar, and the log file gets one summary line instead).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(
    total: int,
    what: str,
    log: logging.Logger,
    stream: TextIO | None = None,
    *,
    show: bool = True,
) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback for ``total`` steps called ``what`` (e.g.
    "replication"): a bar on a terminal (unless ``show`` is false), else one info line per
    step; a final line with the wall time once all are done (not after an error or an
    interrupt). Nothing is shown for a single step."""
    stream = sys.stderr if stream is None else stream
    t0 = time.perf_counter()
    # No tqdm at all where no bar can be drawn: a sweep's job, in a worker process, would
    # otherwise create tqdm's multiprocessing lock, which a killed worker leaks.
    bar = (
        tqdm(
            total=total,
            desc=what + "s",
            unit=what[:3],
            file=stream,
            disable=None,  # only on a terminal
            leave=False,
            dynamic_ncols=True,
        )
        if show and total > 1
        else None
    )
    level = logging.DEBUG if bar is not None and not bar.disable else logging.INFO

    def progress(done: int, n: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)
        if n > 1:
            log.log(level, "%s %d/%d done", what, done, n)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()
    if total > 1:  # all done (not after an error or an interrupt)
        log.info("%d %ss in %.1f s", total, what, time.perf_counter() - t0)
