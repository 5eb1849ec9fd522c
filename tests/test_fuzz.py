"""Fuzz (issue 26): any command line ends in a valid run that conserves contacts, or in one line
on stderr with exit status 2, never in a traceback.

Hypothesis draws a preset, then one to four entries of a table of keys (every scenario.*,
centre.*, run.*, costs.* and strategy key of note), each with a value that mixes valid values,
edges (0, 1, negative, huge, NaN, inf, strings, lists, null, Hydra syntax errors) and switches
(distributions with the parameters they read, arrival processes, modes, at_close, routers,
strategies, new and deleted channels, intents and pools). The file tests draw a forecast and a
roster, CSV or Excel, with random damage: a missing, renamed or repeated column, a bad cell, NaN,
a duplicate row, a timestamp off the grid, before the start or after the horizon, short and long
rows, an empty file, a BOM, CRLF or CR, the wrong delimiter, Latin-1 bytes, a workbook that is
not one, data on the second sheet, title rows above the header. Every example is kept small
(one day or two hours, one or two replications, no plots: keys the example sets like any other),
so each runs in well under a second.

Each example goes the command's way in this process: :func:`ccsim.cli.precheck` (compose and
validate, exit 2 with one line), then the job as the command runs it (:func:`ccsim.run_config`
with ``out_dir``: validate, run, write the outputs); warnings count as stderr. A run must
conserve contacts in every replication, channel and interval (docs/outputs.md, Definitions), its
counts be whole and non-negative, its shares in [0, 1] (NaN only with nothing to divide by), its
summary.json plain JSON. A few examples run the real ``ccsim`` in a subprocess, end to end.

By default 180 command lines, 50 file cases and 5 commands (about a minute on 2 cores);
``pytest -m slow tests/test_fuzz.py``: 2,000, 1,000 and 40 (about 12 minutes). Derandomized:
the same examples every run.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings

from ccsim.analysis.results import RunResult
from ccsim.cli import precheck
from ccsim.errors import ConfigError, InputFileError
from ccsim.runs.presets import run_config

# -- settings --------------------------------------------------------------------------------

FAST = dict(
    database=None,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EXAMPLE_TIMEOUT_S = 60  # a valid example runs in well under a second; a hang is a failure

# -- value pools ------------------------------------------------------------------------------

NUMBER_EDGES = ["0", "1", "-1", "0.5", "1e308", "-1e308", "nan", "inf", "-inf", "1e9"]
WRONG_TYPES = ["abc", "[1,2]", "null", "{a: 1}", "''", "true", "[]"]
SYNTAX = ["[", "'", "${oops}", "${run.seed}", "a=b", "{", "]"]
EDGES = NUMBER_EDGES + WRONG_TYPES + SYNTAX

DISTS = [
    "exponential",
    "lognormal",
    "gamma",
    "deterministic",
    "empirical",
    "uniform",
    "hyperexponential",
    "none",
    "weibull",
    "null",
    "1",
]
PROCESSES = ["poisson", "deterministic", "erlang", "hyperexponential", "gamma", "null", "1"]
AT_CLOSE = ["stop", "serve_out", "clear", "close", "null", "1"]


def ones(n: int, v: float = 1.0) -> str:
    return "[" + ",".join(str(v) for _ in range(n)) + "]"


Entry = tuple[str, list[Any]]  # key, alternatives: a value or a tuple of whole overrides


def switched(key: str, switch: str, params: dict[str, Sequence[str]]) -> list[tuple[str, ...]]:
    """Overrides that set ``key``'s switch and one or all of the parameters it reads (the
    first values of each parameter first)."""
    out: list[tuple[str, ...]] = []
    width = max(len(v) for v in params.values())
    for i in range(width):
        both = tuple(f"{key}.{k}={v[i % len(v)]}" for k, v in params.items())
        out.append((switch, *both))
        out += [(switch, one) for one in both]
    return out


def duration(key: str, valid: Sequence[str]) -> list[Entry]:
    """A duration mapping's keys: the switch, the switch with the parameters it reads, and
    parameters alone (set but unused when the dist does not read them)."""
    d = f"{key}.dist="
    mean = [*valid, "31622400", "31622401", *NUMBER_EDGES, *WRONG_TYPES[:3]]
    cv = ["0.5", "2", "1", "100", "101", "1e-9", "0", *NUMBER_EDGES, *WRONG_TYPES[:3]]
    return [
        (f"{key}.dist", DISTS),
        (f"{key}.mean_s", mean + SYNTAX),
        (
            f"{key}:cv",
            switched(key, d + "lognormal", {"mean_s": valid, "cv": cv})
            + switched(key, d + "gamma", {"cv": cv}),
        ),
        (
            f"{key}:empirical",
            switched(
                key,
                d + "empirical",
                {
                    "values_s": ["[60,120]", "[30]", "[0,60]", "[0]", "[-1,5]", "[nan]", "[]", "5"],
                    "weights": ["[1,1]", "[0.2,0.8]", "[0,0]", "[1]", "[-1,2]", "[1e13,1]", "null"],
                },
            ),
        ),
        (
            f"{key}:uniform",
            switched(
                key,
                d + "uniform",
                {
                    "low_s": ["0", "10", "30", "-1", "1e308", "300", "nan"],
                    "high_s": ["60", "300", "31622400", "0", "-1", "31622401", "inf"],
                },
            ),
        ),
        (
            f"{key}:hyperexponential",
            switched(
                key,
                d + "hyperexponential",
                {
                    "probabilities": [
                        "[0.5,0.5]",
                        "[0.3,0.7]",
                        "[1,0]",
                        "[0.5]",
                        "[0.6,0.6]",
                        "[nan,0.5]",
                    ],
                    "means_s": ["[60,600]", "[1,3600]", "[0,1]", "[1]", "[-1,5]", "[1e308,1]"],
                },
            )
            + switched(key, d + "hyperexponential", {"mean_s": valid, "cv": cv}),
        ),
        (
            f"{key}:unused",
            [
                (f"{key}.{k}={v}",)
                for k, v in [
                    ("cv", "0.5"),
                    ("values_s", "[60]"),
                    ("weights", "[1]"),
                    ("low_s", "0"),
                    ("high_s", "60"),
                    ("probabilities", "[0.5,0.5]"),
                    ("means_s", "[1,2]"),
                ]
            ]
            + [(f"{key}.cv={v}",) for v in EDGES],
        ),
        (
            key,
            [
                "{dist: exponential, mean_s: 120}",
                "{dist: none}",
                "{dist: uniform, low_s: 0, high_s: 240}",
                "{dist: hyperexponential, probabilities: [0.9, 0.1], means_s: [60, 900]}",
                "{dist: empirical, values_s: [60, 300], weights: [3, 1]}",
                "{dist: gamma, mean_s: 200}",
                "{dist: none, mean_s: 60}",
                "5",
                "[1]",
            ],
        ),
    ]


def arrivals(key: str) -> list[Entry]:
    p = f"{key}.process="
    return [
        (f"{key}.process", PROCESSES),
        (
            f"{key}:erlang",
            switched(key, p + "erlang", {"k": ["1", "4", "1000", "0", "1001", "2.5", *EDGES]}),
        ),
        (
            f"{key}:hyperexponential",
            switched(
                key, p + "hyperexponential", {"cv": ["1.5", "3", "100", "1", "0.5", "101", *EDGES]}
            ),
        ),
        (f"{key}:unused", [(f"{key}.k=2",), (f"{key}.cv=2",), (p + "deterministic", f"{key}.k=2")]),
        (
            key,
            [
                "{process: erlang, k: 3}",
                "{process: hyperexponential, cv: 2}",
                "{process: deterministic}",
                "{process: poisson, k: 2}",
            ],
        ),
    ]


UNKNOWN_KEYS = [
    ("run.bogus=1",),
    ("bogus=1",),
    ("+bogus=1",),
    ("+run.bogus=1",),
    ("++run.bogus=1",),
    ("~run.seed",),
    ("run=5",),
    ("hydra.run.dir=x",),
]

RUN: list[Entry] = [
    ("run.seed", ["0", "1", "99", "9223372036854775807", "9223372036854775808", "1.5", *EDGES]),
    ("run.replications", ["1", "2", "0", "10001", "1.5", *EDGES]),
    ("run.n_jobs", ["1", "0", "-2", "1025", "1.5", *EDGES]),
    ("run.warmup_min", ["0", "30", "60", "59.5", "1e9", *EDGES]),
    ("run.heat_map", ["true", "false", *EDGES]),
    ("run.occupancy_ceiling", ["0.9", "1", "0.01", "1.1", *EDGES]),
    ("run.plots", ["false", "abc", "[]", "nan"]),
    ("mode", ["bogus", "null", "1", "[run]"]),
    ("costs.agent_hour.agents", ["0", "25", "1e9", "1e10", *EDGES]),
    ("costs.agent_hour.voice_team", ["30", "-1", "nan"]),
    ("costs.abandon_penalty", ["0", "5", "-1", "1e10", *EDGES]),
    ("costs.overtime_premium", ["0", "0.5", "100", "101", *EDGES]),
    ("unknown", UNKNOWN_KEYS),
]

SINGLE: list[Entry] = [
    ("scenario.horizon_h", ["1", "2", "0.5", "1.5", "4", "8784", *EDGES]),
    ("scenario.interval_min", ["15", "30", "60", "5", "45", "7", "1440", "1441", "2.5", *EDGES]),
    ("scenario.clock_start_h", ["0", "8", "23.5", "24", *EDGES]),
    ("scenario.arrival_rate_per_h", ["0", "1", "50", "120", "400", *EDGES]),
    (
        "scenario.arrival_profile_per_h",
        ["[10,20]", "[0,0]", "[0,100]", "[5]", "[1,2,3]", "[-1,5]", "[nan,1]", "[1e308,1]"] + EDGES,
    ),
    *arrivals("scenario.arrivals"),
    ("scenario.agents", ["0", "1", "5", "30", "100000", "100001", "2.5", *EDGES]),
    (
        "scenario.agents_per_interval",
        ["[1,2]", "[0,0]", "[5]", "[3,3,3,3]", "[-1,3]", "[1.5,2]", *EDGES],
    ),
    ("scenario.shrinkage", ["0", "0.3", "0.99", "1", "-0.1", *EDGES]),
    *duration("scenario.handle_time", ["1", "60", "240"]),
    *duration("scenario.patience", ["1", "60", "180"]),
    ("scenario.waiting_room", ["null", "0", "1", "10", "2147483647", "2147483648", *EDGES]),
    ("scenario.target_answer_s", ["0", "20", "3600", "31622401", *EDGES]),
    ("scenario.target_service_level", ["0.8", "0.5", "0", "1", *EDGES]),
    ("scenario.at_close", AT_CLOSE),
    ("scenario.channel", ["chat", "''", "1", "null", "[a]"]),
    ("scenario.name", ["x", "''", "null"]),
    (
        "scenario:keys",
        [
            ("scenario.agentz=30",),
            ("+scenario.foo=1",),
            ("~scenario.agents",),
            ("~scenario.handle_time",),
            ("~scenario.arrival_rate_per_h", "scenario.arrival_profile_per_h=[10,20]"),
            ("scenario.agents=null", "scenario.agents_per_interval=[2,3]"),
        ],
    ),
    ("scenario", ["erlang_c", "erlang_b", "bogus", "small_centre", "null"]),
    ("strategy", ["[chatbot]", "[]", "[bogus]"]),
    ("centre.horizon_days", ["1"]),
    *RUN,
]

CENTRE_START = [
    "'2026-01-05 00:00'",
    "'2026-01-05 08:00'",
    "'2026-01-05T00:00'",
    "'2026-01-05 00:00:00'",
    "'2026-01-05 08:15'",
    "'2026-01-05 08:00:30'",
    "'2026-13-01 00:00'",
    "'2026-02-30 00:00'",
    "'2026-01-05'",
    "'2026-01-05 00:00+01:00'",
    "'05/01/2026 00:00'",
    "0",
    *WRONG_TYPES,
]
EVENT = "{name: surge, start: '2026-01-05 10:00', duration_h: 2, magnitude: 0.5, decay_h: 1}"
EVENTS = [
    f"[{EVENT}]",
    "[{name: outage, start: '2026-01-05 09:00', duration_h: 1, magnitude: -1}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 1, magnitude: -2}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 1, magnitude: 1001}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 0}]",
    "[{name: e, start: '2025-01-05 09:00', duration_h: 1, magnitude: 1}]",
    "[{name: e, start: '2027-01-05 09:00', duration_h: 1, magnitude: 1}]",
    "[{name: e, start: bogus, duration_h: 1}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 1, channels: [voice]}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 1, channels: [bogus]}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 1, intents: [billing]}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 1, decay_h: nan}]",
    "[{name: e, start: '2026-01-05 09:00', duration_h: 1, bogus: 1}]",
    f"[{EVENT},{EVENT}]",
    "[1]",
    "[]",
    *EDGES,
]
SHIFTS = [
    "[]",
    "[{start: '08:00', length_h: 8, count: 5}]",
    "[{start: '08:00', length_h: 8, count: 5, breaks: ['12:00+30']}]",
    "[{start: '22:00', length_h: 8, count: 2, breaks: ['02:00+30']}]",
    "[{start: '00:00', length_h: 24, count: 1}]",
    "[{start: '25:00', length_h: 8}]",
    "[{start: 750, length_h: 8}]",
    "[{start: '08:00', length_h: 0}]",
    "[{start: '08:00', length_h: 25}]",
    "[{start: '08:00', length_h: nan}]",
    "[{start: '08:00', length_h: 8, count: 0}]",
    "[{start: '08:00', length_h: 8, count: 1.5}]",
    "[{start: '08:00', length_h: 8, breaks: ['12:00-30']}]",
    "[{start: '08:00', length_h: 8, breaks: ['07:00+30']}]",
    "[{start: '08:00', length_h: 8, breaks: ['12:00+30', '12:30+30']}]",
    "[{start: '08:00', length_h: 8, days: [7]}]",
    "[{start: '08:00', length_h: 8, days: []}]",
    "[{start: '08:00', length_h: 8, bogus: 1}]",
    "[1]",
    *EDGES,
]
CH = "centre.channels"
CENTRE: list[Entry] = [
    ("centre.start", CENTRE_START),
    ("centre.horizon_days", ["1", "0.5", "0.25", "0.3", "0", "367", *EDGES]),
    ("centre.interval_min", ["15", "30", "60", "45", "1440", "7", "1441", "2.5", *EDGES]),
    ("centre.at_close", AT_CLOSE),
    ("centre.day_volume_cv", ["0", "0.1", "1", "1.01", *EDGES]),
    (
        "centre.routing",
        [
            "fifo",
            "skills_priority",
            "bogus",
            "collections:OrderedDict",
            "no_such_module:Router",
            "ccsim.engine.routing:Router",
            "ccsim.engine.routing:nothing",
            *WRONG_TYPES,
        ],
    ),
    ("centre.events", EVENTS),
    (f"{CH}.voice.mode", ["sync", "async", "bogus", "null"]),
    (f"{CH}.chat.mode", ["async", "sync", "bogus"]),
    (f"{CH}.email.mode", ["sync", "async", "bogus"]),
    (f"{CH}.chat.concurrency", ["1", "2", "3", "4", "100", "101", "2.5", *EDGES]),
    (f"{CH}.voice.concurrency", ["2", "1", "0"]),
    (
        f"{CH}.chat.concurrency_factors",
        ["[1.0]", "[1,1.2]", "[1,1.2,1.4]", "[1,1,1,1]", "[0,1,1]", "[1,101,1]", *EDGES],
    ),
    (f"{CH}.chat.service", ["processor_sharing", "fixed", "bogus", "null"]),
    (f"{CH}.voice.service", ["processor_sharing", "fixed"]),
    *duration(f"{CH}.voice.handle_time", ["1", "60", "300"]),
    *duration(f"{CH}.voice.patience", ["1", "60", "150"]),
    (f"{CH}.chat.handle_time.dist", DISTS),
    (f"{CH}.email.handle_time.mean_s", ["60", "0", "31622400", *NUMBER_EDGES]),
    (f"{CH}.email.patience.dist", DISTS),
    (f"{CH}.email.patience.mean_s", ["60", "3600", "0", *NUMBER_EDGES]),
    (f"{CH}.voice.waiting_room", ["null", "0", "1", "5", "2147483648", *EDGES]),
    (f"{CH}.chat.waiting_room", ["0", "3"]),
    (f"{CH}.email.waiting_room", ["0", "3"]),
    (f"{CH}.voice.daily_volume", ["0", "10", "300", "1500", *EDGES]),
    (f"{CH}.email.daily_volume", ["0", "50", *NUMBER_EDGES]),
    (
        f"{CH}.voice.intraday_profile",
        [ones(24), ones(48), ones(24, 0.0), "[1]", ones(23), ones(96), "[-1]", *EDGES],
    ),
    (f"{CH}.chat.intraday_profile", [ones(24), ones(48, 0.0), "null", ones(49)]),
    (
        f"{CH}.email.day_of_week",
        [ones(7), ones(7, 0.0), ones(7, 100), ones(7, 101), "[1]", ones(8), *EDGES],
    ),
    (f"{CH}.voice.day_of_week", [ones(7), ones(7, 0.0), "[0,1,1,1,1,1,1]"]),
    *arrivals(f"{CH}.voice.arrivals"),
    (f"{CH}.email.arrivals.process", PROCESSES),
    (f"{CH}.voice.target_answer_s", ["0", "20", "31622400", "31622401", *EDGES]),
    (f"{CH}.email.target_response_h", ["0", "2", "24", "8784", "8785", *EDGES]),
    (f"{CH}.voice.target_response_h", ["2"]),
    (f"{CH}.email.target_answer_s", ["20"]),
    (f"{CH}.voice.target_service_level", ["0.8", "0", "1", *EDGES]),
    (f"{CH}.voice.priority", ["0", "5", "-1000000", "1000001", "2.5", *EDGES]),
    (
        "centre:channels",
        [
            (f"{CH}.voice.bogus=1",),
            (f"+{CH}.sms.mode=sync",),
            (f"+{CH}.sms.daily_volume=10",),
            (f"++{CH}.sms={{mode: sync, daily_volume: 10}}",),
            (
                f"++{CH}.sms={{mode: async, daily_volume: 10}}",
                "centre.pools.digital_team.skills.sms={billing: 1}",
            ),
            (f"~{CH}.email",),
            (f"~{CH}.voice",),
            (f"~{CH}.chat",),
        ],
    ),
    (CH, ["{}", "[]", "5"]),
    ("centre.intents.billing.share.voice", ["0", "0.5", "1", "1e12", "1e13", *EDGES]),
    ("centre.intents.billing.share", ["{}", "{voice: 1}", "{bogus: 1}", *WRONG_TYPES]),
    ("centre.intents.technical.fcr", ["0", "0.5", "1", "1.1", *EDGES]),
    ("centre.intents.billing.handle_factor", ["0", "0.5", "100", "101", *EDGES]),
    ("centre.intents.billing.priority", ["0", "3", "-1", "1000001", "2.5", *EDGES]),
    (
        "centre:intents",
        [
            ("~centre.intents.technical",),
            ("+centre.intents.other.share.voice=0.1",),
            ("++centre.intents.other={share: {voice: 0.1}}",),
            ("centre.intents={}",),
        ],
    ),
    ("centre.pools.voice_team.agents", ["0", "5", "100000", "100001", *EDGES]),
    ("centre.pools.voice_team.agents_per_interval", [ones(48, 3), "[2]", ones(47), *EDGES]),
    ("centre.pools.voice_team.shifts", SHIFTS),
    ("centre.pools.digital_team.shifts", SHIFTS[:6]),
    ("centre.pools.voice_team.shrinkage", ["0", "0.3", "0.99", "1", *EDGES]),
    ("centre.pools.voice_team.skills.voice.billing", ["1", "0.5", "0", "101", *EDGES]),
    ("centre.pools.voice_team.skills", ["{}", "{email: {billing: 1}}", "{bogus: {billing: 1}}"]),
    ("centre.pools.voice_team.secondary", ["{}", "{email: {billing: 1.2}}"]),
    ("centre.pools.voice_team.deferred", ["{email: {billing: 1.0}}", "{voice: {billing: 1.0}}"]),
    ("centre.pools.voice_team.deferred_min_idle", ["0", "2", "-1", "100001"]),
    ("centre.pools.digital_team.skills.email", ["{}", "{billing: 1}"]),
    (
        "centre:pools",
        [
            ("~centre.pools.digital_team",),
            ("~centre.pools.voice_team",),
            ("+centre.pools.extra.agents=3",),
            ("++centre.pools.extra={skills: {voice: {billing: 1}}, agents: 3}",),
            ("centre.pools={}",),
        ],
    ),
    ("centre.behaviour.retry_prob.voice", ["0", "0.4", "1", "1.1", *EDGES]),
    ("centre.behaviour.retry_prob.email", ["0.5", "0"]),
    *duration("centre.behaviour.retry_delay", ["1", "60", "600"])[:3],
    *duration("centre.behaviour.repeat_delay", ["60", "3600", "43200"])[:4],
    ("centre.behaviour.retry_switch.voice.chat", ["0.3", "1", "0", "-1", *NUMBER_EDGES]),
    ("centre.behaviour.retry_switch", ["{}", "{voice: {email: 1}}", "{voice: {bogus: 1}}"]),
    ("centre.behaviour.repeat_switch.email.voice", ["0.4", "0", "1e13", *NUMBER_EDGES]),
    ("centre.behaviour.chaser_channel", ["voice", "chat", "email", "bogus", "null", "1"]),
    ("centre.behaviour.overflow_s", ["0", "90", "31622401", *EDGES]),
    ("centre.behaviour.retry_patience", ["redraw", "original", "bogus", "null"]),
    ("centre.forecast_csv", ["no_such_file.csv", "''", "no_such.xlsx", "/", "null"]),
    ("centre.roster_csv", ["no_such_file.csv", "''", "/"]),
    ("centre.forecast_sheet", ["2", "Sheet"]),
    ("centre.roster_header_row", ["2"]),
    (
        "centre:keys",
        [
            ("centre.bogus=1",),
            ("centre.chanels.voice.mode=sync",),
            ("scenario.agents=5",),
            ("scenario=default_day",),
            ("scenario=erlang_a",),
            ("scenario=bogus",),
        ],
    ),
    (
        "strategy",
        [
            ("strategy=[chatbot]", "strategy.chatbot.channels=[chat]"),
            (
                "strategy=[chatbot]",
                "strategy.chatbot.channels=[chat]",
                "strategy.chatbot.capacity=1",
            ),
            (
                "strategy=[chatbot]",
                "strategy.chatbot.channels=[chat]",
                "strategy.chatbot.containment=1",
            ),
            (
                "strategy=[chatbot]",
                "strategy.chatbot.channels=[chat]",
                "strategy.chatbot.context_share=1",
            ),
            (
                "strategy=[chatbot]",
                "strategy.chatbot.channels=[chat]",
                "strategy.chatbot.capacity=0",
            ),
            ("strategy=[chatbot]",),
            ("strategy=[callbacks]",),
            ("strategy=[callbacks]", "strategy.callbacks.threshold_s=0"),
            ("strategy=[callbacks]", "strategy.callbacks.acceptance=1"),
            ("strategy=[callbacks]", "strategy.callbacks.acceptance=1.5"),
            ("strategy=[callbacks]", "strategy.callbacks.deadline_min=0"),
            ("strategy=[callbacks]", "strategy.callbacks.channels=[email]"),
            ("strategy=[context]",),
            ("strategy=[context]", "strategy.context.share=1", "strategy.context.repeat_factor=0"),
            ("strategy=[fcr]",),
            ("strategy=[fcr]", "strategy.fcr.improvement.billing=1"),
            ("strategy=[fcr]", "strategy.fcr.improvement.billing=-1"),
            ("strategy=[staffing]",),
            ("strategy=[staffing]", "strategy.staffing.add_agents.voice_team=-100"),
            ("strategy=[cross_training]",),
            ("strategy=[workload_shifting]",),
            ("strategy=[workload_shifting]", "strategy.workload_shifting.pools=[voice_team]"),
            (
                "strategy=[workload_shifting]",
                "strategy.workload_shifting.pools=[voice_team]",
                "strategy.workload_shifting.min_idle_agents=0",
            ),
            ("strategy=[outreach]",),
            (
                "strategy=[outreach]",
                f"centre.events=[{EVENT}]",
                "strategy.outreach.event=surge",
                "strategy.outreach.reply_channel=chat",
            ),
            (
                "strategy=[outreach]",
                f"centre.events=[{EVENT}]",
                "strategy.outreach.event=surge",
                "strategy.outreach.replies_per_notified=0",
                "strategy.outreach.via=call",
                "strategy.outreach.call_pool=voice_team",
            ),
            ("strategy=[bogus]",),
            ("strategy=[chatbot,callbacks,context,fcr,staffing]",),
            ("strategy.callbacks.acceptance=0.5",),
            ("strategy=[callbacks]", "strategy.callbacks.bogus=1"),
        ],
    ),
    *RUN,
]

PRESETS = ["erlang_b", "erlang_c", "erlang_a", "default_day", "small_centre", "default_week"]
# Keep every example small: these are set first (the drawn overrides come after and win).
FORCED = {
    "erlang_b": {"scenario.horizon_h": "2", "run.warmup_min": "0"},
    "erlang_c": {"scenario.horizon_h": "2", "run.warmup_min": "0"},
    "erlang_a": {"scenario.horizon_h": "2", "run.warmup_min": "0"},
    "default_day": {},  # 12 h of about 220 calls an hour: its profile has one rate per 30 min
    "small_centre": {"centre.horizon_days": "1"},
    "default_week": {"centre.horizon_days": "1"},
}
RUN_FORCED = {"run.n_jobs": "1", "run.plots": "false"}


def forced(preset: str, replications: int) -> list[str]:
    pairs = {**FORCED[preset], **RUN_FORCED, "run.replications": str(replications)}
    return [f"{k}={v}" for k, v in pairs.items()]


def render(key: str, alternative: Any) -> list[str]:
    if isinstance(alternative, tuple):
        return list(alternative)
    if key.startswith("~") and alternative == "":
        return [key]
    return [f"{key}={alternative}"]


@st.composite
def override_lines(draw: Any, table: list[Entry], max_size: int = 4) -> list[str]:
    """One to ``max_size`` entries of ``table`` (distinct keys), each with a value: mostly
    one of its first three (mostly valid, so that a good share of the examples run), else any.
    Plain integers are drawn (not unique lists or unions: those make Hypothesis discard
    many draws)."""
    n = draw(st.integers(1, max_size))
    picked = {}
    for _ in range(n):
        key, alternatives = table[draw(st.integers(0, len(table) - 1))]
        early = draw(st.integers(0, 2)) < 2
        pool = alternatives[:3] if early else alternatives
        picked.setdefault(key, pool[draw(st.integers(0, len(pool) - 1))])
    return [line for key, value in picked.items() for line in render(key, value)]


@st.composite
def command_lines(draw: Any) -> tuple[str, list[str]]:
    """A preset and its command line's overrides (the size-keeping ones first)."""
    presets = PRESETS + ["small_centre", "erlang_a", "erlang_c"]  # default_week: 1 in 9
    preset = presets[draw(st.integers(0, len(presets) - 1))]
    table = CENTRE if preset in ("small_centre", "default_week") else SINGLE
    lines = draw(override_lines(table))
    return preset, forced(preset, draw(st.integers(1, 2))) + lines


