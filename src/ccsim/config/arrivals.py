"""A channel's (or the single queue's) ``arrivals``: the process new contacts arrive by,
checked key by key (:class:`~ccsim.errors.ConfigError`) before anything runs."""

from __future__ import annotations

from typing import Any

from ccsim.config.limits import MAX_CV, MAX_ERLANG_K
from ccsim.config.schema import ArrivalsConf
from ccsim.config.values import number, with_defaults
from ccsim.errors import ConfigError
from ccsim.model.arrival_process import (
    ARRIVAL_PROCESSES,
    ERLANG,
    HYPEREXPONENTIAL,
    POISSON_ARRIVALS,
    ArrivalProcess,
)

__all__ = ["arrival_process_from_config"]

# The process each shape key belongs to.
_OWNER = {"k": ERLANG, "cv": HYPEREXPONENTIAL}
_MEANING = {
    "k": "k is the number of Erlang phases, an integer >= 1 (inter-arrival cv 1/sqrt(k))",
    "cv": "cv is the inter-arrival coefficient of variation, a number > 1",
}


def arrival_process_from_config(raw: Any, prefix: str) -> ArrivalProcess:
    """The :class:`ArrivalProcess` of ``raw`` (``{process, k, cv}``; None: Poisson), keys under
    ``prefix`` (e.g. ``centre.channels.voice.arrivals.``)."""
    if raw is None:
        return POISSON_ARRIVALS
    d = with_defaults(raw, ArrivalsConf, prefix)
    process = d["process"]
    if process not in ARRIVAL_PROCESSES:
        raise ConfigError(f"{prefix}process", process, f"allowed: {', '.join(ARRIVAL_PROCESSES)}")
    for key, owner in _OWNER.items():
        if owner != process and d[key] is not None:
            raise ConfigError(
                f"{prefix}{key}",
                d[key],
                f"used only by process={owner}, not by process={process}: remove it",
            )
        if owner == process and d[key] is None:
            raise ConfigError(
                f"{prefix}{key}", None, f"process={owner} needs {key}; {_MEANING[key]}"
            )
    try:
        if process == ERLANG:
            k = number(d, "k", prefix, minimum=1.0, maximum=MAX_ERLANG_K, integer=True)
            return ArrivalProcess(process, k=k)
        if process == HYPEREXPONENTIAL:
            # cv = 1 is the exponential (poisson); two balanced phases cannot go below it.
            cv = number(d, "cv", prefix, minimum=1.0, strict_min=True, maximum=MAX_CV)
            return ArrivalProcess(process, cv=cv)
    except ConfigError as exc:  # say what the number is for
        meaning = _MEANING[exc.key[len(prefix) :]]
        raise ConfigError(exc.key, exc.value, f"{exc.allowed}; {meaning}") from None
    return ArrivalProcess(process)
