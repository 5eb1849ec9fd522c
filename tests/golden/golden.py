"""Golden hashes: every output file and the contact records of fixed-seed runs.

Pinned before the package was restructured (issue 24); a change that moves code around must
leave them byte-identical. ``python tests/golden/golden.py`` prints the current hashes as JSON
(write them to ``hashes.json`` only when a change is meant to alter results, and say why in the
commit message).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra

HERE = Path(__file__).resolve().parent
HASHES = HERE / "hashes.json"
STRATEGIES = (
    "chatbot",
    "outreach",
    "context",
    "fcr",
    "callbacks",
    "workload_shifting",
    "staffing",
    "cross_training",
)
# Outreach needs a demand event to notify about: experiment (c)'s outage.
OUTAGE = (
    "centre.events=[{name:outage,start:'2026-01-07 09:00',duration_h:8,magnitude:1.5,"
    "decay_h:4,channels:[voice,chat,messaging],intents:[technical]}]"
)
# (case name, overrides): the default week with no strategy and with each strategy preset, the
# other centre presets, each Erlang preset.
CASES: dict[str, tuple[str, ...]] = {
    "default_week": ("scenario=default_week",),
    **{
        f"default_week+{s}": ("scenario=default_week", f"strategy=[{s}]")
        + ((OUTAGE,) if s == "outreach" else ())
        for s in STRATEGIES
    },
    "default_week+outage": ("scenario=default_week", OUTAGE),
    "default_week+outreach_by_call": (
        "scenario=default_week",
        OUTAGE,
        "strategy=[outreach]",
        "strategy.outreach.via=call",
        "strategy.outreach.call_pool=voice_team",
    ),
    "default_week+chatbot,callbacks,outreach,context": (
        "scenario=default_week",
        OUTAGE,
        "strategy=[chatbot,callbacks,outreach,context]",
    ),
    "default_week+fifo": ("scenario=default_week", "centre.routing=fifo"),
    "small_centre": ("scenario=small_centre",),
    "default_day": ("scenario=default_day",),
    "erlang_b": ("scenario=erlang_b",),
    "erlang_c": ("scenario=erlang_c",),
    "erlang_a": ("scenario=erlang_a",),
}
RUN = ("run.seed=20261202", "run.replications=2", "run.n_jobs=1")
# Fingerprints of the code, not of the results: they change with any edit by design.
VOLATILE_KEYS = ("code_digest",)


def compose_case(overrides: tuple[str, ...]) -> Any:
    from ccsim.config.schema import register_configs

    register_configs()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_module(config_module="ccsim.conf", version_base="1.3"):
            return compose(config_name="config", overrides=[*overrides, *RUN])
    finally:
        GlobalHydra.instance().clear()


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _parquet_content(path: Path) -> bytes:
    """A Parquet file's schema (with its metadata) and values: the bytes also carry pyarrow's
    version (``created_by``), which is not a result."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return (str(table.schema) + repr(table.schema.metadata) + repr(table.to_pydict())).encode()


def file_digest(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".parquet":
        data = _parquet_content(path)
    elif path.suffix == ".html":
        # The page embeds the PNGs, whose bytes depend on matplotlib's version (hashed apart).
        data = re.sub(rb"data:image/png;base64,[A-Za-z0-9+/=]+", b"data:image/png", data)
    if path.name.endswith(".json"):
        # Same bytes as written, less the code fingerprint: json.dumps of the scrubbed object.
        data = json.dumps(_scrub(json.loads(data)), sort_keys=True).encode("utf-8")
    elif path.suffix == ".md":
        data = b"\n".join(ln for ln in data.split(b"\n") if b"code_digest" not in ln)
    return hashlib.sha256(data).hexdigest()[:20]


def records_digest(records: Any) -> str:
    h = hashlib.sha256()
    for name in sorted(vars(records)):
        value = getattr(records, name)
        h.update(name.encode())
        data = value.tobytes() if isinstance(value, np.ndarray) else repr(value).encode()
        h.update(data)
    return h.hexdigest()[:20]


def case_hashes(name: str, out_dir: Path) -> dict[str, str]:
    """Run one case into ``out_dir``; the hash of each output file and of each replication's
    contact records."""
    from ccsim.engine.arrivals import sample_customers
    from ccsim.engine.rng import RandomStreams
    from ccsim.engine.simulation import simulate
    from ccsim.runs.job import run_job, validate_config

    cfg = compose_case(CASES[name])
    run_job(cfg, out_dir, resume=False)
    out = {
        f"file:{p.relative_to(out_dir).as_posix()}": file_digest(p)
        for p in sorted(out_dir.rglob("*"))
        if p.is_file()
    }
    job = validate_config(cfg)
    for r in range(job.settings.replications):
        streams = RandomStreams(job.settings.seed, r)
        records = simulate(job.centre, sample_customers(job.centre, streams), streams)
        out[f"records:{r}"] = records_digest(records)
    return out


def main() -> None:
    import tempfile

    import matplotlib

    result: dict[str, Any] = {"matplotlib": matplotlib.__version__, "cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in CASES:
            result["cases"][name] = case_hashes(name, Path(tmp) / name)
            print(name, file=sys.stderr)
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
