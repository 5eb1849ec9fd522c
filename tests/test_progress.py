"""Progress on the terminal (issue 23.5): a bar when someone watches, log lines otherwise, and
``ccsim --version``."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

from ccsim.runs.progress import progress_bar
from ccsim.version import __version__

LOG = logging.getLogger("test_progress")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _drive(stream: io.StringIO, total: int, **kw: bool) -> None:
    with progress_bar(total, "replication", LOG, stream, **kw) as progress:
        for done in range(1, total + 1):
            progress(done, total)


def test_a_terminal_gets_a_bar_and_the_log_one_line(caplog):
    tty = Terminal()
    with caplog.at_level(logging.INFO, logger=LOG.name):
        _drive(tty, 5)
    assert "/5 [" in tty.getvalue() and tty.getvalue().startswith("\rreplications:")
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 1 and infos[0].startswith("5 replications in ")


def test_a_pipe_or_log_gets_no_bar_but_a_line_per_step(caplog):
    pipe = io.StringIO()
    with caplog.at_level(logging.INFO, logger=LOG.name):
        _drive(pipe, 3)
    assert pipe.getvalue() == ""
    infos = [r.getMessage() for r in caplog.records]
    assert infos[:3] == [f"replication {i}/3 done" for i in (1, 2, 3)]
    assert infos[3].startswith("3 replications in ")


def test_sweeps_and_single_steps_draw_no_bar():
    for total, kw in ((4, {"show": False}), (1, {})):
        tty = Terminal()
        _drive(tty, total, **kw)
        assert tty.getvalue() == ""


def test_version_names_ccsim_not_hydra():
    out = subprocess.run(
        [sys.executable, "-m", "ccsim", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith(f"ccsim {__version__} (hydra-core ")
