"""``ccsim-report`` on crafted folders: every bad file or folder is one line, never a traceback
and never a hang.

A bad job alone (no usable job under PATH) is one line on stderr and exit status 2; beside a
good job it is listed as failed (``failed: JOB: why``, one line) and the good job is compared.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ccsim.reports.files
import ccsim.sweeps.collect
from ccsim.sweeps.collect import collect
from ccsim.sweeps.compare import main
from ccsim.sweeps.job_files import SUMMARY_MAX_BYTES

FOLDER = "<a folder>"  # crafted as a folder of that name
METRICS = ("positive_demand_delta_h", "sl_answered_within_t", "abandon_rate")


def _summary(**change: object) -> dict:
    summary = {
        "schema": "ccsim.summary/3",
        "run": {"seed": 1, "replications": 2},
        "strategies": [],
        "totals": {m: {"mean": 1.0, "ci95_low": 0.5, "ci95_high": 1.5} for m in METRICS},
        "reference": None,
        "config": {},
        "currency": "EUR",
    }
    summary.update(change)
    return summary


def _csv(*rows: str) -> str:
    body = rows or tuple(f"{r},all,{m},{r + 1}" for r in (0, 1) for m in METRICS)
    return "replication,channel,metric,value\n" + "\n".join(body) + "\n"


def good_job(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(_summary()))
    (folder / "replications.csv").write_text(_csv())
    return folder


def _put(folder: Path, name: str, content: str | bytes | None) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


def _summary_text(**change: object) -> str:
    return json.dumps(_summary(**change))


def _huge(folder: Path) -> None:
    with open(folder / "summary.json", "wb") as fh:  # sparse: no disk space, nothing read
        fh.truncate(SUMMARY_MAX_BYTES + 1)


def _loop(folder: Path) -> None:
    (folder / "summary.json").unlink()
    os.symlink("summary.json", folder / "summary.json")  # a link to itself


def _only_error(content: str) -> object:
    def craft(folder: Path) -> None:
        for name in ("summary.json", "replications.csv"):
            (folder / name).unlink()
        _put(folder, "error.json", content)

    return craft


# (id, what to do to a good job's folder, words of the job's one line)
CASES = [
    ("summary not JSON", {"summary.json": "{not json"}, ["summary.json is not JSON"]),
    ("summary a list", {"summary.json": "[1, 2]"}, ["summary.json is an array, not an object"]),
    ("summary a number", {"summary.json": "42"}, ["summary.json is a number (42)"]),
    ("summary a string", {"summary.json": '"hi"'}, ["summary.json is a string ('hi')"]),
    ("summary not UTF-8", {"summary.json": b"\xff\xfe{"}, ["summary.json is not UTF-8"]),
    ("no totals", {"summary.json": '{"run": {}}'}, ["summary.json has no totals"]),
    ("totals null", {"summary.json": _summary_text(totals=None)}, ["totals is null"]),
    (
        "totals entry a list",
        {"summary.json": _summary_text(totals={"asa_s": [1]})},
        ["totals.asa_s is an array, not an object"],
    ),
    (
        "mean a string",
        {"summary.json": _summary_text(totals={"asa_s": {"mean": "0.5"}})},
        ["totals.asa_s.mean is a string ('0.5')"],
    ),
    (
        "mean infinite",
        {"summary.json": _summary_text(totals={"asa_s": {"mean": float("inf")}})},
        ["totals.asa_s.mean is a number (inf), not a finite number"],
    ),
    (
        "config a list",
        {"summary.json": _summary_text(config=[1])},
        ["config is an array, not an object"],
    ),
    (
        "strategies a string",
        {"summary.json": _summary_text(strategies="chatbot")},
        ["strategies is a string ('chatbot'), not an array"],
    ),
    (
        "strategy a number",
        {"summary.json": _summary_text(strategies=[1])},
        ["strategies[0] is a number (1), not a string"],
    ),
    ("run a list", {"summary.json": _summary_text(run=[1])}, ["run is an array"]),
    (
        "seed a string",
        {"summary.json": _summary_text(run={"seed": "5"})},
        ["run.seed is a string ('5'), not an integer"],
    ),
    (
        "replications a float",
        {"summary.json": _summary_text(run={"replications": 2.5})},
        ["run.replications is a number (2.5), not an integer"],
    ),
    (
        "reference without model",
        {"summary.json": _summary_text(reference={"values": {}})},
        ["reference.model is null, not a string"],
    ),
    (
        "reference values a string",
        {"summary.json": _summary_text(reference={"model": "Erlang C", "values": "x"})},
        ["reference.values is a string ('x'), not an object"],
    ),
    (
        "currency an object",
        {"summary.json": _summary_text(currency={"eur": 1})},
        ["currency is an object, not a string"],
    ),
    (
        "deeply nested",
        {"summary.json": "[" * 100_000 + "]" * 100_000},
        ["summary.json is nested too deeply"],
    ),
    ("huge summary", _huge, ["summary.json is too large", "at most 67,108,864"]),
    ("symlink loop", _loop, ["summary.json: Too many levels of symbolic links"]),
    ("summary a folder", {"summary.json": FOLDER}, ["summary.json is not a regular file"]),
    (
        "csv wrong columns",
        {"replications.csv": "rep,channel,metric,value\n0,all,x,1\n"},
        ["replications.csv malformed or unreadable (no column replication)"],
    ),
    (
        "csv non-numeric value",
        {"replications.csv": _csv("0,all,x,lots")},
        ["replications.csv", "line 2", "could not convert string to float: 'lots'"],
    ),
    (
        "csv non-numeric replication",
        {"replications.csv": _csv("first,all,x,1")},
        ["replications.csv", "line 2", "invalid literal for int()"],
    ),
    (
        "csv inf",
        {"replications.csv": _csv("0,all,x,inf")},
        ["replications.csv", "line 2: value inf is not finite"],
    ),
    (
        "csv duplicate row",
        {"replications.csv": _csv("0,all,x,1", "0,all,x,2")},
        ["replications.csv", "line 3: replication 0, all, x a second time"],
    ),
    (
        "csv short row",
        {"replications.csv": _csv("0,all")},
        ["replications.csv", "line 2: a short row"],
    ),
    (
        "csv empty metric",
        {"replications.csv": _csv("0,all,,1")},
        ["replications.csv", "line 2: an empty channel or metric"],
    ),
    (
        "csv huge field",
        {"replications.csv": _csv('0,all,"' + "m" * 200_000 + '",1')},
        ["replications.csv malformed or unreadable (not CSV (field larger than field limit"],
    ),
    (
        "parquet not parquet",
        {"replications.parquet": b"PAR1 not really", "replications.csv": None},
        ["replications.parquet malformed or unreadable (Parquet magic bytes not found"],
    ),
    (
        "overrides a mapping",
        {".hydra/overrides.yaml": "a: b\n"},
        [".hydra/overrides.yaml is not a list of overrides (strings)"],
    ),
    (
        "overrides of numbers",
        {".hydra/overrides.yaml": "- 1\n- [2]\n"},
        [".hydra/overrides.yaml is not a list of overrides (strings)"],
    ),
    (
        "overrides not YAML",
        {".hydra/overrides.yaml": "- [unclosed\n"},
        [".hydra/overrides.yaml is not YAML"],
    ),
    (
        "overrides nested deeply",
        {".hydra/overrides.yaml": "[" * 5_000},
        [".hydra/overrides.yaml is"],
    ),
    (
        "overrides a folder",
        {".hydra/overrides.yaml": FOLDER},
        [".hydra/overrides.yaml is not a regular file"],
    ),
    (
        "error.json not JSON",
        _only_error("{oops"),
        ["error.json unreadable (error.json is not JSON"],
    ),
    ("error.json a list", _only_error("[1]"), ["error.json malformed (an array"]),
    (
        "error.json error a number",
        _only_error('{"error": 5}'),
        ["error.json malformed (its error is a number (5), not a message)"],
    ),
]


def _craft(folder: Path, how: object) -> None:
    if callable(how):
        how(folder)
        return
    assert isinstance(how, dict)
    for name, content in how.items():
        _put(folder, name, None if content == FOLDER else content)
        if content == FOLDER:
            (folder / name).mkdir()


@pytest.mark.parametrize("how,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_job_is_one_line(tmp_path, capsys, how, words):
    # Beside a good job: listed as failed (or unreadable) with one line; the good one is kept.
    good_job(tmp_path / "s" / "0")
    bad = good_job(tmp_path / "s" / "1")
    _craft(bad, how)
    coll = collect(tmp_path / "s")
    assert [j.name for j in coll.jobs] == ["0"]
    (failed,) = coll.failed
    assert failed.name == "1" and "\n" not in failed.error
    for word in words:
        assert word in failed.error, (word, failed.error)
    # Alone: no usable job, one line and exit status 2 (nothing written).
    shutil.rmtree(tmp_path / "s" / "0")
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "s")])
    assert exc.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"ccsim-report: error: {tmp_path / 's'}: ")
    if failed.kind == "error":  # a failed job (its error.json): the sweep's own failure
        assert line.endswith(": only failed jobs (1, error.json); a job folder holds summary.json")
    else:
        assert line.startswith(f"ccsim-report: error: {tmp_path / 's'}: no usable job: 1: ")
        assert words[-1] in line
    assert not (tmp_path / "s" / "comparison").exists()


def test_bad_jobs_are_listed_and_the_rest_compared(tmp_path, capsys):
    """One comparison over a good job and every bad one: exit 0, one line per bad job."""
    good_job(tmp_path / "s" / "good")
    for i, (_, how, _words) in enumerate(CASES):
        _craft(good_job(tmp_path / "s" / f"bad{i}"), how)
    assert main([str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"1 job(s), {len(CASES)} failed")
    failed = [ln for ln in out if ln.startswith("failed: ")]
    assert len(failed) == len(CASES)
    for i, (_, _, words) in enumerate(CASES):
        (line,) = [ln for ln in failed if ln.startswith(f"failed: bad{i}: ")]
        assert words[-1] in line, line
    md = (tmp_path / "s" / "comparison" / "comparison.md").read_text()
    assert "1 finished job(s)" in md and f"{len(CASES)} failed" in md


def _report(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("ccsim-report")
    cmd = [exe] if exe else [sys.executable, "-m", "ccsim.sweeps.compare"]
    return subprocess.run(
        [*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=30
    )  # a FIFO opened by mistake would block: the timeout fails the test instead of hanging


FIFOS = ("summary.json", "replications.csv", "error.json", ".hydra/overrides.yaml")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_never_opened(tmp_path):
    """A FIFO under each name a job's file has (opening one to read would block until a
    writer comes: the subprocess's timeout fails the test rather than hang the suite)."""
    good_job(tmp_path / "s" / "good")
    for i, name in enumerate(FIFOS):
        bad = good_job(tmp_path / "s" / f"bad{i}")
        if name == "error.json":
            (bad / "summary.json").unlink()
        (bad / name).parent.mkdir(exist_ok=True)
        (bad / name).unlink(missing_ok=True)
        os.mkfifo(bad / name)
    proc = _report("s", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    failed = [ln for ln in proc.stdout.splitlines() if ln.startswith("failed: ")]
    assert failed == [
        f"failed: bad{i}: "
        + {
            "error.json": "error.json unreadable (error.json is not a regular file)",
            "replications.csv": "unreadable results: replications.csv malformed or unreadable "
            "(replications.csv is not a regular file)",
        }.get(name, f"unreadable results: {name} is not a regular file")
        for i, name in enumerate(FIFOS)
    ]
    shutil.rmtree(tmp_path / "s" / "good")  # no usable job: one line, status 2
    proc = _report("s", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout
    assert proc.stderr.startswith("ccsim-report: error: s: no usable job: ")
    assert proc.stderr.endswith(" is not a regular file (and 3 more failed or unreadable)\n")


def _exit_2(args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    return line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_path_that_is_not_a_folder(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    os.mkfifo(tmp_path / "fifo")
    os.symlink("loop", tmp_path / "loop")
    for name, why in (
        ("missing", "no such file or directory"),
        ("file", "not a folder"),
        ("fifo", "not a folder"),
        ("loop", "Too many levels of symbolic links"),
    ):
        assert _exit_2([str(tmp_path / name)], capsys) == (
            f"ccsim-report: error: {tmp_path / name}: {why}"
        )


def test_folders_that_cannot_be_read(tmp_path, capsys, monkeypatch):
    """Root cannot be kept out by chmod: the listing is made to fail instead."""
    good_job(tmp_path / "s" / "0")
    good_job(tmp_path / "s" / "locked" / "0")
    entries = ccsim.sweeps.collect._entries

    def denied(folder: Path) -> list:
        if folder.name in ("locked", "top"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
        return entries(folder)

    monkeypatch.setattr(ccsim.sweeps.collect, "_entries", denied)
    coll = collect(tmp_path / "s")
    assert [j.name for j in coll.jobs] == ["0"]
    (failed,) = coll.failed
    assert failed.name == "locked"
    assert failed.error == "cannot read the folder (Permission denied)"
    (tmp_path / "top").mkdir()
    assert _exit_2([str(tmp_path / "top")], capsys) == (
        f"ccsim-report: error: {tmp_path / 'top'}: cannot read the folder (Permission denied)"
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads folders whatever chmod"
)
def test_a_folder_without_read_permission(tmp_path, capsys):
    good_job(tmp_path / "s" / "0")
    os.chmod(tmp_path / "s", 0o000)
    try:
        line = _exit_2([str(tmp_path / "s")], capsys)
    finally:
        os.chmod(tmp_path / "s", 0o755)
    assert (
        line == f"ccsim-report: error: {tmp_path / 's'}: cannot read the folder (Permission denied)"
    )


def test_out_that_cannot_be_written(tmp_path, capsys, monkeypatch):
    good_job(tmp_path / "s" / "0")
    (tmp_path / "file").write_text("x")
    assert _exit_2([str(tmp_path / "s"), "--out", str(tmp_path / "file")], capsys) == (
        f"ccsim-report: error: cannot write outputs to {tmp_path / 'file'}: Not a directory "
        "(it is a file)"
    )
    assert _exit_2([str(tmp_path / "s"), "--out", str(tmp_path / "file" / "cmp")], capsys) == (
        f"ccsim-report: error: cannot write outputs to {tmp_path / 'file' / 'cmp'}: Not a "
        f"directory ({tmp_path / 'file'} is a file)"
    )
    (tmp_path / "s" / "comparison").write_text("x")  # the default PATH/comparison
    line = _exit_2([str(tmp_path / "s")], capsys)
    assert line.endswith("comparison: Not a directory (it is a file)")

    def read_only(fd: int, data: bytes, path: Path) -> None:
        os.close(fd)
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(ccsim.reports.files, "_write_fd", read_only)
    assert _exit_2([str(tmp_path / "s"), "--out", str(tmp_path / "ro")], capsys) == (
        f"ccsim-report: error: cannot write outputs to {tmp_path / 'ro'}: Read-only file system"
    )
    assert not (tmp_path / "ro").exists()
    assert not list(tmp_path.glob(".ccsim-probe-*"))


def test_a_disk_that_fills_while_the_comparison_is_written(tmp_path, capsys, monkeypatch):
    good_job(tmp_path / "s" / "0")
    write = ccsim.reports.files._write_fd
    calls = []

    def fills(fd: int, data: bytes, path: Path) -> None:
        calls.append(path.name)
        if len(calls) > 3:  # the probe and two tables, then the disk is full
            os.close(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        write(fd, data, path)

    monkeypatch.setattr(ccsim.reports.files, "_write_fd", fills)
    line = _exit_2([str(tmp_path / "s")], capsys)
    assert line.startswith(
        f"ccsim-report: error: cannot write outputs to {tmp_path / 's' / 'comparison'}: "
        "No space left on device (writing "
    )
    left = sorted(p.name for p in (tmp_path / "s" / "comparison").iterdir())
    assert left == ["effects.csv", "tidy.csv"]  # no temporary file left behind