# -- running an example as the command does ----------------------------------------------------


@dataclass
class Outcome:
    error: str | None = None  # stderr of a run that exits with status 2: one line
    late: bool = False  # the error came after the precheck, from the job itself
    result: RunResult | None = None
    out_dir: Path | None = None
    warnings: list[str] = field(default_factory=list)  # what a valid run printed on stderr


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"example ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def printed(caught: list[warnings.WarningMessage]) -> str:
    """The warnings as the command prints them on stderr (pytest records them instead)."""
    return "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line) for w in caught
    )


def run_like_cli(preset: str, overrides: list[str], out_dir: Path) -> Outcome:
    """``ccsim scenario=PRESET OVERRIDES...`` in this process: the precheck (exit 2 and one
    line on bad input), then the job: validate, run every replication, write the outputs.
    Warnings are part of stderr, as they are for the command."""
    err = io.StringIO()
    with time_limit(EXAMPLE_TIMEOUT_S), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stderr(err):
                precheck([f"scenario={preset}", *overrides])
        except SystemExit as exc:
            assert exc.code == 2, (exc.code, err.getvalue())
            return Outcome(error=printed(caught) + err.getvalue())
        assert err.getvalue() == "", err.getvalue()
        # What _hydra_main does with a config the precheck passed (run.plots is false: no
        # figures). A ConfigError/InputFileError there is still one line and exit 2.
        try:
            result = run_config(preset, overrides, out_dir=out_dir)
        except (ConfigError, InputFileError) as exc:
            return Outcome(error=printed(caught) + f"ccsim: error: {exc}\n", late=True)
    return Outcome(result=result, out_dir=out_dir, warnings=[printed([w]) for w in caught])


