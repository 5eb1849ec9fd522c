"""Reading a forecast file into a centre (issue 26.6): wall time and peak memory.

Two files, written to a temporary folder:

* ``span``: two rows three years apart (the first and the last interval of 2024-2026);
* ``big``: about 100 MB, 5 channels x 4 intents x 15-minute intervals over ~2 years.

Each is read the way ``ccsim`` reads it: the centre is built twice in one process (the command
line checks the config before the run, then the run builds it again), with a one-week horizon
at the file's first interval (where the old reader accepted it). Every measurement runs in a
fresh process, so its peak resident memory (``ru_maxrss``) is its own.

    python benchmarks/bench_forecast.py                       # the installed ccsim
    git archive HEAD src | tar -x -C /tmp/old                 # an older ccsim beside it
    python benchmarks/bench_forecast.py --old-src /tmp/old/src

``--old-src`` runs every case with that source tree first on ``sys.path`` too, and prints both.
``--xlsx-rows N`` adds an Excel workbook of the big file's first N rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

CHANNELS = [f"channel_{n}" for n in ("voice", "chat", "email", "messaging", "social")]
INTENTS = [f"intent_{n}" for n in ("billing", "technical", "orders", "cancellation")]
START = datetime(2024, 1, 1)


def write_span(path: Path) -> None:
    last = datetime(2026, 12, 31, 23, 45)
    path.write_text(
        "interval_start,channel,intent,volume,aht_s\n"
        f"{START:%Y-%m-%d %H:%M},{CHANNELS[0]},{INTENTS[0]},12,300\n"
        f"{last:%Y-%m-%d %H:%M},{CHANNELS[0]},{INTENTS[0]},12,300\n"
    )


def write_big(path: Path, target_mb: float) -> int:
    """Rows interval by interval until the file holds ``target_mb`` megabytes; the rows."""
    target = target_mb * 1e6
    step = timedelta(minutes=15)
    rows = 0
    size = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        header = "interval_start,channel,intent,volume,aht_s\n"
        f.write(header)
        size += len(header)
        t = START
        while size < target:
            stamp = f"{t:%Y-%m-%d %H:%M}"
            lines = []
            for c, ch in enumerate(CHANNELS):
                for i, it in enumerate(INTENTS):
                    vol = 10.0 + (rows % 97) * 0.123457 + c + i
                    lines.append(f"{stamp},{ch},{it},{vol:.6f},{300 + 10 * i + c}\n")
                    rows += 1
            block = "".join(lines)
            f.write(block)
            size += len(block)
            t += step
    return rows


def write_xlsx(path: Path, rows: int) -> None:
    """The big forecast's first ``rows`` rows as an Excel workbook (openpyxl, write-only)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Intervals")
    ws.append(["interval_start", "channel", "intent", "volume", "aht_s"])
    t, n = START, 0
    while n < rows:
        for c, ch in enumerate(CHANNELS):
            for i, it in enumerate(INTENTS):
                ws.append([t, ch, it, 10.0 + (n % 97) * 0.123457 + c + i, 300 + 10 * i + c])
                n += 1
        t += timedelta(minutes=15)
    wb.save(path)


def centre_config(forecast: Path, start: datetime, interval_min: int) -> dict:
    return {
        "name": "bench",
        "start": f"{start:%Y-%m-%d %H:%M}",
        "horizon_days": 7,
        "interval_min": interval_min,
        "forecast_csv": str(forecast),
        "channels": {
            ch: {"mode": "sync", "handle_time": {"dist": "exponential", "mean_s": 300}}
            for ch in CHANNELS
        },
        "intents": {it: {"share": {ch: 1.0 for ch in CHANNELS}} for it in INTENTS},
        "pools": {"team": {"skills": {ch: {"*": 1.0} for ch in CHANNELS}, "agents": 50}},
    }


def child(forecast: str, interval_min: int, builds: int) -> None:
    import resource

    from ccsim.config.centre import centre_from_config

    cfg = centre_config(Path(forecast), START, interval_min)
    times = []
    error = None
    for _ in range(builds):
        t0 = time.perf_counter()
        try:
            centre, _info = centre_from_config(cfg)
        except Exception as exc:  # the measurement records what happened
            error = f"{type(exc).__name__}: {exc}"[:300]
            times.append(time.perf_counter() - t0)
            break
        times.append(time.perf_counter() - t0)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"times_s": times, "peak_rss_mb": rss_kb / 1024, "error": error}
    if error is None:
        out["contacts_per_week"] = float(centre.rate_per_s.sum() * centre.interval_s)
    print(json.dumps(out))


def measure(src: str | None, forecast: Path, interval_min: int, builds: int) -> dict:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, __file__, "--child", str(forecast), str(interval_min), str(builds)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1], "wall_s": wall}
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old-src", help="an older ccsim's src folder, measured as 'old'")
    ap.add_argument("--mb", type=float, default=100.0, help="size of the big forecast (MB)")
    ap.add_argument("--builds", type=int, default=2, help="centre builds per process")
    ap.add_argument("--span-interval-min", type=int, nargs="+", default=[15, 5])
    ap.add_argument("--xlsx-rows", type=int, default=0, help="also an Excel forecast this long")
    args = ap.parse_args()
    codes = [("new", None)] + ([("old", args.old_src)] if args.old_src else [])
    with tempfile.TemporaryDirectory() as tmp:
        span = Path(tmp) / "span.csv"
        big = Path(tmp) / "big.csv"
        write_span(span)
        t0 = time.perf_counter()
        rows = write_big(big, args.mb)
        print(
            f"big forecast: {big.stat().st_size / 1e6:.1f} MB, {rows:,} rows, written in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        cases = [(f"span, {m}-min intervals", span, m) for m in args.span_interval_min]
        cases.append(("big, 15-min intervals", big, 15))
        if args.xlsx_rows:
            xlsx = Path(tmp) / "big.xlsx"
            write_xlsx(xlsx, args.xlsx_rows)
            print(f"Excel forecast: {xlsx.stat().st_size / 1e6:.1f} MB, {args.xlsx_rows:,} rows")
            cases.append(("Excel, 15-min intervals", xlsx, 15))
        for label, path, minutes in cases:
            for name, src in codes:
                r = measure(src, path, minutes, args.builds)
                if r.get("times_s"):
                    shown = " + ".join(f"{t:.2f}" for t in r["times_s"])
                    line = f"builds {shown} s, peak RSS {r['peak_rss_mb']:.0f} MB"
                else:
                    line = ""
                if r.get("error"):
                    line += f" ERROR {r['error']}"
                print(f"{label:28s} {name:4s} wall {r['wall_s']:6.1f} s  {line}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
