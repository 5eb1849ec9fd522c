from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra

from ccsim.config.schema import register_configs


@pytest.fixture
def compose_cfg():
    """Compose ccsim's packaged config with overrides, as the CLI would."""
    register_configs()

    def _compose(*overrides: str) -> Any:
        GlobalHydra.instance().clear()
        with initialize_config_module(config_module="ccsim.conf", version_base="1.3"):
            return compose(config_name="config", overrides=list(overrides))

    yield _compose
    GlobalHydra.instance().clear()


def mmc_config(
    rate_per_h: float,
    aht_s: float,
    agents: int,
    *,
    patience_s: float | None = None,
    horizon_h: float = 100.0,
    waiting_room: int | None = None,
    target_s: float = 20.0,
) -> dict[str, Any]:
    """A stationary single-queue scenario with exponential times (the Erlang models)."""
    return {
        "horizon_h": horizon_h,
        "interval_min": 60,
        "arrival_rate_per_h": rate_per_h,
        "agents": agents,
        "handle_time": {"dist": "exponential", "mean_s": aht_s},
        "patience": (
            {"dist": "none"}
            if patience_s is None
            else {"dist": "exponential", "mean_s": patience_s}
        ),
        "waiting_room": waiting_room,
        "target_answer_s": target_s,
    }


def run_ccsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed ``ccsim`` command (or ``python -m ccsim``), as a user runs it."""
    exe = shutil.which("ccsim")
    cmd = [exe] if exe else [sys.executable, "-m", "ccsim"]
    return subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
