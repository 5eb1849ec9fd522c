"""The close (``at_close``): what happens to the queue at the end of the horizon.

``stop`` (the default) leaves waiting and in-service contacts counted as in the system;
``serve_out`` stops arrivals and lets the agents on the phone serve the queue out, waits past
the close counted; ``clear`` ends the contacts still waiting live as ``CLEARED``. The run is
the same up to the close whatever the rule, so each is checked against ``stop`` on one seed.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

import ccsim
from ccsim.analysis.contact_flags import ContactFlags
from ccsim.analysis.metrics import interval_metrics, total_metrics
from ccsim.config.recorded import without_quiet_defaults
from ccsim.config.scenario import scenario_from_config
from ccsim.engine.arrivals import sample_customers
from ccsim.engine.rng import RandomStreams
from ccsim.engine.simulation import simulate
from ccsim.model.centre import ASYNC
from ccsim.model.records import ContactRecords, Outcome
from ccsim.runs.job import config_digest, validate_config
from ccsim.runs.presets import compose_config
from conftest import mmc_config

MODES = ("stop", "serve_out", "clear")
# 75 erlangs offered to 50 agents for 2 h, patient customers: a long queue at the close.
OVERLOADED = mmc_config(900, 300, 50, patience_s=1800, horizon_h=2)
# small_centre closing at noon on day 2 (queues and agents both there), with callbacks made
# only at their deadline (after the close for the late ones) and a chatbot in front of chat.
CENTRE = [
    "centre.horizon_days=1.5",
    "strategy=[callbacks,chatbot]",
    "strategy.callbacks.threshold_s=30",
    "strategy.callbacks.min_idle_agents=1000",
    "strategy.callbacks.deadline_min=600",
    "strategy.chatbot.channels=[chat]",
    "strategy.chatbot.containment=0.3",
]
OUTCOME_KEYS = ("prevented", "contained", "bot_switched", "handled", "abandoned", "blocked")


def _single(mode: str, seed: int = 7):
    centre = scenario_from_config({**OVERLOADED, "at_close": mode}).to_centre()
    streams = RandomStreams(seed, 0)
    return centre, simulate(centre, sample_customers(centre, streams), streams)


def _centre(mode: str, seed: int = 1):
    centre = validate_config(
        compose_config("small_centre", [f"centre.at_close={mode}", *CENTRE])
    ).centre
    streams = RandomStreams(seed, 0)
    return centre, simulate(centre, sample_customers(centre, streams), streams)


def _count(rec: ContactRecords, outcome: Outcome) -> int:
    return int((rec.outcome == outcome).sum())


def _assert_conserved(centre, rec: ContactRecords) -> None:
    """Every arrival once: in one interval and one outcome, by interval and in total."""
    iv = interval_metrics(centre, rec, 0.0)
    tot = total_metrics(centre, rec, 0.0, iv)
    keys = [*OUTCOME_KEYS, "in_system_at_end"] + (["cleared"] if "cleared" in iv else [])
    np.testing.assert_array_equal(iv["offered"], sum(iv[k] for k in keys))
    assert tot["offered"] == len(rec) == sum(tot[k] for k in keys)
    f = ContactFlags(centre, rec)
    assert tot["unmet_contacts"] == (f.abandoned | f.blocked | f.cleared | f.waiting).sum()


def _same(a: ContactRecords, b: ContactRecords) -> bool:
    return all(
        np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True)
        for k in ("arrival_s", "answer_s", "end_s", "outcome", "patience_s", "queued_s")
    )


def test_single_queue_at_the_close():
    runs = {mode: _single(mode) for mode in MODES}
    stop, serve, clear = (runs[mode][1] for mode in MODES)
    horizon = runs["stop"][0].horizon_s
    waiting, in_service = _count(stop, Outcome.WAITING), _count(stop, Outcome.IN_SERVICE)
    assert waiting > 100 and in_service == 50  # measured: 134 waiting, every agent busy
    for centre, rec in runs.values():
        _assert_conserved(centre, rec)
        assert len(rec) == len(stop)  # no arrival past the close
    # clear: the queue at the close, ended at the close; nothing else differs from stop.
    cleared = clear.outcome == Outcome.CLEARED
    assert cleared.sum() == waiting and np.array_equal(cleared, stop.outcome == Outcome.WAITING)
    assert np.all(clear.end_s[cleared] == horizon)
    np.testing.assert_allclose(clear.wait_s[cleared], horizon - clear.queued_s[cleared])
    assert _count(clear, Outcome.IN_SERVICE) == in_service
    same = ~cleared
    assert np.array_equal(clear.outcome[same], stop.outcome[same])
    assert np.array_equal(clear.answer_s, stop.answer_s, equal_nan=True)
    # serve_out: the queue empty, no contact unresolved; the run before the close unchanged.
    assert _count(serve, Outcome.WAITING) == _count(serve, Outcome.IN_SERVICE) == 0
    assert _count(serve, Outcome.HANDLED) + _count(serve, Outcome.ABANDONED) == len(serve)
    decided = (stop.outcome == Outcome.HANDLED) | (stop.outcome == Outcome.ABANDONED)
    assert np.array_equal(serve.outcome[decided], stop.outcome[decided])
    assert np.array_equal(serve.end_s[decided], stop.end_s[decided])
    # ... and the waits past the close are counted: until answer or abandonment.
    late = stop.outcome == Outcome.WAITING
    assert np.all(serve.wait_s[late] > horizon - serve.queued_s[late])
    answered_late = late & (serve.outcome == Outcome.HANDLED)
    abandoned_late = late & (serve.outcome == Outcome.ABANDONED)
    assert answered_late.sum() > 0 and abandoned_late.sum() > 0  # 111 and 23: patience runs
    np.testing.assert_allclose(
        serve.wait_s[abandoned_late], serve.patience_s[abandoned_late], rtol=1e-9
    )
    assert np.all(serve.end_s[stop.outcome == Outcome.IN_SERVICE] > horizon)


@pytest.mark.parametrize("mode", MODES)
def test_same_seed_same_records(mode):
    assert _same(_single(mode, 11)[1], _single(mode, 11)[1])
    assert _same(_centre(mode, 2)[1], _centre(mode, 2)[1])


def test_centre_at_the_close_with_callbacks_and_a_chatbot():
    runs = {mode: _centre(mode) for mode in MODES}
    stop, serve, clear = (runs[mode][1] for mode in MODES)
    centre = runs["stop"][0]
    for c, rec in runs.values():
        _assert_conserved(c, rec)
    is_async = np.array([ch.mode == ASYNC for ch in centre.channels])[stop.channel]
    waiting = stop.outcome == Outcome.WAITING
    callbacks = waiting & (stop.callback == 1)
    assert callbacks.sum() > 100 and (waiting & is_async).sum() > 0  # measured: 245 and 202
    assert _count(stop, Outcome.IN_BOT) > 0
    # serve_out: callbacks promised for after the close are made, bot sessions end, the email
    # backlog is worked: nothing is left in the system.
    in_system = np.isin(serve.outcome, [Outcome.WAITING, Outcome.IN_SERVICE, Outcome.IN_BOT])
    assert not in_system.any()
    assert np.all(serve.outcome[callbacks] == Outcome.HANDLED)
    # clear: the live queue (callback requests included) is cleared, the backlog is carried.
    cleared = clear.outcome == Outcome.CLEARED
    assert np.array_equal(cleared, waiting & ~is_async)
    assert np.array_equal(clear.outcome == Outcome.WAITING, waiting & is_async)


def test_outputs_count_the_cleared_once(tmp_path):
    cfg = {"scenario": {**OVERLOADED, "at_close": "clear"}, "run": {"replications": 2}}
    result = ccsim.run_config(cfg, out_dir=tmp_path)
    tot = {k: e.mean for k, e in result.estimates.items()}
    assert tot["cleared"] > 100
    parts = ("handled", "abandoned", "blocked", "in_system_at_end", "cleared")
    assert tot["offered"] == sum(tot[k] for k in parts)
    assert tot["unmet_contacts"] == tot["abandoned"] + tot["blocked"] + tot["cleared"]
    with open(tmp_path / "intervals.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(float(r["cleared"]) for r in rows) == tot["cleared"]
    for r in rows:
        assert float(r["offered"]) == sum(float(r[k]) for k in parts)
    with open(tmp_path / "replications.csv", newline="") as f:
        metrics = {r["metric"] for r in csv.DictReader(f)}
    assert "cleared" in metrics
    report = (tmp_path / "report.md").read_text()
    assert "| cleared at the close (still waiting live) |" in report
    assert "abandoned + blocked + cleared + still waiting" in report
    assert "contacts still waiting live are cleared" in report
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["config"]["scenario"]["at_close"] == "clear"


def test_serve_out_leaves_nothing_in_the_system(tmp_path):
    cfg = {"scenario": {**OVERLOADED, "at_close": "serve_out"}, "run": {"replications": 2}}
    result = ccsim.run_config(cfg, out_dir=tmp_path)
    assert result.estimates["in_system_at_end"].mean == 0
    assert "cleared" not in result.estimates
    with open(tmp_path / "intervals.csv", newline="") as f:
        assert "cleared" not in next(csv.reader(f))


def test_the_default_is_recorded_as_before():
    """``stop`` is the default and leaves the recorded config (and its digest) as it was before
    the key existed; any other value is recorded."""
    raw = compose_config("erlang_c")
    assert raw["scenario"]["at_close"] == "stop"
    recorded = without_quiet_defaults(raw)
    assert "at_close" not in recorded["scenario"] and "at_close" in raw["scenario"]
    assert config_digest(raw) == config_digest(recorded)
    cleared = compose_config("erlang_c", ["scenario.at_close=clear"])
    assert without_quiet_defaults(cleared)["scenario"]["at_close"] == "clear"
    assert config_digest(cleared) != config_digest(raw)
    centre = without_quiet_defaults(compose_config("small_centre"))["centre"]
    assert "at_close" not in centre and "retry_patience" not in centre["behaviour"]
