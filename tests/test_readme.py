"""Every example in README.md and docs/*.md runs as printed.

- Every ```python block runs, each page in one namespace, block after block, in a temporary
  folder; a ``print(...)`` with a comment on its line must print the start of that comment (the
  expected output, shown where it is deterministic).
- Every ``ccsim`` / ``ccsim-report`` line of a ```bash block is parsed and checked without
  running a simulation: ``ccsim`` lines go through the command's own precheck (each job's
  config composed and validated, exit status 2 on bad input), ``ccsim-report`` lines through
  its argument parser; ``--cfg`` lines run (they only print). A transcript (``$ ccsim ...``
  followed by its output) must fail with that output.
- ``pytest -m slow``: the single-queue lines (``scenario=erlang_*``, quick) run for real, page
  by page in order, and then the ``ccsim-report`` lines whose folder they made.

:data:`EXCLUDED` lists the lines that cannot be checked here, and why.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import re
import shlex
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

# Lines that are not checked, and why (matched against the line as printed, comments cut).
EXCLUDED = {
    # A placeholder: "..." stands for the sweep's own overrides (docs/sweeps.md has a full one).
    "ccsim -m hydra/launcher=submitit_slurm ...": "placeholder arguments",
    # Needs shift types of the reader's own (planning.schedule.shift_types is empty by default),
    # as its comment says; the line after it runs the study that has them.
    "ccsim mode=schedule planning.schedule.requirement=simulated": "needs the reader's shift types",
}
# Python blocks that are not run: (page, a line of the block) -> why.
EXCLUDED_PYTHON = {
    ("outputs.md", 'iv = pd.read_parquet("outputs/default_week/.../intervals.parquet")'): (
        "reads a folder of the reader's own (outputs/default_week/...)"
    ),
}
# Checked only where the launcher is installed (pip install '.[ray]'); never run for real here
# (it starts a Ray cluster).
NEEDS_RAY = "hydra/launcher=ray"
# A small forecast for `ccsim centre.forecast_csv=my_forecast.csv` (the planner's own file).
MY_FORECAST = """interval_start,channel,volume,aht_s
2026-01-05 08:00,voice,120,
2026-01-05 08:30,voice,135,300
2026-01-05 08:00,chat,40,
"""
# Run for real under -m slow: single queues, a few seconds each (planning searches included).
CHEAP = re.compile(r"(^|\s)scenario=erlang_[abc](\s|$)")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence
    lang: str
    text: str


@dataclass(frozen=True)
class Command:
    page: Path
    line: int
    text: str  # as printed, continuation lines joined, comment cut
    argv: list[str]  # the words after the program's name
    program: str  # ccsim or ccsim-report
    expected: tuple[str, ...] = ()  # a transcript's output lines

    @property
    def id(self) -> str:
        return f"{self.page.name}:{self.line}"


def _blocks(page: Path) -> list[Block]:
    text = page.read_text()
    fences = re.finditer(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S)
    return [Block(page, text.count("\n", 0, m.start()) + 1, m[1], m[2]) for m in fences]


def _commands(page: Path) -> list[Command]:
    """The ccsim and ccsim-report lines of a page's shell blocks, and its transcripts."""
    out = []
    for b in _blocks(page):
        if b.lang not in ("bash", "sh", "shell", "console", ""):
            continue
        lines = b.text.splitlines()
        i = 0
        while i < len(lines):
            first, text = i, lines[i]
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text[:-1] + " " + lines[i].strip()
            i += 1
            transcript = text.startswith("$ ")
            text = text.removeprefix("$ ").strip()
            if text.split(" ", 1)[0] not in ("ccsim", "ccsim-report"):
                continue
            if b.lang == "" and not transcript:
                continue  # output shown in a plain block, not a command
            words = shlex.split(text, comments=True)
            expected: list[str] = []
            while transcript and i < len(lines) and not lines[i].startswith("$ "):
                expected.append(lines[i])
                i += 1
            shown = " ".join(shlex.quote(w) for w in words)
            out.append(
                Command(page, b.line + first + 1, shown, words[1:], words[0], tuple(expected))
            )
    return out


def _comments(code: str) -> dict[int, str]:
    """Line number -> the text of the comment ending that line."""
    found = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = tok.string.lstrip("#").strip()
    return found


def _is_print(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "print"
    )


def _excluded(block: Block) -> str | None:
    lines = set(block.text.splitlines())
    for (page, line), why in EXCLUDED_PYTHON.items():
        if block.page.name == page and line in lines:
            return why
    return None


def _run_python(block: Block, namespace: dict) -> None:
    """Run a block statement by statement; a print with a comment prints that comment's start."""
    tree = ast.parse(block.text, str(block.page))
    comments = _comments(block.text)
    for node in tree.body:
        first, last = node.lineno, node.end_lineno or node.lineno  # in the block
        module = ast.Module(body=[node], type_ignores=[])
        ast.increment_lineno(module, block.line)  # tracebacks point into the page
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(module, str(block.page), "exec"), namespace)
        printed = buf.getvalue()
        sys.stdout.write(printed)
        comment = comments.get(last)
        if comment and _is_print(node):
            where = f"{block.page.name}:{block.line + first}"
            assert "\n" not in printed.strip(), f"{where}: a comment after a multi-line print"
            assert comment.startswith(printed.strip()), (
                f"{where}: printed {printed.strip()!r}, the page says {comment!r}"
            )


