"""The config as plain values that JSON can record, checked before anything runs.

``summary.json`` records the resolved config at the very end of a job, so a value JSON cannot
encode must be caught at the config boundary, not after the simulation. Two ways one arrives:

- a Python dict (``ccsim.run_config``, ``ccsim.validate_config``) holding a set, bytes, a
  datetime or any other object: converted where the meaning is plain (a ``Path`` or any
  ``os.PathLike`` to its string, a tuple to a list, a numpy scalar or array to numbers),
  refused otherwise with one line naming the key (:func:`recordable`);
- an OmegaConf interpolation that cannot be resolved (``${oc.env:NOT_SET}``, ``${nope}``, a
  value of the wrong type once resolved): one line naming the key, what was written and why
  (:func:`resolved`). Interpolations that resolve are recorded resolved.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any, cast

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from ccsim.errors import ConfigError

__all__ = ["recordable", "resolved", "unresolved"]

_PLAIN = "a string, a number, true/false, null, a list or a mapping"


def _refusal(value: Any) -> str:
    if isinstance(value, (set, frozenset)):
        return (
            "a set is not a config value (summary.json records the config as JSON); give a "
            "list where the key takes several values"
        )
    if isinstance(value, (bytes, bytearray)):
        return (
            "bytes are not a config value (summary.json records the config as JSON); give a string"
        )
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        example = f"{value:%Y-%m-%d %H:%M}" if isinstance(value, dt.datetime) else value.isoformat()
        return (
            f"a {type(value).__name__} is not a config value (summary.json records the config as "
            f"JSON); give a string, e.g. {example!r}"
        )
    name = type(value).__name__
    return (
        f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} is not a config value "
        f"(summary.json records the config as JSON); give {_PLAIN}"
    )


def recordable(value: Any, key: str = "") -> Any:
    """``value`` with plain conversions made (PathLike -> str, tuple -> list, numpy -> Python),
    at any depth; :class:`ConfigError` naming the key of any value JSON cannot record."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {k: recordable(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [recordable(v, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return recordable(value.tolist(), key)  # a scalar's tolist() is a Python number
    raise ConfigError(key or "config", value, _refusal(value))


def _written(cfg: DictConfig, key: str) -> Any:
    """What the user wrote at ``key`` (the interpolation itself), or ``"?"``."""
    node: Any = OmegaConf.to_container(cfg, resolve=False)
    for part in re.findall(r"[^.\[\]]+", key):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, TypeError, ValueError):
            return "?"
    return node


def unresolved(exc: BaseException) -> str:
    """OmegaConf's words for an interpolation that failed, in one line."""
    why = (str(getattr(exc, "msg", "") or exc).splitlines() or ["?"])[0]
    why = re.sub(r"^\w+ raised while resolving interpolation: ", "", why).strip('"')
    why = re.sub(r"^While dereferencing interpolation '[^']*': ", "", why)
    return f"cannot be resolved: {why}"


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """``cfg`` resolved to plain Python values; an interpolation that cannot be resolved is a
    :class:`ConfigError` naming its key."""
    try:
        raw = OmegaConf.to_container(cfg, resolve=True)
    except OmegaConfBaseException as exc:
        key = str(getattr(exc, "full_key", "") or "config")
        raise ConfigError(key, _written(cfg, key), unresolved(exc)) from None
    assert isinstance(raw, dict)
    return cast(dict[str, Any], raw)