def check_error_line(line: str, overrides: Sequence[str], files: Sequence[Path] = ()) -> None:
    assert line.startswith("ccsim: error: "), line
    assert line.endswith("\n") and line.count("\n") == 1, repr(line)
    assert "Traceback" not in line, line
    text = line[len("ccsim: error: ") :]
    # It names a key the command line gave, a config key (a dotted name or KEY=...), or a file.
    keys = {ov.lstrip("+~").split("=", 1)[0] for ov in overrides}
    paths = [ov.split("=", 1)[1].strip("'") for ov in overrides if re.match(r"[\w.]+_csv=", ov)]
    names = [*keys, *paths, *(Path(v).name for v in paths), *(p.name for p in files)]
    key = re.search(r"\b(scenario|centre|run|strategy|costs|planning|mode)(\.\w|=|\[)", text)
    assert key or any(n and n in text for n in names), f"names no key or file: {line}"


COUNTS = (
    "offered",
    "new",
    "retries",
    "repeats",
    "chasers",
    "channel_switches",
    "prevented",
    "contained",
    "bot_switched",
    "to_agents",
    "callbacks",
    "answered",
    "handled",
    "abandoned",
    "blocked",
    "in_system_at_end",
)
FATES = (
    "prevented",
    "contained",
    "bot_switched",
    "handled",
    "abandoned",
    "blocked",
    "in_system_at_end",
)
SHARES = ("sl_answered_within_t", "sl_wait_le_t", "abandon_rate", "blocking_rate", "p_wait")
WAITS = ("asa_s", "mean_wait_s", "p90_wait_s")


