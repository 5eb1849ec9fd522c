"""Output faults of ``ccsim`` runs and sweeps: one line on stderr, exit status 2, no traceback.

The output folder is checked before Hydra makes it (``ccsim.runs.outputs``): a read-only
folder, a file in its path or a full disk stop the command before anything runs. A disk that
fills during the run fails the job as it writes its outputs, with the same line; the folder
never looks finished (no ``summary.json``, no temporary file). A full disk is simulated by
making every write fail with ENOSPC (``ccsim.reports.files._write_fd``); root ignores chmod, so
a read-only folder is simulated the same way (and tested with chmod when not root).
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import pytest

import ccsim
import ccsim.reports.files
import ccsim.runs.job
import ccsim.runs.presets
from ccsim.cli import main
from ccsim.errors import OutputError

QUICK = ["scenario=erlang_c", "scenario.horizon_h=2", "run.replications=1", "run.plots=false"]


def _ccsim(monkeypatch, capsys, *args: str) -> tuple[int, list[str], str]:
    """``ccsim ARGS`` in this process: exit status, stderr lines and stdout."""
    monkeypatch.setattr(sys, "argv", ["ccsim", *args])
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return int(code or 0), [ln for ln in captured.err.splitlines() if ln.strip()], captured.out


@pytest.fixture
def no_simulation(monkeypatch):
    """Fails the test if any replication is simulated."""
    ran = []

    def must_not_run(*args, **kwargs):
        ran.append(args)
        raise AssertionError("the simulation ran")

    monkeypatch.setattr(ccsim.runs.job, "run", must_not_run)
    monkeypatch.setattr(ccsim.runs.presets, "run", must_not_run)
    return ran


def _failing(monkeypatch, err: int, when=lambda path: True):
    """Every write for which ``when(path)`` holds fails with ``err``, as the OS would."""
    write = ccsim.reports.files._write_fd

    def fail(fd: int, data: bytes, path: Path) -> None:
        if when(path):
            os.close(fd)
            raise OSError(err, os.strerror(err))
        write(fd, data, path)

    monkeypatch.setattr(ccsim.reports.files, "_write_fd", fail)


def _no_temporary_files(folder: Path) -> None:
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("sweep", [False, True], ids=["run", "sweep"])
def test_a_file_in_the_output_path(tmp_path, monkeypatch, capsys, no_simulation, sweep):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file\n")
    key, multirun = ("hydra.sweep.dir", ["-m"]) if sweep else ("hydra.run.dir", [])
    for target, why in (
        (tmp_path / "taken", "it is a file"),
        (tmp_path / "taken" / "run", f"{tmp_path / 'taken'} is a file"),
    ):
        extra = ["scenario.agents=27,28"] if sweep else []
        code, err, _ = _ccsim(monkeypatch, capsys, *multirun, *QUICK, *extra, f"{key}={target}")
        assert (code, err) == (
            2,
            [f"ccsim: error: cannot write outputs to {target}: Not a directory ({why})"],
        )
    assert not no_simulation and (tmp_path / "taken").read_text() == "a file\n"


@pytest.mark.parametrize(
    "err, words",
    [(errno.EROFS, "Read-only file system"), (errno.ENOSPC, "No space left on device")],
    ids=["read-only", "disk full"],
)
@pytest.mark.parametrize("sweep", [False, True], ids=["run", "sweep"])
def test_an_obvious_fault_stops_before_anything_runs(
    tmp_path, monkeypatch, capsys, no_simulation, err, words, sweep
):
    monkeypatch.chdir(tmp_path)
    _failing(monkeypatch, err)
    out = tmp_path / "out" / "day1"
    key, multirun = ("hydra.sweep.dir", ["-m"]) if sweep else ("hydra.run.dir", [])
    extra = ["scenario.agents=27,28"] if sweep else []
    code, lines, _ = _ccsim(monkeypatch, capsys, *multirun, *QUICK, *extra, f"{key}={out}")
    assert (code, lines) == (2, [f"ccsim: error: cannot write outputs to {out}: {words}"])
    assert not no_simulation
    assert not (tmp_path / "out").exists()  # Hydra made nothing either (no .hydra/)
    _no_temporary_files(tmp_path)


def test_the_default_output_folder_is_checked(tmp_path, monkeypatch, capsys, no_simulation):
    """hydra.run.dir as Hydra resolves it (outputs/<preset>/<date>_<time>)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").write_text("")
    code, lines, _ = _ccsim(monkeypatch, capsys, *QUICK)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(
        f"ccsim: error: cannot write outputs to {tmp_path}/outputs/erlang_c/"
    )
    assert lines[0].endswith(f"Not a directory ({tmp_path / 'outputs'} is a file)")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes whatever chmod says"
)
def test_a_read_only_folder(tmp_path, monkeypatch, capsys, no_simulation):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ro").mkdir()
    os.chmod(tmp_path / "ro", 0o555)
    try:
        code, lines, _ = _ccsim(monkeypatch, capsys, *QUICK, f"hydra.run.dir={tmp_path}/ro/x")
    finally:
        os.chmod(tmp_path / "ro", 0o755)
    assert (code, lines) == (
        2,
        [f"ccsim: error: cannot write outputs to {tmp_path}/ro/x: Permission denied"],
    )