PYTHON_PAGES = [
    p for p in PAGES if any(b.lang == "python" and not _excluded(b) for b in _blocks(p))
]
COMMANDS = [c for p in PAGES for c in _commands(p)]


def _close_figures() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=lambda p: p.name)
def test_python_examples_run(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # files the examples write land here
    namespace: dict = {"__name__": "__main__"}
    try:
        for block in _blocks(page):
            if block.lang == "python" and not _excluded(block):
                _run_python(block, namespace)
    finally:
        _close_figures()
    out = capsys.readouterr().out.splitlines()
    if page == README:
        assert len(out) == 2 and out[0].startswith("Estimate(")
    if page.name == "python_api.md":
        assert namespace["iv"].shape == (1344, 46) and namespace["res"].reference is None
        assert namespace["whatif"].index.tolist() == [25, 26, 27, 28]


def test_every_page_with_examples_is_found():
    assert README in PYTHON_PAGES and ROOT / "docs" / "python_api.md" in PYTHON_PAGES
    assert len(COMMANDS) > 40 and {c.program for c in COMMANDS} == {"ccsim", "ccsim-report"}
    assert set(EXCLUDED) <= {c.text for c in COMMANDS}  # no stale exclusion
    python = [b for p in PAGES for b in _blocks(p) if b.lang == "python"]
    assert len({_excluded(b) for b in python} - {None}) == len(EXCLUDED_PYTHON)


@pytest.fixture
def docs_cwd(tmp_path, monkeypatch):
    """A folder as a user's: the studies (experiments/) beside it, a forecast file of theirs and
    their centre's folder (docs/planner_quickstart.md)."""
    (tmp_path / "experiments").symlink_to(ROOT / "experiments", target_is_directory=True)
    centre = ROOT / "docs" / "quickstart" / "my_centre"
    (tmp_path / "my_centre").symlink_to(centre, target_is_directory=True)
    (tmp_path / "my_forecast.csv").write_text(MY_FORECAST)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _precheck(argv: list[str], capsys) -> tuple[int, str]:
    from ccsim.cli import precheck

    try:
        precheck(argv)
    except SystemExit as exc:
        return int(exc.code or 0), capsys.readouterr().err
    return 0, capsys.readouterr().err


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.id)
def test_command_lines_compose_and_validate(cmd, docs_cwd, capsys):
    if cmd.text in EXCLUDED:
        pytest.skip(f"{cmd.text}: {EXCLUDED[cmd.text]}")
    if (
        NEEDS_RAY in cmd.argv
        and importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None
    ):
        pytest.skip("hydra-ray-launcher is not installed")
    if cmd.program == "ccsim-report":
        from ccsim.sweeps.compare import _parser

        args = _parser().parse_args(cmd.argv)  # bad arguments: argparse exits 2
        assert args.path
        return
    if "--cfg" in cmd.argv:  # prints the composed config and exits: quick, so run it
        done = subprocess.run(
            [sys.executable, "-m", "ccsim", *cmd.argv], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "scenario:" in done.stdout or "centre:" in done.stdout
        return
    status, err = _precheck(cmd.argv, capsys)
    if cmd.expected:  # a transcript: the error it shows
        shown = "\n".join(cmd.expected).strip().removesuffix("...").rstrip()
        assert status == 2 and err.startswith(shown), err
    else:
        assert status == 0, f"{cmd.id}: {cmd.text}\n{err}"


def _run_for_real(cmd: Command, n: int) -> None:
    argv = list(cmd.argv)
    if cmd.program == "ccsim-report":
        from ccsim.sweeps.compare import main

        assert main(argv) == 0
        return
    multirun = "-m" in argv or "--multirun" in argv
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    if not any(a.startswith(key + "=") for a in argv):
        argv.append(f"{key}=line_{cmd.line}_{n}")  # relative: in the page's folder
    done = subprocess.run(
        [sys.executable, "-m", "ccsim", *argv], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{cmd.id}: {cmd.text}\n{done.stderr[-3000:]}"


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if _commands(p)], ids=lambda p: p.name)
def test_single_queue_command_lines_run(page, docs_cwd):
    """The quick lines of a page, in its order, for real; then the reports on what they made."""
    ran = 0
    for n, cmd in enumerate(_commands(page)):
        if cmd.text in EXCLUDED or NEEDS_RAY in cmd.argv or cmd.expected or "--cfg" in cmd.argv:
            continue
        if cmd.program == "ccsim-report":
            if not (docs_cwd / cmd.argv[0]).is_dir():
                continue  # a folder of the reader's own (multirun/2026-..., study)
        elif not CHEAP.search(" ".join(cmd.argv)):
            continue
        _run_for_real(cmd, n)
        ran += 1
    if ran == 0:
        pytest.skip("no quick command on this page")