def check_totals(t: dict[str, float], where: str) -> None:
    counts = [*COUNTS, *(["cleared"] if "cleared" in t else [])]
    for k in counts:
        v = t[k]
        assert math.isfinite(v) and v >= 0 and v == int(v), (where, k, v)
    fates = [*FATES, *(["cleared"] if "cleared" in t else [])]
    assert t["offered"] == sum(t[k] for k in fates), (where, {k: t[k] for k in counts})
    assert t["to_agents"] <= t["offered"] and t["answered"] <= t["to_agents"], (where, t)
    assert t["handled"] <= t["answered"], (where, t)
    live = t["to_agents"] - t["callbacks"]
    for k in SHARES:
        v = t[k]
        if math.isnan(v):
            # Nothing to divide by: no contact reached the agents live, or (service level)
            # every live one was still waiting short of the target at the end.
            assert live == 0 or (k.startswith("sl_") and t["in_system_at_end"] > 0), (where, k, t)
        else:
            assert 0 <= v <= 1, (where, k, v)
        if t["offered"] == 0:
            assert math.isnan(v), (where, k, v)
    for k in WAITS:
        assert math.isnan(t[k]) or 0 <= t[k] < math.inf, (where, k, t[k])
    occ = t["occupancy"]
    assert math.isnan(occ) or 0 <= occ < math.inf, (where, "occupancy", occ)


