"""A centre's own config folder: ``ccsim --config-dir my_centre``.

The folder holds ``config.yaml`` (or another file named with ``--config-name``), which starts
from ccsim's settings without a preset (``defaults: [ccsim_base, _self_]``, the packaged
``conf/ccsim_base.yaml``) and sets ``centre:``. Three things make such a folder work as a
planner expects (docs/planner_quickstart.md):

- The folder comes first in Hydra's config search path, ccsim's packaged configs after it
  (``hydra.searchpath``): its ``config.yaml`` is the primary config, not ccsim's own, and its
  ``defaults`` can still name ccsim's groups (``strategy``, ``scenario``) and ``ccsim_base``.
  (Hydra's own ``--config-dir`` puts the folder after the application's configs, so a
  ``config.yaml`` there would be ignored.) The precheck composes the same way.
- Relative file names (``centre.forecast_csv``, ``centre.roster_csv``) resolve against the
  folder, not the working directory: :func:`files_relative_to` sets the folder for every
  config validated inside it (:func:`ccsim.runs.job.validate_config`), the precheck's and each
  job's (:func:`job_config_dir`, also in a sweep's worker processes).
- ``ccsim_base`` names the output folder after the centre: ``outputs/<centre.name>/<date>_<time>``
  (the ``ccsim.folder`` resolver: the name made safe as one folder name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

__all__ = [
    "BASE_CONFIG",
    "SEARCH_PATH",
    "compose_file",
    "config_dir_of",
    "files_base_dir",
    "files_relative_to",
    "folder_name",
    "hydra_argv",
    "job_config_dir",
    "own_config_problem",
    "register_resolvers",
]

SEARCH_PATH = "pkg://ccsim.conf"
BASE_CONFIG = "ccsim_base"
_GUIDE = "docs/planner_quickstart.md"

_BASE_DIR: ContextVar[Path | None] = ContextVar("ccsim_files_base_dir", default=None)


def files_base_dir() -> Path | None:
    """The folder relative file names in the config resolve against (None: the working
    directory)."""
    return _BASE_DIR.get()


@contextmanager
def files_relative_to(folder: str | Path | None) -> Iterator[None]:
    """Inside, configs validated without an explicit ``base_dir`` read their files relative to
    ``folder`` (None: the working directory)."""
    token = _BASE_DIR.set(None if folder is None else Path(folder))
    try:
        yield
    finally:
        _BASE_DIR.reset(token)


# Characters that cannot be in a folder name on some system, and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


def folder_name(*, _root_: Any) -> str:
    """``${ccsim.folder:}``: the centre's name (or the single queue's) as one folder name:
    characters no file system takes replaced by ``_``, no leading or trailing dots or spaces."""
    section = _root_.get("centre")
    if section is None:
        section = _root_.get("scenario")
    name = str(section.get("name") if section is not None else "") or "centre"
    safe = _UNSAFE.sub("_", name).strip(" .")
    return safe or "centre"


def register_resolvers() -> None:
    """Register ``ccsim.folder`` (once per process)."""
    if not OmegaConf.has_resolver("ccsim.folder"):
        OmegaConf.register_new_resolver("ccsim.folder", folder_name)


def _parsed(argv: Sequence[str]) -> Any:
    from hydra._internal.utils import get_args_parser

    try:
        return get_args_parser().parse_args(list(argv))
    except SystemExit:  # bad flags: the precheck (argparse) reports them
        return None


def config_dir_of(argv: Sequence[str]) -> str | None:
    """The ``--config-dir`` (``-cd``) of a ``ccsim`` command line, as given."""
    args = _parsed(argv)
    return None if args is None else args.config_dir


def hydra_argv(argv: Sequence[str]) -> list[str]:
    """The command line Hydra runs: with ``--config-dir``, ccsim's packaged configs are added
    to the search path after the folder (the folder's primary config is then the one Hydra
    composes: see :mod:`ccsim.runs.config_dir`). The override joins the command's overrides
    (argparse takes them as one run of words, wherever the options are)."""
    out = list(argv)
    args = _parsed(out)
    if args is None or args.config_dir is None:
        return out
    given = list(args.overrides)
    if any(o.startswith("hydra.searchpath=") for o in given):
        return out
    extra = f"hydra.searchpath=[{SEARCH_PATH}]"
    n = len(given)
    at = next((i + n for i in range(len(out) - n, -1, -1) if n and out[i : i + n] == given), None)
    if at is None:  # no overrides: the new one is the only run of them
        return [*out, extra]
    return [*out[:at], extra, *out[at:]]


def job_config_dir() -> Path | None:
    """In a Hydra job: the ``--config-dir`` folder it was composed from (None without one)."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    for source in HydraConfig.get().runtime.config_sources:
        if source.provider == "command-line":
            return Path(str(source.path).removeprefix("file://"))
    return None


def own_config_problem(folder: str | Path, config_name: str) -> str | None:
    """Why the primary config ``<folder>/<config_name>.yaml`` cannot be composed as ccsim's, in
    one line, or None: a config of its own needs a defaults list starting from ccsim's
    settings, and ``config.yaml`` cannot start from ``config`` (itself, in its folder)."""
    path = Path(folder) / f"{config_name}.yaml"
    if not path.is_file():
        return None
    try:
        loaded = OmegaConf.to_container(OmegaConf.load(path))
    except Exception:  # not YAML: Hydra's composition says why
        return None
    if not isinstance(loaded, dict):
        return None
    start = f"start it with `defaults: [{BASE_CONFIG}, _self_]` (ccsim's settings"
    if "defaults" not in loaded:
        return (
            f"{path}: no defaults list; a centre's config starts from ccsim's settings: "
            f"{start}: schema, strategies, output folders; {_GUIDE})"
        )
    defaults = loaded["defaults"]
    names = (
        [d.lstrip("/") for d in defaults if isinstance(d, str)]
        if isinstance(defaults, list)
        else []
    )
    if config_name == "config" and "config" in names:
        return (
            f"{path}: defaults names 'config', which in this folder is the file itself; "
            f"{start} without a preset), or give the file another name and run it with "
            "--config-name"
        )
    return None


def compose_file(path: Path, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The config ``ccsim --config-dir <path's folder> --config-name <path's stem>`` would run
    with ``overrides``, as plain values without Hydra's settings (the Python API's way to run a
    folder's config: :func:`ccsim.run_config`). Problems raise
    :class:`~ccsim.errors.ConfigError`."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from ccsim.config.overrides import force_new_names
    from ccsim.config.schema import register_configs
    from ccsim.errors import ConfigError

    problem = own_config_problem(path.parent, path.stem)
    if problem:
        raise ConfigError("config", str(path), problem)
    register_configs()
    register_resolvers()
    if GlobalHydra.instance().is_initialized():
        raise RuntimeError("a folder's config cannot be composed inside a Hydra app")
    given = [*force_new_names(list(overrides), ("scenario", "strategy"))]
    try:
        with initialize_config_dir(config_dir=str(path.parent.resolve()), version_base="1.3"):
            cfg = compose(path.stem, [*given, f"hydra.searchpath=[{SEARCH_PATH}]"])
    except Exception as exc:  # Hydra's composition errors (a missing preset, a bad value)
        why = " ".join(str(exc).split()).split(" Config search path:")[0]
        raise ConfigError("config", str(path), why) from None
    finally:
        GlobalHydra.instance().clear()
    raw = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(raw, dict)
    raw.pop("hydra", None)
    return {str(k): v for k, v in raw.items()}
