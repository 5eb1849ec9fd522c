"""Writing run outputs: atomically, deterministically (same results, same bytes)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

_UMASK = os.umask(0)
os.umask(_UMASK)

__all__ = [
    "atomic_write_text",
    "atomic_write_bytes",
    "write_json",
    "write_csv",
    "fmt",
    "save_png",
]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place: a reader (or a
    resumed sweep) never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