def check_run(outcome: Outcome) -> None:
    result = outcome.result
    assert result is not None
    # Numerical trouble the command would print on stderr (overflow, invalid values).
    assert not [w for w in outcome.warnings if "RuntimeWarning" in w], outcome.warnings
    c = result.centre
    assert 1 <= len(result.replications) == result.settings.replications
    for rep in result.replications:
        where = f"replication {rep.replication}"
        check_totals(rep.totals, where)
        assert len(rep.channel_totals) == len(c.channels)
        for ch, t in zip(c.channels, rep.channel_totals, strict=True):
            check_totals(t, f"{where}, channel {ch.name}")
        for k in (*COUNTS, *(["cleared"] if "cleared" in rep.totals else [])):
            assert rep.totals[k] == sum(t[k] for t in rep.channel_totals), (where, k)
        iv = rep.intervals
        fates = [*FATES, *(["cleared"] if "cleared" in iv else [])]
        offered = iv["offered"]
        assert np.all(offered >= 0) and np.all(np.isfinite(offered)), where
        assert np.array_equal(offered, sum(iv[k] for k in fates)), (where, "intervals")
        measured = iv["in_warmup"] == 0
        assert offered[measured].sum() == rep.totals["offered"], (where, "intervals vs totals")
        assert rep.totals["offered"] <= rep.n_contacts, where
    for name, e in result.estimates.items():
        assert not math.isinf(e.mean), (name, e.mean)
    summary = outcome.out_dir / "summary.json" if outcome.out_dir else None
    if summary is not None:

        def strict(constant: str) -> Any:
            raise AssertionError(f"summary.json holds {constant}: not JSON")

        data = json.loads(summary.read_text(), parse_constant=strict)
        assert data["totals"]["offered"]["mean"] == pytest.approx(
            np.mean([r.totals["offered"] for r in result.replications])
        )


