"""No mixed units in a comparison (issue 25): live channels' waits in seconds, async backlogs'
in hours, no whole-centre ASA across the two; results without the channels' modes as before."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest
from test_compare import write_job

from ccsim.analysis.effects import paired_effect
from ccsim.sweeps.collect import collect
from ccsim.sweeps.compare import compare
from ccsim.sweeps.units import MIXED_ASA_NOTE


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Two real runs of small_centre (voice and chat live, email async) on one seed: the
    baseline and one with two more agents in every pool."""
    from ccsim.runs.job import run_job
    from ccsim.runs.presets import compose_config

    root = tmp_path_factory.mktemp("mixed")
    for name, strategies in (("base", []), ("staffing", ["staffing"])):
        cfg = compose_config(
            "small_centre",
            [
                f"strategy=[{','.join(strategies)}]",
                "run.replications=3",
                "run.n_jobs=1",
                "run.plots=false",
                "run.seed=7",
            ],
        )
        run_job(cfg, root / name)
    return root, compare(root)


def _section(md: str, title: str) -> str:
    """The text of a ``##``/``###`` section of comparison.md, up to the next heading."""
    m = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#)", md, flags=re.S | re.M)
    assert m, title
    return m.group(1)


def _header(section: str) -> list[str]:
    line = next(ln for ln in section.splitlines() if ln.startswith("| variant"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_a_mixed_centre_has_no_centre_asa_and_each_channel_its_own_unit(mixed):
    root, rep = mixed
    md = (rep.out_dir / "comparison.md").read_text()
    centre = _section(md, "Paired effects (strategy minus baseline, whole centre)")
    assert MIXED_ASA_NOTE in centre
    assert not [c for c in _header(centre) if c.startswith("asa")]
    live = _section(md, "Live channels (waits in seconds)")
    backlog = _section(md, "Async channels (backlogs: waits in hours)")
    assert _header(live) == [
        "variant",
        "channel",
        "sl_answered_within_t (pp)",
        "asa_s (s)",
        "abandon_rate (pp)",
    ]
    assert _header(backlog) == [
        "variant",
        "channel",
        "sl_answered_within_t (pp)",
        "asa_h (h)",
        "late_async (contacts)",
    ]
    assert "| staffing | voice |" in live and "| staffing | chat |" in live
    assert "| staffing | email |" in backlog and "email" not in live
    # The email cell is its effect in seconds over 3600, as the runs recorded it.
    job, base = (next(j for j in collect(root).jobs if j.name == n) for n in ("staffing", "base"))
    e_s = paired_effect(
        job.replication_values("asa_s", "email"), base.replication_values("asa_s", "email")
    )
    e_h = paired_effect(
        job.replication_values("asa_h", "email"), base.replication_values("asa_h", "email")
    )
    assert e_h.mean == pytest.approx(e_s.mean / 3600) and e_h.mean != 0
    row = next(ln for ln in backlog.splitlines() if ln.startswith("| staffing | email |"))
    assert f"{e_h.mean:,.2f} [" in row.split("|")[4]
    # The HTML page says the same; the figures draw no centre ASA panel.
    html = (rep.out_dir / "comparison.html").read_text()
    assert MIXED_ASA_NOTE in html and "Δ ASA (h)" in html and "Δ ASA (s)" in html
    assert html.count("<h4>") == 2
    # effects.csv keeps every metric of summary.json (its asa_s row is the runs' own total).
    metrics = {r["metric"] for r in csv.DictReader((rep.out_dir / "effects.csv").open())}
    assert "asa_s" in metrics and "asa_h" not in metrics


def _patch_modes(folder: Path, modes: dict[str, str] | None) -> None:
    path = folder / "summary.json"
    s = json.loads(path.read_text())
    if modes is not None:
        s["centre"] = {"channels": [{"name": k, "mode": v} for k, v in modes.items()]}
    path.write_text(json.dumps(s))


def _two_jobs(root: Path, modes: dict[str, str] | None) -> None:
    rng = np.random.default_rng(3)
    base = rng.uniform(3600, 7200, 5)
    metrics = ("demand_delta_h", "positive_demand_delta_h", "unmet_contacts")
    metrics += ("sl_answered_within_t", "asa_s", "abandon_rate", "occupancy", "late_async")
    for name, shift, strategies in (("b", 0.0, []), ("s", -1800.0, ["chatbot"])):
        values = {m: list(base + shift) for m in metrics}
        _patch_modes(write_job(root / name, values, strategies=strategies), modes)


def test_an_all_async_centre_shows_its_asa_in_hours(tmp_path):
    _two_jobs(tmp_path, {"voice": "async"})  # write_job's one channel, made a backlog
    rep = compare(tmp_path)
    md = (rep.out_dir / "comparison.md").read_text()
    centre = _section(md, "Paired effects (strategy minus baseline, whole centre)")
    assert "asa_h (h)" in _header(centre) and "asa_s (s)" not in _header(centre)
    assert MIXED_ASA_NOTE not in md
    assert "| chatbot | s | " in centre and "| -0.50 [" in centre  # -1800 s: half an hour
    channel = _section(md, "Paired effects per channel")
    assert _header(channel)[2:] == [
        "sl_answered_within_t (pp)",
        "asa_h (h)",
        "late_async (contacts)",
    ]
    assert "###" not in channel


@pytest.mark.parametrize("modes", [None, {"voice": "sync"}])
def test_live_only_and_older_results_keep_asa_in_seconds(tmp_path, modes):
    _two_jobs(tmp_path, modes)
    md = (compare(tmp_path).out_dir / "comparison.md").read_text()
    centre = _section(md, "Paired effects (strategy minus baseline, whole centre)")
    assert "asa_s (s)" in _header(centre) and "| -1,800.00 [" in centre
    channel = _section(md, "Paired effects per channel")
    expected = ["sl_answered_within_t (pp)", "asa_s (s)", "abandon_rate (pp)"]
    if modes is None:  # no modes recorded: every channel metric, as before
        expected.append("late_async (contacts)")
    assert _header(channel)[2:] == expected


@pytest.mark.parametrize(
    ("centre", "message"),
    [
        ([], "centre is an array, not an object"),
        ({"channels": {}}, "centre.channels is an object, not an array"),
        ({"channels": [{"name": "voice", "mode": "live"}]}, "centre.channels[0].mode is a string"),
        ({"channels": [{"mode": "sync"}]}, "centre.channels[0].name is null, not a string"),
    ],
)
def test_malformed_channel_modes_fail_the_job_with_one_line(tmp_path, centre, message):
    _two_jobs(tmp_path, None)
    path = tmp_path / "s" / "summary.json"
    s = json.loads(path.read_text())
    s["centre"] = centre
    path.write_text(json.dumps(s))
    coll = collect(tmp_path)
    assert [f.name for f in coll.failed] == ["s"]
    assert message in coll.failed[0].error
