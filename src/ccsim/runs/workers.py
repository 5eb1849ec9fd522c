"""Worker processes that never outlive the ``ccsim`` command, and its answer to Ctrl-C/SIGTERM.

ccsim starts worker processes through joblib's loky backend twice over: parallel replications
(``run.n_jobs``, :func:`ccsim.runs.replications.map_in_order`) and the jobs of a sweep
(Hydra's joblib launcher, ``ccsim -m``). By default loky's workers wait for work for 300 s
after their parent is gone, holding its stdout and stderr open (``ccsim ... | tee log`` would
hang that long). The command therefore:

- catches SIGINT and SIGTERM in its main process (:func:`command_signals`): the signal becomes
  an :class:`Interrupted` exception, joblib kills the workers of the pool it was waiting on,
  :func:`stop_workers` kills any left idle, and the command exits with one line and status
  128 + the signal's number (130 for SIGINT, 143 for SIGTERM);
- starts every loky worker with :func:`_worker_start` (:func:`use_watched_workers`): a worker
  ignores SIGINT (Ctrl-C in a terminal reaches the whole process group; the main process
  stops the workers itself; it starts with SIGINT blocked, so that a Ctrl-C while it imports
  prints no traceback either) and checks every :data:`PARENT_POLL_S` seconds that its parent
  is still alive, exiting at once when it is not: this is what holds when the main process is
  killed with SIGKILL, which no process can catch.

A second signal while the command stops exits at once (status 128 + the first one's number).

Library use (``ccsim.run`` in a notebook) keeps joblib's own behaviour: only the command line
installs these, for as long as it runs.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from joblib import register_parallel_backend
from joblib._parallel_backends import LokyBackend

__all__ = [
    "Interrupted",
    "PARENT_POLL_S",
    "WatchedLokyBackend",
    "command_signals",
    "say_interrupted",
    "stop_workers",
    "use_watched_workers",
]

# How often a worker checks that its parent is alive: a worker outlives a SIGKILLed parent by
# at most this long (plus the time its interpreter takes to exit).
PARENT_POLL_S = 0.25
# A worker's exit status when its parent disappeared.
PARENT_GONE_STATUS = 70

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_received: list[int] = []  # the signal this process received (SIGINT or SIGTERM)
_said: list[bool] = []  # whether the line saying so was written


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached the main process. A KeyboardInterrupt, so that nothing that
    catches ``Exception`` (Hydra's job runner, a sweep's error recording) swallows it, and so
    that joblib aborts its pool as it does on Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def say_interrupted(signum: int, detail: str = "") -> None:
    """The one line on stderr, written once: ``ccsim: interrupted (SIGINT)`` + ``detail``."""
    if _said:
        return
    _said.append(True)
    line = f"ccsim: interrupted ({signal.Signals(signum).name}){detail}\n"
    try:
        os.write(2, line.encode())
    except OSError:
        pass


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _received:  # a second signal while stopping: leave now (the workers watch for it)
        say_interrupted(_received[0])
        os._exit(128 + _received[0])
    _received.append(signum)
    raise Interrupted(signum)


_QUIET_TRACKERS = (
    "ignore::UserWarning:joblib.externals.loky.backend.resource_tracker",
    "ignore::UserWarning:multiprocessing.resource_tracker",
)


@contextmanager
def command_signals() -> Iterator[None]:
    """Meanwhile, SIGINT and SIGTERM raise :class:`Interrupted` in the main thread and the
    loky workers started are watched (:func:`use_watched_workers`); as before afterwards."""
    from joblib.parallel import BACKENDS

    main = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS} if main else {}
    backend = BACKENDS.get("loky")
    _received.clear()
    _said.clear()
    for sig in handlers:
        signal.signal(sig, _on_signal)
    use_watched_workers()
    # The resource trackers (processes that inherit this environment) warn of "leaked"
    # semaphores when the workers are stopped by a signal: expected then, and not the one line
    # a stopped command prints.
    old_filters = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(x for x in (old_filters, *_QUIET_TRACKERS) if x)
    try:
        yield
    finally:
        if old_filters is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = old_filters
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        if backend is not None:
            register_parallel_backend("loky", backend)


def stop_workers() -> None:
    """Kill the worker processes of joblib's (reusable) loky pool, if this process has one."""
    from joblib.externals.loky import reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        try:
            executor.shutdown(wait=True, kill_workers=True)
        except Exception:  # a pool already broken or shut down: its workers are gone
            pass


def _watch_parent(parent_pid: int) -> None:
    """Exit this process as soon as ``parent_pid`` is no longer its parent (it died: the
    process was handed to init or a subreaper)."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(PARENT_GONE_STATUS)
            time.sleep(PARENT_POLL_S)

    threading.Thread(target=watch, name="ccsim-parent-watch", daemon=True).start()


def _worker_start(parent_pid: int) -> None:
    """A loky worker's initializer (runs in the worker before its first task)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _CAN_MASK:  # blocked since it started (WatchedLokyBackend.submit): now ignored
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _watch_parent(parent_pid)
    use_watched_workers()  # a pool this worker starts in turn is watched too


_CAN_MASK = hasattr(signal, "pthread_sigmask")


def _start_resource_trackers() -> None:
    """Start the resource trackers of multiprocessing and loky now, if they are not running:
    starting one later, as loky starts a worker, unblocks SIGINT (Python 3.11's
    multiprocessing does, whatever the mask was)."""
    from multiprocessing import resource_tracker as mp_tracker

    from joblib.externals.loky.backend import resource_tracker as loky_tracker

    for tracker in (mp_tracker, loky_tracker):
        try:
            tracker.ensure_running()
        except Exception:  # loky starts it itself, as it would without ccsim
            pass


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread meanwhile (a SIGINT that arrives is delivered after).
    A process started meanwhile inherits the mask: a worker that loky starts while a task is
    submitted (or its manager thread, started then too, starts later) does not take a Ctrl-C
    while it imports, before its initializer ignores SIGINT."""
    if not _CAN_MASK:
        yield
        return
    _start_resource_trackers()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class WatchedLokyBackend(LokyBackend):
    """joblib's loky backend whose workers run :func:`_worker_start` (unless the caller gave
    an initializer of its own) and start with SIGINT blocked."""

    def configure(self, *args: Any, **kwargs: Any) -> int:
        if "initializer" not in kwargs and "initializer" not in getattr(self, "backend_kwargs", {}):
            kwargs.update(initializer=_worker_start, initargs=(os.getpid(),))
        return int(super().configure(*args, **kwargs))

    # Workers start when the first task is submitted (joblib >= 1.4: submit; 1.3: apply_async).
    if hasattr(LokyBackend, "submit"):

        def submit(self, *args: Any, **kwargs: Any) -> Any:
            with _sigint_blocked():
                return super().submit(*args, **kwargs)

    if hasattr(LokyBackend, "apply_async"):

        def apply_async(self, *args: Any, **kwargs: Any) -> Any:
            with _sigint_blocked():
                return super().apply_async(*args, **kwargs)


def use_watched_workers() -> None:
    """Make :class:`WatchedLokyBackend` joblib's ``loky`` backend in this process (the
    default backend, and the one Hydra's joblib launcher asks for by name)."""
    register_parallel_backend("loky", WatchedLokyBackend)