def check_outcome(outcome: Outcome, overrides: Sequence[str], files: Sequence[Path] = ()) -> str:
    if outcome.error is not None:
        check_error_line(outcome.error, overrides, files)
        return "late error" if outcome.late else "error"
    check_run(outcome)
    return "run"


def fuzz_overrides(case: tuple[str, list[str]]) -> str:
    preset, overrides = case
    with tempfile.TemporaryDirectory(prefix="ccsim_fuzz_") as d:
        kind = check_outcome(run_like_cli(preset, overrides, Path(d) / "out"), overrides)
    return kind


# What the fuzzing found, kept as examples: the command line and how it must end.
FOUND = [
    # An empty channel name ran, then broke the Parquet outputs (config/scenario.py).
    (("default_day", ["scenario.channel=''"]), "error"),
    # The largest waiting room allowed stopped the Erlang reference (analysis/reference.py).
    (("erlang_b", [*forced("erlang_b", 1), "scenario.waiting_room=2147483647"]), "run"),
    (("erlang_a", [*forced("erlang_a", 1), "scenario.waiting_room=2147483647"]), "run"),
    # A rate of 1e308 printed numpy's overflow warning above the error line.
    (("erlang_b", [*forced("erlang_b", 1), "scenario.arrival_rate_per_h=1e308"]), "error"),
    (("small_centre", [f"{CH}.voice.daily_volume=1e308"]), "error"),  # 2 days: 2e308 contacts
    # Hydra's syntax errors named neither the override nor its key.
    (("erlang_c", [*forced("erlang_c", 1), "scenario.agents=["]), "error"),
    (("small_centre", [*forced("small_centre", 1), "centre.behaviour.overflow_s=a=b"]), "error"),
    # Handle times of up to a year need more agents than the staffing formulas search: the
    # demand delta's requirement stopped the run; now refused before it (config/empty.py).
    (
        ("small_centre", [*forced("small_centre", 1), f"{CH}.email.handle_time.mean_s=31622400"]),
        "error",
    ),
    (
        (
            "default_day",
            [
                *forced("default_day", 1),
                "scenario.handle_time.dist=uniform",
                "scenario.handle_time.low_s=30",
                "scenario.handle_time.high_s=31622400",
            ],
        ),
        "error",
    ),
]


@pytest.mark.parametrize(("case", "kind"), FOUND, ids=[" ".join(c[0][1][-1:]) for c in FOUND])
def test_found_by_fuzzing(case: tuple[str, list[str]], kind: str) -> None:
    assert fuzz_overrides(case) == kind


@settings(max_examples=180, **FAST)
@given(command_lines())
def test_fuzz_command_lines(case: tuple[str, list[str]]) -> None:
    event(fuzz_overrides(case))


@pytest.mark.slow
@settings(max_examples=2000, **FAST)
@given(command_lines())
def test_fuzz_command_lines_many(case: tuple[str, list[str]]) -> None:
    event(fuzz_overrides(case))


# -- forecast and roster files ----------------------------------------------------------------

START = datetime(2026, 1, 5)  # small_centre's start, a Monday
FORECAST_WFM = {
    "interval_start": "Interval",
    "channel": "Channel",
    "intent": "Skill",
    "volume": "Offered",
    "aht_s": "AHT",
}
ROSTER_WFM = {
    "pool": "Team",
    "start": "Shift Start",
    "length_h": "Hours",
    "count": "Agents",
    "breaks": "Breaks",
}


def stamp(t: datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M}"


def base_forecast(rng: np.random.Generator, intent: bool, aht: bool) -> list[list[Any]]:
    """A day of small_centre's forecast (08:00-20:00 live, email all day), a few hundred
    contacts: a header and rows of text cells."""
    header = ["interval_start", "channel", *(["intent"] if intent else []), "volume"]
    header += ["aht_s"] if aht else []
    rows = []
    for k in range(48):
        t = START + timedelta(minutes=30 * k)
        for ch in ("voice", "chat", "email"):
            if ch != "email" and not 16 <= k < 40:
                continue
            for it in ("billing", "technical") if intent else ("",):
                if rng.random() < 0.15:
                    continue  # gaps mean zero
                vol = str(rng.choice(["0", "1", "3", "6", "4.5"])) if ch != "voice" else "8"
                row = [stamp(t), ch, *([it] if intent else []), vol]
                row += [str(rng.choice(["", "300", "420.5"]))] if aht else []
                rows.append(row)
    return [header, *rows]


def base_roster(rng: np.random.Generator, optional: bool) -> list[list[Any]]:
    header = ["pool", "start", "length_h", *(["count", "breaks"] if optional else [])]
    shifts = [
        ("voice_team", "08:00", "8", "9", "12:00+30"),
        ("voice_team", "12:00", "8", "9", "15:30+30;17:00+15"),
        ("digital_team", "08:00", "12", "6", "12:30+30"),
        ("digital_team", "22:00", "8", "1", "02:00+30"),
    ]
    rows = []
    for pool, hhmm, length, count, breaks in shifts:
        h, m = map(int, hhmm.split(":"))
        t = START + timedelta(hours=h, minutes=m)
        start = stamp(t) if rng.random() < 0.7 else f"{t:%Y-%m-%dT%H:%M:%S}"
        rows.append([pool, start, length, *([count, breaks] if optional else [])])
    return [header, *rows]


