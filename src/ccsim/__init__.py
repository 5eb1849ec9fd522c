"""ccsim: a discrete-event contact-centre simulator for the demand delta.

The documented Python API, importable from ``ccsim`` directly (submodules load on first use,
so ``import ccsim`` stays light):

- run a configuration as the command line does: :func:`run_config` (a preset name, a YAML
  file or a dict, with ``key=value`` overrides), :func:`compose_config`; a planning mode
  (staff, schedule, plan): :func:`plan_config`;
- notebooks: :func:`run_result` runs as :func:`run_config` does and returns a :class:`Result`,
  whose tables are pandas DataFrames and whose plots are matplotlib figures
  (``docs/python_api.md``);
- build typed objects from config and run them: :func:`validate_config`,
  :func:`scenario_from_config`, :func:`centre_from_config`, :class:`RunSettings`, :func:`run`,
  :func:`run_scenario`, :func:`run_replication`; one replication's engine: :func:`simulate`,
  :func:`sample_customers`, :class:`RandomStreams`;
- results: :class:`RunResult`, :class:`ReplicationResult`, :class:`ContactRecords`,
  :class:`Outcome`, :class:`ContactKind`, :class:`Estimate`, :func:`estimate`;
- the model: :class:`Centre`, :class:`Scenario`, :class:`CostSpec` (a centre's prices);
- queueing formulas: :func:`erlang_b`, :func:`erlang_c`, :func:`erlang_c_metrics`,
  :func:`erlang_a_metrics`, :func:`agents_for_service_level`;
- routing extension point: :class:`Router`, :class:`RouterView`;
- errors: :class:`ConfigError`, :class:`InputFileError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ccsim.version import __version__

if TYPE_CHECKING:
    from ccsim.analysis.erlang import erlang_b, erlang_c, erlang_c_metrics
    from ccsim.analysis.erlang_a import erlang_a_metrics
    from ccsim.analysis.erlang_staffing import agents_for_service_level
    from ccsim.analysis.results import ReplicationResult, RunResult
    from ccsim.analysis.statistics import Estimate, estimate
    from ccsim.config.centre import centre_from_config
    from ccsim.config.scenario import scenario_from_config
    from ccsim.engine.arrivals import sample_customers
    from ccsim.engine.rng import RandomStreams
    from ccsim.engine.routing import Router, RouterView
    from ccsim.engine.simulation import simulate
    from ccsim.errors import ConfigError, InputFileError
    from ccsim.model.centre import Centre
    from ccsim.model.costs import CostSpec
    from ccsim.model.records import ContactKind, ContactRecords, Outcome
    from ccsim.model.scenario import Scenario
    from ccsim.model.settings import RunSettings
    from ccsim.planning.modes import plan_config
    from ccsim.reports.frames import Result
    from ccsim.runs.job import validate_config
    from ccsim.runs.presets import compose_config, run_config, run_result
    from ccsim.runs.replications import run, run_replication, run_scenario

# Public name -> the module that defines it.
_EXPORTS = {
    "run_config": "ccsim.runs.presets",
    "run_result": "ccsim.runs.presets",
    "Result": "ccsim.reports.frames",
    "plan_config": "ccsim.planning.modes",
    "compose_config": "ccsim.runs.presets",
    "validate_config": "ccsim.runs.job",
    "scenario_from_config": "ccsim.config.scenario",
    "centre_from_config": "ccsim.config.centre",
    "RunSettings": "ccsim.model.settings",
    "run": "ccsim.runs.replications",
    "run_scenario": "ccsim.runs.replications",
    "run_replication": "ccsim.runs.replications",
    "simulate": "ccsim.engine.simulation",
    "sample_customers": "ccsim.engine.arrivals",
    "RandomStreams": "ccsim.engine.rng",
    "RunResult": "ccsim.analysis.results",
    "ReplicationResult": "ccsim.analysis.results",
    "ContactRecords": "ccsim.model.records",
    "Outcome": "ccsim.model.records",
    "ContactKind": "ccsim.model.records",
    "Estimate": "ccsim.analysis.statistics",
    "estimate": "ccsim.analysis.statistics",
    "Centre": "ccsim.model.centre",
    "Scenario": "ccsim.model.scenario",
    "CostSpec": "ccsim.model.costs",
    "erlang_b": "ccsim.analysis.erlang",
    "erlang_c": "ccsim.analysis.erlang",
    "erlang_c_metrics": "ccsim.analysis.erlang",
    "erlang_a_metrics": "ccsim.analysis.erlang_a",
    "agents_for_service_level": "ccsim.analysis.erlang_staffing",
    "Router": "ccsim.engine.routing",
    "RouterView": "ccsim.engine.routing",
    "ConfigError": "ccsim.errors",
    "InputFileError": "ccsim.errors",
}

__all__ = [
    "__version__",
    "run_config",
    "run_result",
    "Result",
    "plan_config",
    "compose_config",
    "validate_config",
    "scenario_from_config",
    "centre_from_config",
    "RunSettings",
    "run",
    "run_scenario",
    "run_replication",
    "simulate",
    "sample_customers",
    "RandomStreams",
    "RunResult",
    "ReplicationResult",
    "ContactRecords",
    "Outcome",
    "ContactKind",
    "Estimate",
    "estimate",
    "Centre",
    "Scenario",
    "CostSpec",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "erlang_a_metrics",
    "agents_for_service_level",
    "Router",
    "RouterView",
    "ConfigError",
    "InputFileError",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562) and keep the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ccsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
