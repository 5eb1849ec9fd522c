"""Ctrl-C, SIGTERM and SIGKILL: the ``ccsim`` command stops its worker processes (parallel
replications, a sweep's jobs) and none of them outlives it or holds its stdout open.

Each test starts ``ccsim`` in a session of its own with a marker in its environment (inherited
by every process it starts), waits until its workers are working, signals it, and then looks
through ``/proc`` for any live process that still carries the marker or sits in its process
group.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/environ").exists() or os.name != "posix", reason="needs Linux /proc"
)

RUN = (
    "scenario=erlang_c",
    "scenario.horizon_h=200",
    "run.replications=400",  # minutes of work: the test stops it long before
    "run.n_jobs=2",
    "run.plots=false",
    "hydra.run.dir=out",
)
SWEEP = (
    "-m",
    "scenario=erlang_c",
    "scenario.agents=26,28",
    "scenario.horizon_h=200",
    "run.replications=400",
    "run.plots=false",
    "hydra.launcher.n_jobs=2",
    "hydra.sweep.dir=sweep",
)
START_TIMEOUT_S = 90  # until the workers work (a loaded machine starts Python slowly)
EXIT_TIMEOUT_S = 30  # from the signal to the main process's exit
GONE_TIMEOUT_S = 10  # from its exit (or SIGKILL) until no worker is left and stdout is closed


class Ccsim:
    """``ccsim ARGS`` in a new session, marked, its stdout and stderr read as they come."""

    def __init__(self, args: tuple[str, ...], cwd: Path) -> None:
        exe = shutil.which("ccsim")
        cmd = [exe] if exe else [sys.executable, "-m", "ccsim"]
        self.marker = f"CCSIM_SIGNAL_TEST={uuid.uuid4().hex}"
        key, value = self.marker.split("=")
        self.proc = subprocess.Popen(
            [*cmd, *args],
            cwd=cwd,
            env={**os.environ, key: value},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self.readers = [
            threading.Thread(target=self._read, args=(s, b), daemon=True)
            for s, b in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
        ]
        for r in self.readers:
            r.start()

    @staticmethod
    def _read(stream, into: list[bytes]) -> None:
        for line in iter(stream.readline, b""):
            into.append(line)

    def descendants(self) -> list[tuple[int, str]]:
        """Live processes (not zombies) with the marker or in the session's process group."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == self.proc.pid:
                continue
            try:
                stat = (entry / "stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                state, pgrp = fields[0], int(fields[2])
                if state in "ZX":
                    continue
                marked = self.marker.encode() in (entry / "environ").read_bytes().split(b"\0")
                if marked or pgrp == self.proc.pid:
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    found.append((int(entry.name), cmd))
            except (OSError, ValueError):
                continue  # gone meanwhile, or not ours to read
        return found

    def workers(self) -> list[int]:
        return [pid for pid, cmd in self.descendants() if "popen_loky_posix" in cmd]

    def wait_until(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready():
            if self.proc.poll() is not None:
                pytest.fail(f"ccsim ended ({self.proc.returncode}) before {what}: {self.stderr}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} within {START_TIMEOUT_S} s")
            time.sleep(0.1)

    def all_gone(self) -> list[tuple[int, str]]:
        """Wait up to GONE_TIMEOUT_S for every descendant to exit and stdout to close; what
        is left."""
        deadline = time.monotonic() + GONE_TIMEOUT_S
        while (left := self.descendants()) and time.monotonic() < deadline:
            time.sleep(0.1)
        for r in self.readers:  # EOF only once no process holds the pipes (`| tee` ends)
            r.join(timeout=max(0.1, deadline - time.monotonic()))
        if any(r.is_alive() for r in self.readers):
            left = left or [(0, "stdout/stderr still open")]
        return left

    @property
    def stderr(self) -> str:
        return b"".join(self.err).decode(errors="replace")

    def kill_leftovers(self) -> None:
        for pid, _ in self.descendants():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _started(tmp_path: Path, kind: str) -> Ccsim:
    """ccsim working: a run's replication workers, or a sweep's two jobs, are busy."""
    c = Ccsim(RUN if kind == "run" else SWEEP, tmp_path)
    if kind == "run":
        c.wait_until(lambda: len(c.workers()) >= 2, "two replication workers")
    else:
        logs = [tmp_path / "sweep" / j / "cli.log" for j in ("0", "1")]
        c.wait_until(
            lambda: all(p.exists() for p in logs) and len(c.workers()) >= 2, "two sweep jobs"
        )
    return c


@pytest.mark.parametrize(
    "kind, sig, to_group",
    [
        ("run", signal.SIGTERM, False),
        ("sweep", signal.SIGINT, True),  # Ctrl-C: the terminal signals the whole group
        pytest.param("run", signal.SIGINT, True, marks=pytest.mark.slow),
        pytest.param("sweep", signal.SIGTERM, False, marks=pytest.mark.slow),
    ],
)
def test_a_signal_stops_ccsim_and_its_workers(tmp_path, kind, sig, to_group):
    c = _started(tmp_path, kind)
    try:
        if to_group:
            os.killpg(c.proc.pid, sig)
        else:
            c.proc.send_signal(sig)
        status = c.proc.wait(timeout=EXIT_TIMEOUT_S)
        left = c.all_gone()
        assert status == 128 + sig, c.stderr
        lines = c.stderr.splitlines()
        assert len(lines) == 1 and "Traceback" not in c.stderr, c.stderr
        assert lines[0].startswith(f"ccsim: interrupted ({signal.Signals(sig).name})")
        if kind == "sweep":
            assert "resumes the sweep in sweep" in lines[0]
        assert not left, left
    finally:
        c.kill_leftovers()


@pytest.mark.parametrize("kind", ["run", pytest.param("sweep", marks=pytest.mark.slow)])
def test_workers_exit_when_ccsim_is_killed(tmp_path, kind):
    """SIGKILL cannot be caught: the workers notice that their parent is gone (they check
    every ccsim.runs.workers.PARENT_POLL_S seconds) and exit."""
    c = _started(tmp_path, kind)
    try:
        c.proc.kill()
        assert c.proc.wait(timeout=EXIT_TIMEOUT_S) == -signal.SIGKILL
        left = c.all_gone()
        assert not left, left
    finally:
        c.kill_leftovers()


def test_a_worker_whose_parent_is_gone_exits(tmp_path):
    """The parent check on its own: a process told that its parent is another process exits
    at the first check, with ccsim.runs.workers.PARENT_GONE_STATUS."""
    code = (
        "import time\n"
        "from ccsim.runs import workers\n"
        "workers._watch_parent(-1)\n"  # not its parent: as after the parent died
        "time.sleep(60)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    from ccsim.runs.workers import PARENT_GONE_STATUS

    assert proc.returncode == PARENT_GONE_STATUS, proc.stderr