BAD_CELLS = [
    "",
    " ",
    "abc",
    "-3",
    "0",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e9",
    "1,5",
    '"5"',
    "'5'",
    "5 ",
    "0x10",
    "1_000",
    "٣",
    "25:00",
    "2026-02-30 08:00",
    "2026-01-05 08:10",
    "2026-01-05 08:00:30",
    "2026-01-05 08:00:00.5",
    "2026-01-05 08:00+01:00",
    "05/01/2026 08:00",
    "08:00",
    "bogus",
    "voice",
    "#x",
    "12:00-30",
    "12:00+0",
    "07:00+30",
    "12:00+30;12:15+30",
    "12:00+30;",
    "24",
    "24.01",
    "1.5",
]
# Typed Excel cells a mutation can put in a workbook.
EXCEL_CELLS = [
    datetime(2026, 1, 5, 9, 0),
    datetime(2026, 1, 5, 9, 10),
    datetime(2025, 1, 5, 9, 0),
    46027.375,  # Excel's serial number of 2026-01-05 09:00
    -1.0,
    1e308,
    float("nan"),
    True,
    timedelta(minutes=5, seconds=20),
    timedelta(hours=8, minutes=30),
    timedelta(days=-1),
    datetime(2026, 1, 5).time(),
    datetime(2026, 1, 5).date(),
    "",
    None,
]
ROW_MUTATIONS = [
    "drop_column",
    "rename_column",
    "duplicate_column",
    "bad_cell",
    "excel_cell",
    "duplicate_row",
    "off_grid",
    "before_start",
    "after_horizon",
    "short_row",
    "long_row",
    "unknown_name",
    "blank_and_comment_rows",
    "no_rows",
    "empty_required",
    "padding",
    "shuffle",
    "wfm_names",
    "wfm_names_extra_column",
    "title_rows",
]
TEXT_MUTATIONS = [
    "bom",
    "crlf",
    "cr",
    "semicolon",
    "tab",
    "empty_file",
    "comments_only",
    "latin1",
    "nul",
    "multiline_quote",
    "no_final_newline",
    "trailing_comma",
    "binary",
]
EXCEL_MUTATIONS = ["not_a_workbook", "second_sheet", "empty_workbook"]


@dataclass
class InputFile:
    what: str  # forecast or roster
    suffix: str  # .csv or .xlsx
    table: list[list[Any]]
    row_mutations: list[tuple[str, int, int, int]]  # name and three random indices
    text_mutations: list[str]
    columns: dict[str, str]
    header_row: int | None = None
    sheet: Any = None
    pick: int = 0  # a random choice the writer makes (which sheet option)


@st.composite
def input_files(draw: Any, what: str) -> InputFile:
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    table = (
        base_forecast(rng, draw(st.booleans()), draw(st.booleans()))
        if what == "forecast"
        else base_roster(rng, draw(st.booleans()))
    )
    suffix = [".csv", ".csv", ".xlsx"][draw(st.integers(0, 2))]

    def pick(options: Sequence[Any]) -> Any:
        return options[draw(st.integers(0, len(options) - 1))]

    index = st.integers(0, 10**6)
    # Half the files undamaged (they run), the others with one to three row mutations; a
    # third of them with one or two text (or workbook) mutations.
    n_rows = draw(st.integers(0, 5)) - 2
    row_mutations = [
        (pick(ROW_MUTATIONS), draw(index), draw(index), draw(index)) for _ in range(n_rows)
    ]
    other = TEXT_MUTATIONS if suffix == ".csv" else EXCEL_MUTATIONS
    text_mutations = [pick(other) for _ in range(draw(st.integers(0, 5)) - 3)]
    return InputFile(what, suffix, table, row_mutations, text_mutations, {}, pick=draw(index))


def mutate_rows(f: InputFile, rng_cells: list[Any]) -> None:
    """Apply the row mutations to ``f.table`` (header first), in place; a mapping of column
    names or a header row they need goes to ``f.columns`` / ``f.header_row``."""
    t = f.table
    wfm = FORECAST_WFM if f.what == "forecast" else ROSTER_WFM
    stamp_col = "interval_start" if f.what == "forecast" else "start"
    for name, a, b, c in f.row_mutations:
        header, rows = t[0], t[1:]
        width = max(len(header), 1)
        r = 1 + a % max(len(rows), 1)  # a data row (index into t)
        col = b % width
        has_row = len(rows) > 0 and len(t[r]) > 0

        if name == "drop_column":
            for row in t:
                if col < len(row):
                    del row[col]
        elif name == "rename_column" and col < len(header):
            header[col] = [header[col].upper(), header[col] + "x", "", " " + header[col]][c % 4]
        elif name == "duplicate_column":
            for row in t:
                row.append(row[col] if col < len(row) else "")
        elif name == "bad_cell" and has_row:
            t[r][col % len(t[r])] = BAD_CELLS[c % len(BAD_CELLS)]
        elif name == "excel_cell" and has_row:
            t[r][col % len(t[r])] = rng_cells[c % len(rng_cells)]
        elif name == "duplicate_row" and has_row:
            t.insert(1 + c % len(t), list(t[r]))
        elif name in ("off_grid", "before_start", "after_horizon") and has_row:
            i = header.index(stamp_col) if stamp_col in header else None
            if i is None or i >= len(t[r]) or not isinstance(t[r][i], str):
                continue
            try:
                when = datetime.fromisoformat(t[r][i])
            except ValueError:
                continue
            shift = {
                "off_grid": timedelta(minutes=[10, 1, 15, 29][c % 4]),
                "before_start": -timedelta(days=[1, 0.5, 1 / 48][c % 3]),
                "after_horizon": timedelta(days=[1, 2, 400][c % 3]),
            }[name]
            t[r][i] = stamp(when + shift)
        elif name == "short_row" and has_row and t[r]:
            t[r].pop()
        elif name == "long_row" and has_row:
            t[r].append("1")
        elif name == "unknown_name" and has_row:
            t[r][0] = [
                "bogus",
                "Voice",
                " voice ",
                "voice_team" if f.what == "forecast" else "voice",
            ][c % 4]
        elif name == "blank_and_comment_rows":
            for line in (["# comment"], [], [""] * width, ["#", "x"]):
                t.insert(1 + c % len(t), list(line))
        elif name == "no_rows":
            del t[1:]
        elif name == "empty_required" and has_row:
            t[r][0] = ""
        elif name == "padding" and has_row:
            t[r] = [f"  {v} " if isinstance(v, str) else v for v in t[r]]
        elif name == "shuffle" and len(rows) > 1:
            t[1:] = rows[c % len(rows) :] + rows[: c % len(rows)]
        elif name in ("wfm_names", "wfm_names_extra_column"):
            f.columns = {k: wfm[k] for k in header if k in wfm}
            t[0] = [wfm.get(h, h) for h in header]
            if name == "wfm_names_extra_column":
                for row in t:
                    row.append("Service Level" if row is t[0] else "80%")
        elif name == "title_rows":
            t[0:0] = [["Export of week 2"], []]
            f.header_row = [3, 3, 3, 1, 2, 0][c % 6]


