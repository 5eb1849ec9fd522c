"""The limits of ccsim's numeric keys, in one place (docs/config_ranges.md lists every key).

Most keys have a natural range (a probability in [0, 1], a duration >= 0); these are the
upper limits that keep a run's memory and time bounded and its arithmetic finite. Each is a
:class:`Limit`: the value and the reason the error message gives when a key goes past it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Limit",
    "MAX_HORIZON_DAYS",
    "MAX_HORIZON_H",
    "MAX_DURATION_S",
    "MAX_DURATION_H",
    "MAX_DURATION_MIN",
    "MAX_CV",
    "MAX_DAY_VOLUME_CV",
    "MAX_FACTOR",
    "MAX_WEIGHT",
    "MAX_MAGNITUDE",
    "MAX_ERLANG_K",
    "MAX_CONCURRENCY",
    "MAX_AGENTS",
    "MAX_OFFERED_LOAD_ERL",
    "MAX_INT32",
    "MAX_PRIORITY",
    "MAX_EVENTS",
    "MAX_CONTACTS_PER_REPLICATION",
    "MAX_CONTACTS_PER_RUN",
    "MAX_TABLE_CELLS",
    "MAX_REPLICATIONS",
    "MAX_N_JOBS",
    "MAX_SEED",
    "MAX_PRICE",
    "MAX_ITERATIONS",
]


@dataclass(frozen=True)
class Limit:
    """A bound of a numeric key and why it is there (shown after the bound in errors)."""

    value: float
    why: str


_DAYS = 366
# The horizon: a year (a leap year), the longest a contact-centre plan looks ahead; every
# per-interval table grows with it (a year of 5-minute intervals is 105,408 of them).
MAX_HORIZON_DAYS = Limit(_DAYS, "366 days, a year: the longest horizon")
MAX_HORIZON_H = Limit(24 * _DAYS, "366 days, a year: the longest horizon")
# Every duration (handle times, patience, delays, targets, event lengths): at most the longest
# horizon. Anything longer is "never" within a run, and it keeps every clock time finite:
# 1e308 s overflows to inf when added to the clock and the run stops with NaN times.
MAX_DURATION_S = Limit(86400 * _DAYS, "366 days, the longest horizon")
MAX_DURATION_H = Limit(24 * _DAYS, "366 days, the longest horizon")
MAX_DURATION_MIN = Limit(1440 * _DAYS, "366 days, the longest horizon")
# Coefficient of variation of a duration or of inter-arrival times: handle times have cv
# 0.5-2; at 100 a gamma's shape is 1e-4 and the hyperexponential's long phase 10^4 times its
# mean, past which draws lose their precision.
MAX_CV = Limit(100, "a coefficient of variation past 100 is not a duration ccsim draws reliably")
# The day multiplier's cv (over-dispersion): real daily volumes vary by 5-30%. Beyond 1 single
# days hold many times the expected volume, which the contact limits (on expected counts) no
# longer bound.
MAX_DAY_VOLUME_CV = Limit(
    1, "daily volumes vary by 5-30%; beyond 1 a day may hold many times its volume"
)
# Multipliers of a handle time or a volume (intent handle factors, proficiencies, concurrency
# factors, day-of-week factors, context factors): ten-fold is already extreme; 100 keeps every
# scaled duration within 100 x the duration limit.
MAX_FACTOR = Limit(100, "a multiplier past 100 is a unit mistake")
# Relative weights (shares, intraday profiles, empirical weights, switch shares) are
# normalised, so their scale is free; the bound keeps their sum finite.
MAX_WEIGHT = Limit(1e12, "weights are relative, so this only keeps their sum finite")
MAX_MAGNITUDE = Limit(1000, "a demand event of 1,000 x the normal volume")
# Erlang-k inter-arrival times have cv 1/sqrt(k): k = 1,000 is cv 0.03, as regular as
# deterministic arrivals.
MAX_ERLANG_K = Limit(1000, "cv 1/sqrt(k) = 0.03: use process=deterministic")
MAX_CONCURRENCY = Limit(100, "contacts one agent holds at once")
# Agents per pool and interval: the largest centres have a few thousand agents on a floor;
# the engine keeps one entry per agent.
MAX_AGENTS = Limit(100_000, "agents per pool and interval")
# The Erlang staffing behind the demand delta searches up to 100,000 servers; a channel whose
# offered load comes near it (handle times of months) has no requirement to report.
MAX_OFFERED_LOAD_ERL = Limit(99_000, "Erlangs in one interval: no staffing formula reaches it")
MAX_INT32 = Limit(2**31 - 1, "a 32-bit count")
# Deferred (workload-shifting) work ranks at -10^9, below every channel's priority.
MAX_PRIORITY = Limit(1_000_000, "deferred work ranks below -1,000,000")
# Demand events are an int8 column of the contact records.
MAX_EVENTS = Limit(127, "an int8 column of the contact records")
# Expected new contacts per replication (rates x horizon, demand events included; retries,
# repeats and chasers add about a quarter more). The records keep 58 bytes per contact
# (summary.json's record_bytes_per_contact) and a replication peaks at about 250 bytes per
# contact while it runs (the engine's columns, the arrival draws): 2e7 contacts are 1.2 GB
# of records and about 5 GB at the peak, on one core 2-4 minutes (100,000-170,000 contacts
# per second). A year of a centre of 55,000 contacts a day fits.
MAX_CONTACTS_PER_REPLICATION = Limit(
    2e7, "about 5 GB of memory while a replication runs, at 250 bytes per contact"
)
# Over all replications: 1e9 contacts are 2-3 hours of one core; beyond it split the run (a
# sweep over run.seed, or fewer replications: the CIs narrow as 1/sqrt(replications)).
MAX_CONTACTS_PER_RUN = Limit(1e9, "2-3 hours of one core at 100,000 contacts per second")
# Cells of a per-interval table (channels x intents x intervals, once more per demand event):
# 2e7 float64 cells are 160 MB per table.
MAX_TABLE_CELLS = Limit(2e7, "160 MB per table of channels x intents x intervals")
MAX_REPLICATIONS = Limit(10_000, "confidence intervals narrow as 1/sqrt(replications)")
MAX_N_JOBS = Limit(1024, "parallel worker processes")
MAX_SEED = Limit(2**63 - 1, "a 64-bit integer")
# A price (per agent-hour, per session, per minute, per contact): totals over a year of
# 100,000 agents stay far from overflow.
MAX_PRICE = Limit(1e9, "a price per unit")
MAX_ITERATIONS = Limit(10_000, "rounds of a staffing search")
