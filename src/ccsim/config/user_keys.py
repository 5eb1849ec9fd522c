"""The keys the user set, and the error for those a switch leaves unused.

A key counts as set by the user when a command-line (or ``run_config``) override names it, or
when the user's own YAML file or dict holds it at a value other than the schema's default (a
dict named after a packaged preset: other than that preset's value, so a config composed from a
preset and passed back as a dict behaves as the preset). A key that only a preset or the
schema default holds is never an error when the user's switch leaves it unused:
``scenario=erlang_a scenario.patience.dist=none`` runs, the preset's ``mean_s`` unread;
``scenario=erlang_c scenario.patience.mean_s=60`` stops (:mod:`ccsim.config.unused`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from ccsim.config.overrides import DICT_OF, FIELD_TYPES
from ccsim.config.schema import CCSimConf
from ccsim.config.unused import unused_keys
from ccsim.errors import ConfigError

__all__ = ["override_keys", "file_keys", "leaf_keys", "schema_default", "check_unused_keys"]

_MISSING = object()
_GROUPS = ("scenario", "strategy")  # config groups: a preset's name, not a key


def leaf_keys(node: Any, prefix: str = "") -> set[str]:
    """The dotted keys of the values in a mapping (lists and other values are leaves)."""
    if not isinstance(node, Mapping) or (prefix and not node):
        return {prefix.rstrip(".")} if prefix else set()
    keys: set[str] = set()
    for key, value in node.items():
        keys |= leaf_keys(value, f"{prefix}{key}.")
    return keys


def override_keys(overrides: Iterable[str]) -> set[str]:
    """The keys ``key=value`` overrides set (Hydra's syntax: ``+``/``++`` prefixes, a mapping
    value sets each of its keys); config groups, deletions and ``hydra.*`` set none. Overrides
    that do not parse set the text before their ``=`` (composing them reports the error)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    overrides = list(overrides)
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except Exception:
        return {ov.lstrip("+~").split("=", 1)[0] for ov in overrides}
    keys: set[str] = set()
    for ov in parsed:
        key = ov.key_or_group
        if ov.is_hydra_override() or ov.is_delete() or key in _GROUPS:
            continue
        value = None if ov.is_sweep_override() else ov.value()
        keys |= leaf_keys(value, f"{key}.") if isinstance(value, Mapping) and value else {key}
    return keys


def file_keys(path: Path) -> set[str]:
    """The keys a YAML config file of the user's own sets (a study's primary config: its
    ``defaults`` list and ``hydra`` settings are not config keys)."""
    from omegaconf import OmegaConf

    loaded = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    if not isinstance(loaded, dict):
        return set()
    return leaf_keys({k: v for k, v in loaded.items() if k not in ("defaults", "hydra")})


def schema_default(key: str) -> Any:
    """The schema's default value at a dotted key (a channel's, pool's or intent's own name
    stands for any), or a sentinel no value equals when the schema has no default there."""
    node: Any = CCSimConf()
    parts = key.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        if dataclasses.is_dataclass(node):
            if part not in {f.name for f in dataclasses.fields(node)}:
                return _MISSING
            value = getattr(node, part)
            if part in DICT_OF and i + 1 < len(parts):
                node, i = DICT_OF[part](), i + 2
                continue
            if value is None and part in FIELD_TYPES and i + 1 < len(parts):
                value = FIELD_TYPES[part]()  # an optional section (scenario, a strategy)
            node = value
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return _MISSING
        i += 1
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return dataclasses.asdict(node)
    return node


def _at(node: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _named(key: str, user_keys: Collection[str]) -> bool:
    """Whether the user set ``key``, a key inside it or the section holding it."""
    return any(k == key or k.startswith(key + ".") or key.startswith(k + ".") for k in user_keys)


def check_unused_keys(
    cfg: Any,
    user_keys: Collection[str] = (),
    *,
    own: Mapping[str, Any] | None = None,
    preset: Callable[[Mapping[str, Any]], Mapping[str, Any] | None] | None = None,
) -> None:
    """Raise :class:`ConfigError` for the first key the user set that ``cfg`` (the resolved
    config, a mapping or a ``DictConfig``) leaves unused: one of ``user_keys`` (overrides, a
    study file), or a key of ``own`` (the user's own dict or YAML file) other than the schema
    default and, if ``preset`` finds the packaged preset ``own`` was composed from, other than
    that preset's value."""
    from omegaconf import DictConfig, OmegaConf

    if isinstance(cfg, DictConfig):  # plain lists and dicts for the rules
        cfg = OmegaConf.to_container(cfg, resolve=True)
    if not isinstance(cfg, Mapping):
        return
    base: Any = _MISSING
    for unused in unused_keys(cfg):
        if not _named(unused.key, user_keys):
            if own is None:
                continue
            value = _at(own, unused.key)
            if value is _MISSING or value == schema_default(unused.key):
                continue
            if preset is not None:
                if base is _MISSING:
                    base = preset(own)
                if base is not None and _at(base, unused.key) == value:
                    continue
        raise ConfigError(unused.key, unused.value, f"set, but unused: {unused.why}")