def write_input(f: InputFile, folder: Path) -> Path:
    """Write ``f`` (mutated) to ``folder``; the path."""
    path = folder / f"{f.what}{f.suffix}"
    mutate_rows(f, EXCEL_CELLS)
    if f.suffix == ".xlsx":
        write_workbook(f, path)
        return path
    rows = [",".join(str(v) for v in row) for row in f.table]
    text = "\n".join(rows) + "\n"
    raw: bytes | None = None
    for m in f.text_mutations:
        if m == "bom":
            text = "\ufeff" + text
        elif m == "crlf":
            text = text.replace("\n", "\r\n")
        elif m == "cr":
            text = text.replace("\n", "\r")
        elif m == "semicolon":
            text = text.replace(",", ";")
        elif m == "tab":
            text = text.replace(",", "\t")
        elif m == "empty_file":
            text = ""
        elif m == "comments_only":
            text = "# nothing here\n\n#,x\n"
        elif m == "multiline_quote":
            text = text.replace("\n", '\n"a\nb",', 2)
        elif m == "no_final_newline":
            text = text.rstrip("\n")
        elif m == "trailing_comma":
            text = text.replace("\n", ",\n")
        elif m == "nul":
            text = text.replace(",", ",\0", 1)
        elif m == "latin1":
            raw = text.replace("voice", "voicé", 1).encode("latin-1", errors="replace")
        elif m == "binary":
            raw = bytes(range(256))
    path.write_bytes(raw if raw is not None else text.encode("utf-8"))
    return path


def excel_value(v: Any) -> Any:
    """A text cell as Excel would hold it: numbers as numbers, timestamps as dates."""
    if not isinstance(v, str):
        return v
    try:
        return float(v) if v.strip() and not v.strip().startswith("0x") else v
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(v) if re.fullmatch(r"\d{4}-\d\d-\d\d[ T][\d:]+", v) else v
    except ValueError:
        return v


def write_workbook(f: InputFile, path: Path) -> None:
    import openpyxl

    if "not_a_workbook" in f.text_mutations:
        path.write_text("\n".join(",".join(map(str, r)) for r in f.table))
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Intervals"
    if "second_sheet" in f.text_mutations:
        ws.title = "Notes"
        ws.append(["this workbook's data is on the second sheet"])
        ws = wb.create_sheet("Data")
        f.sheet = [2, "Data", "data", None, 3, "'2'"][f.pick % 6]
    if "empty_workbook" not in f.text_mutations:
        for row in f.table:
            ws.append([excel_value(v) for v in row])
    wb.save(path)


FILE_OVERRIDES: list[Entry] = [
    ("centre.interval_min", ["30", "15", "60", "45", "20"]),
    ("centre.horizon_days", ["1", "0.5", "2"]),
    (
        "centre.start",
        ["'2026-01-05 00:00'", "'2026-01-05 08:00'", "'2026-01-04 00:00'", "'2026-01-05 00:15'"],
    ),
    ("centre.at_close", ["clear", "serve_out", "stop"]),
    ("centre.forecast_columns.volume", ["Offered", "volume", "bogus"]),
    ("centre.roster_columns", ["{pool: Team}", "{bogus: x}", "{}"]),
    ("centre.forecast_header_row", ["1", "0", "-1", "2.5", "1000"]),
    ("centre.roster_sheet", ["1", "Intervals", "0"]),
    ("centre.channels.voice.handle_time.mean_s", ["240", "31622400"]),
    ("centre.pools.voice_team.shifts", ["[{start: '08:00', length_h: 8, count: 5}]"]),
    ("centre.channels.voice.daily_volume", ["100"]),
    ("strategy", [("strategy=[callbacks]",), ("strategy=[staffing]",)]),
    ("run.replications", ["2"]),
]


@dataclass
class FileCase:
    files: list[InputFile]
    overrides: list[str]


@st.composite
def file_cases(draw: Any) -> FileCase:
    which = ["forecast", "roster", "both", "both"][draw(st.integers(0, 3))]
    files = [draw(input_files(what)) for what in ("forecast", "roster") if which in (what, "both")]
    extra = draw(override_lines(FILE_OVERRIDES, max_size=2)) if draw(st.booleans()) else []
    return FileCase(files, extra)


def fuzz_files(case: FileCase) -> str:
    with tempfile.TemporaryDirectory(prefix="ccsim_fuzz_") as d:
        folder = Path(d)
        overrides = forced("small_centre", 1)
        paths = []
        for f in case.files:
            path = write_input(f, folder)
            paths.append(path)
            key = f"centre.{f.what}"
            overrides.append(f"{key}_csv='{path}'")
            if f.what == "roster":  # the roster replaces the preset's shifts (docs)
                overrides += [
                    f"centre.pools.{p}.shifts=null" for p in ("voice_team", "digital_team")
                ]
            if f.columns:
                mapping = ", ".join(f"{k}: '{v}'" for k, v in f.columns.items())
                overrides.append(f"{key}_columns={{{mapping}}}")
            if f.header_row is not None:
                overrides.append(f"{key}_header_row={f.header_row}")
            if f.sheet is not None:
                overrides.append(f"{key}_sheet={f.sheet}")
        overrides += case.overrides
        outcome = run_like_cli("small_centre", overrides, folder / "out")
        kind = check_outcome(outcome, overrides, paths)
    return kind


@settings(max_examples=50, **FAST)
@given(file_cases())
def test_fuzz_input_files(case: FileCase) -> None:
    event(fuzz_files(case))


@pytest.mark.slow
@settings(max_examples=1000, **FAST)
@given(file_cases())
def test_fuzz_input_files_many(case: FileCase) -> None:
    event(fuzz_files(case))


# -- the real command, end to end ---------------------------------------------------------------


def ccsim_command() -> list[str]:
    exe = shutil.which("ccsim")
    return [exe] if exe else [sys.executable, "-m", "ccsim"]


def fuzz_command(case: tuple[str, list[str]]) -> str:
    """The ``ccsim`` command in a subprocess: exit status 0 with a conserving summary.json,
    or 2 with one line on stderr, the line the in-process run gives."""
    preset, overrides = case
    with tempfile.TemporaryDirectory(prefix="ccsim_fuzz_") as d:
        expected = run_like_cli(preset, overrides, Path(d) / "in_process")
        run_dir = Path(d) / "run"
        proc = subprocess.run(
            [*ccsim_command(), f"scenario={preset}", *overrides, f"hydra.run.dir={run_dir}"],
            cwd=d,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        if expected.error is not None:
            assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
            assert proc.stderr == expected.error, (proc.stderr, expected.error)
            check_error_line(proc.stderr, overrides)
            return "error"
        assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
        summary = json.loads((run_dir / "summary.json").read_text())
        tot = {k: v["mean"] for k, v in summary["totals"].items() if isinstance(v, dict)}
        fates = [*FATES, *(["cleared"] if "cleared" in tot else [])]
        assert tot["offered"] == pytest.approx(sum(tot[k] for k in fates)), tot
        assert expected.result is not None
        assert tot["offered"] == pytest.approx(expected.result.estimates["offered"].mean)
        return "run"


@settings(max_examples=5, **FAST)
@given(command_lines())
def test_fuzz_the_command(case: tuple[str, list[str]]) -> None:
    event(fuzz_command(case))


@pytest.mark.slow
@settings(max_examples=40, **FAST)
@given(command_lines())
def test_fuzz_the_command_many(case: tuple[str, list[str]]) -> None:
    event(fuzz_command(case))
