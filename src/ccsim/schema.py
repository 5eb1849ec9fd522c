"""Hydra config schemas: dataclasses registered in the ConfigStore.

The YAML presets in ``ccsim/conf`` are type-checked against these schemas when Hydra composes
them. They describe the *raw* configuration only; :mod:`ccsim.scenario` validates it and turns
it into typed model objects, so model code never reads a ``DictConfig``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from hydra.core.config_store import ConfigStore

__all__ = ["DistributionConf", "ScenarioConf", "RunConf", "CCSimConf", "register_configs"]


@dataclass
class DistributionConf:
    """A duration distribution in seconds.

    ``dist``: exponential | lognormal | gamma | deterministic | empirical | none.
    ``mean_s`` for all but empirical; ``cv`` (coefficient of variation) for lognormal and gamma;
    ``values_s`` (and optional ``weights``) for empirical. ``none`` means "never" (for patience:
    customers never abandon).
    """

    dist: str = "exponential"
    mean_s: Optional[float] = None
    cv: Optional[float] = None
    values_s: Optional[List[float]] = None
    weights: Optional[List[float]] = None


@dataclass
class ScenarioConf:
    """One channel, one agent group: the single-queue model.

    Arrivals: either a stationary ``arrival_rate_per_h`` or an ``arrival_profile_per_h`` with one
    rate (contacts per hour) per interval. Staffing: either a constant ``agents`` or
    ``agents_per_interval`` (scheduled heads; ``shrinkage`` removes a share of them).
    ``waiting_room``: null = unlimited queue, 0 = pure loss system (Erlang B).
    """

    name: str = "custom"
    description: str = ""
    channel: str = "voice"
    horizon_h: float = 8.0
    clock_start_h: float = 0.0  # clock time at the start of the horizon; labels only
    interval_min: int = 30
    arrival_rate_per_h: Optional[float] = None
    arrival_profile_per_h: Optional[List[float]] = None
    agents: Optional[int] = None
    agents_per_interval: Optional[List[int]] = None
    shrinkage: float = 0.0
    handle_time: DistributionConf = field(
        default_factory=lambda: DistributionConf(dist="exponential", mean_s=300.0)
    )
    patience: DistributionConf = field(default_factory=lambda: DistributionConf(dist="none"))
    waiting_room: Optional[int] = None
    target_answer_s: float = 20.0
    target_service_level: float = 0.8


@dataclass
class RunConf:
    """How to run a scenario: seeds, replications, parallelism, warm-up, outputs."""

    seed: int = 12345
    replications: int = 1
    n_jobs: int = 1
    warmup_min: float = 0.0
    plots: bool = True


@dataclass
class CCSimConf:
    scenario: ScenarioConf = field(default_factory=ScenarioConf)
    run: RunConf = field(default_factory=RunConf)


def register_configs() -> None:
    """Register the schemas so YAML presets can extend and be checked against them."""
    cs = ConfigStore.instance()
    cs.store(name="ccsim_schema", node=CCSimConf)
