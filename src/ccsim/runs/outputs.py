"""The output folder is checked before Hydra makes it, so an obvious fault loses no work.

A Hydra callback (``hydra.callbacks.outputs`` in ``conf/config.yaml``): when a run or a sweep
starts, in the command's main process and before Hydra creates the folder or writes ``.hydra/``
into it, ``hydra.run.dir`` (a run) or ``hydra.sweep.dir`` (a sweep) must be a folder, or a path
under one, in which a file can be written (:func:`ccsim.reports.files.check_output_dir`). If it
cannot (a read-only folder, a file where a folder should be, a full disk), the command prints
one line and exits with status 2; nothing has run and nothing is left behind:

    ccsim: error: cannot write outputs to /data/runs/day1: No space left on device

A fault that appears later (the disk fills during the run) fails the job when it writes its
outputs, with the same line (:class:`ccsim.errors.OutputError`).
"""

from __future__ import annotations

import sys
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from ccsim.config.recordable import unresolved
from ccsim.errors import OutputError
from ccsim.reports.files import check_output_dir

__all__ = ["CheckOutputFolder", "output_folder"]


def output_folder(config: DictConfig, key: str) -> str:
    """``key`` (``hydra.run.dir``, ``hydra.sweep.dir``) of Hydra's ``config``, resolved as Hydra
    resolves it (``${hydra:runtime.choices.scenario}`` and ``${now:...}``: the same value as
    Hydra's own, OmegaConf caches it in ``config``)."""
    from hydra.core.hydra_config import HydraConfig

    hc = HydraConfig.instance()
    before = hc.cfg
    hc.set_config(config)
    try:
        return str(OmegaConf.select(config, key, throw_on_missing=True))
    finally:
        hc.cfg = before


def _check(config: DictConfig, key: str) -> None:
    try:
        folder = output_folder(config, key)
    except Exception as exc:  # an interpolation that cannot be resolved, say
        sys.stderr.write(f"ccsim: error: {key}: {unresolved(exc)}\n")
        raise SystemExit(2) from None
    try:
        check_output_dir(folder)
    except OutputError as exc:
        sys.stderr.write(f"ccsim: error: {exc}\n")
        raise SystemExit(2) from None


class CheckOutputFolder(Callback):
    """Check ``hydra.run.dir`` before a run and ``hydra.sweep.dir`` before a sweep."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        _check(config, "hydra.run.dir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        _check(config, "hydra.sweep.dir")
