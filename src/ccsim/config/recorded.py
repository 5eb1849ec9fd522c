"""The config as recorded (summary.json's ``config``, the config digest): the resolved config
less the keys that still hold a default that leaves results as they were before the key existed.

A config that does not use such a key keeps its digest and its output files byte for byte
(``tests/golden``); validation fills the default back in (``values.with_defaults``).
"""

from __future__ import annotations

from typing import Any

from ccsim.config.roster_schema import DEFAULT_ACTIVITIES

__all__ = ["QUIET_DEFAULTS", "QUIET_DISTRIBUTION_KEYS", "without_quiet_defaults"]

# Keys of ``schema.DistributionConf`` added after results were first recorded (uniform's and
# the hyperexponential's): left out while null, wherever a distribution sits.
QUIET_DISTRIBUTION_KEYS = ("low_s", "high_s", "probabilities", "means_s")

# (path, default): "*" in a path stands for every entry of a mapping of named entries.
QUIET_DEFAULTS: tuple[tuple[tuple[str, ...], Any], ...] = (
    (("scenario", "at_close"), "stop"),
    (("centre", "at_close"), "stop"),
    (("centre", "behaviour", "retry_patience"), "redraw"),
    (("scenario", "arrivals"), {"process": "poisson", "k": None, "cv": None}),
    (("centre", "channels", "*", "arrivals"), {"process": "poisson", "k": None, "cv": None}),
    (("centre", "channels", "*", "service"), "fixed"),
    (("run", "heat_map"), True),
    (("run", "occupancy_ceiling"), 0.9),
    (("centre", "forecast_sheet"), None),
    (("centre", "forecast_columns"), {}),
    (("centre", "forecast_header_row"), None),
    (("centre", "roster_sheet"), None),
    (("centre", "roster_columns"), {}),
    (("centre", "roster_header_row"), None),
    (("centre", "roster_format"), "shifts"),
    (("centre", "roster_teams"), {}),
    (("centre", "roster_activities"), DEFAULT_ACTIVITIES),
)


def without_quiet_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` (a resolved config) less the :data:`QUIET_DEFAULTS` it holds at their default:
    a copy of the mappings on their paths, the rest shared. ``"*"`` in a path stands for every
    entry of a mapping of named entries (each channel)."""
    out = dict(raw)
    for path, default in QUIET_DEFAULTS:
        out = _without_default(out, path, default)
    return _without_null_distribution_keys(out)


def _without_null_distribution_keys(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` less the :data:`QUIET_DISTRIBUTION_KEYS` that are null in any mapping with a
    ``dist`` key (a distribution), at any depth: copies of the mappings that change, the rest
    shared."""
    out = node
    if "dist" in node and any(node.get(k, 0) is None for k in QUIET_DISTRIBUTION_KEYS):
        out = {k: v for k, v in node.items() if not (k in QUIET_DISTRIBUTION_KEYS and v is None)}
    for key, value in node.items():
        if isinstance(value, dict):
            new = _without_null_distribution_keys(value)
            if new is not value:
                out = dict(out) if out is node else out
                out[key] = new
    return out


def _without_default(node: dict[str, Any], path: tuple[str, ...], default: Any) -> dict[str, Any]:
    """A copy of ``node`` without the key at ``path`` where it holds ``default``."""
    out = dict(node)
    head, rest = path[0], path[1:]
    for key in list(out) if head == "*" else [head] if head in out else []:
        if not rest:
            if out[key] == default:
                del out[key]
        elif isinstance(out[key], dict):
            out[key] = _without_default(out[key], rest, default)
    return out