def test_a_disk_that_fills_during_the_run(tmp_path, monkeypatch, capsys):
    """The outputs of a run fail at report.html: one line naming the folder, the OS's reason
    and the file; summary.json (written last) is not there, nor any temporary file; a rerun
    does the job again."""
    monkeypatch.chdir(tmp_path)
    _failing(monkeypatch, errno.ENOSPC, lambda path: path.name == "report.html")
    out = tmp_path / "run"
    code, lines, stdout = _ccsim(monkeypatch, capsys, *QUICK, f"hydra.run.dir={out}")
    assert (code, lines) == (
        2,
        [
            f"ccsim: error: cannot write outputs to {out}: No space left on device "
            "(writing report.html)"
        ],
    )
    assert "Traceback" not in stdout
    assert (out / "intervals.csv").exists() and not (out / "summary.json").exists()
    assert json.loads((out / "error.json").read_text())["error"].startswith("OutputError: ")
    _no_temporary_files(out)
    monkeypatch.undo()  # room again: the same command finishes the job
    code, lines, _ = _ccsim(monkeypatch, capsys, *QUICK, f"hydra.run.dir={out}")
    assert (code, lines) == (0, [])
    assert (out / "summary.json").exists() and not (out / "error.json").exists()


def test_a_disk_that_fills_in_a_sweep_fails_its_job(tmp_path, monkeypatch, capsys):
    """A sweep's job that cannot write its outputs leaves error.json, the others go on, and the
    sweep exits 1 with its one line (the basic launcher runs the jobs in this process)."""
    monkeypatch.chdir(tmp_path)
    sweep = tmp_path / "sweep"
    _failing(monkeypatch, errno.ENOSPC, lambda p: p.name == "report.html" and p.parent.name == "1")
    code, lines, _ = _ccsim(
        monkeypatch,
        capsys,
        "-m",
        *QUICK,
        "scenario.agents=27,28",
        "hydra/launcher=basic",
        f"hydra.sweep.dir={sweep}",
    )
    assert (code, lines) == (
        1,
        [f"ccsim: 1 of 2 jobs failed in the sweep {sweep}: {sweep}/1/error.json"],
    )
    assert (sweep / "0" / "summary.json").exists() and not (sweep / "1" / "summary.json").exists()
    err = json.loads((sweep / "1" / "error.json").read_text())["error"]
    assert err == (
        f"OutputError: cannot write outputs to {sweep / '1'}: No space left on device "
        "(writing report.html)"
    )
    _no_temporary_files(sweep)


def test_the_sweep_record_that_cannot_be_written(tmp_path, monkeypatch, capsys, no_simulation):
    """The folder passed the check but sweep.json cannot be written (it filled since)."""
    monkeypatch.chdir(tmp_path)
    _failing(monkeypatch, errno.ENOSPC, lambda path: path.name == "sweep.json")
    sweep = tmp_path / "sweep"
    code, lines, _ = _ccsim(
        monkeypatch, capsys, "-m", *QUICK, "scenario.agents=27,28", f"hydra.sweep.dir={sweep}"
    )
    assert (code, lines) == (
        2,
        [
            f"ccsim: error: cannot write outputs to {sweep}: No space left on device "
            "(writing sweep.json)"
        ],
    )
    _no_temporary_files(tmp_path)


def test_atomic_writes_leave_nothing_behind(tmp_path, monkeypatch):
    _failing(monkeypatch, errno.ENOSPC)
    with pytest.raises(OutputError) as exc:
        ccsim.reports.files.write_json(tmp_path / "a" / "summary.json", {"x": 1})
    assert str(exc.value) == (
        f"cannot write outputs to {tmp_path / 'a'}: No space left on device (writing summary.json)"
    )
    assert isinstance(exc.value, OSError) and exc.value.errno == errno.ENOSPC
    assert os.listdir(tmp_path / "a") == []
    import pickle

    again = pickle.loads(pickle.dumps(exc.value))  # crosses worker processes intact
    assert str(again) == str(exc.value) and again.errno == errno.ENOSPC


def test_the_python_api_checks_its_output_folder_first(tmp_path, no_simulation):
    (tmp_path / "taken").write_text("")
    with pytest.raises(OutputError, match=r"cannot write outputs to .*taken/out: Not a directory"):
        ccsim.run_config("erlang_c", QUICK[1:], out_dir=tmp_path / "taken" / "out")
