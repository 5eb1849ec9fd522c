"""Writing run outputs: atomically, deterministically (same results, same bytes); checking an
output folder before the work; reading result files without ever blocking on a special file.

A write that fails raises :class:`ccsim.errors.OutputError` (an ``OSError`` naming the folder,
the OS's reason and the file) and leaves no temporary file behind.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from ccsim.errors import OutputError

_UMASK = os.umask(0)
os.umask(_UMASK)
PROBE_BYTES = 64 * 1024  # what check_output_dir writes: a disk without that room is full

__all__ = [
    "atomic_write_text",
    "atomic_write_bytes",
    "check_output_dir",
    "read_regular_file",
    "write_json",
    "write_csv",
    "fmt",
    "save_png",
]


def _write_fd(fd: int, data: bytes, path: Path) -> None:
    """Write ``data`` to the open file ``fd`` (a temporary file for ``path``) and close it.
    Every output byte goes through here: the tests make it fail as a full disk does."""
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place: a reader (or a
    resumed sweep) never sees a half-written file. Any failure raises
    :class:`~ccsim.errors.OutputError` and removes the temporary file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError.wrap(exc, path.parent, f"writing {path.name}") from None
    try:
        _write_fd(fd, data, path)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError.wrap(exc, path.parent, f"writing {path.name}") from None
        raise


def _nearest_existing(folder: Path) -> tuple[Path, os.stat_result]:
    """The first of ``folder`` and the folders above it that exists, with its ``stat``."""
    p = folder
    while True:
        try:
            return p, os.stat(p)
        except (FileNotFoundError, NotADirectoryError):
            if p.parent == p:
                raise
            p = p.parent


def check_output_dir(folder: Path | str) -> None:
    """Before any work: ``folder`` (or, if it does not exist yet, the nearest folder above it,
    where it will be made) is a folder in which a file of :data:`PROBE_BYTES` can be written
    and removed. Raises :class:`~ccsim.errors.OutputError` naming ``folder`` and the OS's
    reason: a file where a folder should be, a read-only file system, no permission, a full
    disk. Creates nothing that stays."""
    folder = Path(os.path.abspath(folder))
    try:
        at, st = _nearest_existing(folder)
    except OSError as exc:  # a symlink loop, a folder above it that cannot be searched
        raise OutputError.wrap(exc, folder) from None
    if not stat.S_ISDIR(st.st_mode):
        what = "a file" if stat.S_ISREG(st.st_mode) else "not a folder"
        where = "it is" if at == folder else f"{at} is"
        raise OutputError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder), f"{where} {what}")
    try:
        fd, probe = tempfile.mkstemp(dir=at, prefix=".ccsim-probe-", suffix=".tmp")
    except OSError as exc:
        raise OutputError.wrap(exc, folder) from None
    try:
        _write_fd(fd, bytes(PROBE_BYTES), Path(probe))
    except OSError as exc:
        raise OutputError.wrap(exc, folder) from None
    finally:
        if os.path.lexists(probe):
            os.unlink(probe)


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (through symlinks) of at most ``limit``
    bytes; ``OSError`` (missing, a symlink loop, no permission) or ``ValueError`` (a FIFO, a
    device or a folder, which are never opened; too large) otherwise. Never blocks."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{Path(path).name} is not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())  # the file opened, should it have been swapped since
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{Path(path).name} is not a regular file")
        if st.st_size > limit:
            raise ValueError(
                f"{Path(path).name} is too large ({st.st_size:,} bytes; at most {limit:,} read)"
            )
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{Path(path).name} is too large (more than {limit:,} bytes)")
    return data


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _json_safe(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if hasattr(x, "item") and callable(x.item):  # numpy scalar
        return _json_safe(x.item())
    return x


def write_json(path: Path, obj: Any) -> None:
    """JSON with NaN/inf as null (strict JSON), keys in insertion order, newline at end."""
    atomic_write_text(path, json.dumps(_json_safe(obj), indent=2, allow_nan=False) + "\n")


def fmt(x: Any) -> str:
    """CSV cell: integers plainly, floats to 10 significant digits, NaN as empty."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        return "true" if x else "false"
    xf = float(x)
    if math.isnan(xf):
        return ""
    if xf.is_integer() and abs(xf) < 1e15:
        return str(int(xf))
    return format(xf, ".10g")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([fmt(v) for v in row])
    atomic_write_text(path, buf.getvalue())


def save_png(fig: Any, path: Path, dpi: int = 90) -> Path:
    """A matplotlib figure as a PNG, atomically, then closed. No timestamp or version in the
    metadata: the bytes depend only on what is drawn."""
    import matplotlib.pyplot as plt  # only the figure writers need it

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)
