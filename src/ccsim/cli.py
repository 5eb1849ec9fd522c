"""The ``ccsim`` command: a Hydra 1.3 app.

Before Hydra starts any job, the command composes and validates the configuration of every job
the command line asks for, so a misspelt key, an unknown preset or a bad value stops the run with
one line naming the key, the value and what is allowed (exit status 2), never a traceback.

Exit statuses: 0 done; 1 a sweep in which any job failed (their ``error.json``) or whose
comparison report failed, with one line on stderr naming them (a single run that fails ends
with Hydra's report of the error, also status 1); 2 bad configuration, or a sweep folder that
holds another sweep (:mod:`ccsim.sweeps.hook`), or an output folder that cannot be written (a
read-only folder, a file in its path, a full disk: checked before anything runs,
:mod:`ccsim.runs.outputs`, and when the outputs are written); 130 and 143 interrupted by
SIGINT (Ctrl-C) and SIGTERM, with one line: the worker processes are stopped first
(:mod:`ccsim.runs.workers`).
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from ccsim.config import schema
from ccsim.config.overrides import force_new_names, schema_node
from ccsim.config.schema import register_configs
from ccsim.config.user_keys import check_unused_keys, file_keys, override_keys
from ccsim.errors import ConfigError, InputFileError, OutputError
from ccsim.planning.job import validate_planning
from ccsim.planning.modes import run_mode
from ccsim.runs.config_dir import (
    config_dir_of,
    files_relative_to,
    hydra_argv,
    job_config_dir,
    own_config_problem,
    register_resolvers,
)
from ccsim.runs.job import run_job_recording_errors, validate_config

__all__ = ["main"]

CONFIG_MODULE = "ccsim.conf"
CONFIG_SEARCH_PATH = "pkg://ccsim.conf"
CONFIG_GROUPS = ("scenario", "strategy")
register_configs()
register_resolvers()


def _fail(message: str) -> None:
    sys.stderr.write(f"ccsim: error: {message}\n")
    sys.exit(2)


def _one_line(exc: BaseException) -> str:
    """Hydra/OmegaConf errors span several lines; keep what names the key and the problem."""
    text = str(exc)
    cause = exc.__cause__
    if cause is not None and str(cause) not in text:
        text += "\n" + str(cause)
    keep = [
        ln.strip()
        for ln in text.splitlines()
        if ln.strip() and not ln.strip().startswith(("full_key:", "object_type", "reference_type"))
    ]
    return "; ".join(dict.fromkeys(keep))


def _check_override_keys(overrides: list[str]) -> None:
    """Misspelt keys get ccsim's one-line message (with a suggestion), not Hydra's."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    parser = OverridesParser.create()
    for text in overrides:  # one at a time: a syntax error names the override it is in
        try:
            parser.parse_overrides([text])
        except OverrideParseException as exc:
            key, _, value = text.partition("=")
            why = str(exc).split("\n", 1)[0].split("; See ", 1)[0]
            raise ConfigError(key or text, value, f"is not a valid override ({why})") from None
    for ov in parser.parse_overrides(overrides):
        key = ov.key_or_group
        if ov.is_hydra_override() or key in CONFIG_GROUPS or ov.is_delete():
            continue
        try:
            schema_node(key.split("."))
        except KeyError as exc:
            raise ConfigError(key, ov.get_value_element_as_str(), str(exc.args[0])) from None


def _explain_compose_error(exc: BaseException, overrides: list[str]) -> str:
    """Setting ``scenario.*`` on a multichannel preset (or ``centre.*`` on a single queue)
    makes OmegaConf complain about a None root; say what actually went wrong."""
    text = _one_line(exc).split("; Config search path:")[0]
    missing = re.search(r"Could not (?:load|find) '(\w+)/([^']+)'", text)
    if missing and missing.group(1) in CONFIG_GROUPS:
        group, name = missing.groups()
        return f"{group}={name}: unknown {group} preset {name!r}; allowed: " + ", ".join(
            _presets(group)
        )
    merge = re.match(r"Error merging override (.+?); (.+)", text)
    if merge:
        wrong_shape = _explain_wrong_shape(*merge.groups())
        if wrong_shape:
            return wrong_shape
    if "NoneType" in text or "Unexpected type: None" in text:
        for ov in overrides:
            key = ov.lstrip("+~").split("=", 1)[0]
            parts = key.split(".")
            if parts[0] in ("scenario", "centre") and len(parts) > 1:
                return (
                    f"{ov}: the selected preset has no '{parts[0]}' section; {parts[0]}.* keys "
                    f"belong to {_PRESET_KINDS[parts[0]]}"
                )
            if parts[0] == "strategy" and len(parts) > 2:
                return (
                    f"{ov}: strategy {parts[1]!r} is not selected in this job; choose it "
                    f"too, e.g. strategy=[{parts[1]}] (a sweep over strategy=... must select "
                    "it in every job)"
                )
    return _keyed(exc) or text


def _keyed(exc: BaseException) -> str | None:
    """OmegaConf's validation error as ``key: problem``: the key is on a ``full_key:`` line
    that :func:`_one_line` drops, and a value in a user's config file has no override to
    name it."""
    seen: BaseException | None = exc
    while seen is not None:
        key, msg = getattr(seen, "full_key", None), getattr(seen, "msg", None)
        if key and msg:
            return f"{key}: {str(msg).splitlines()[0]}"
        seen = seen.__cause__ or seen.__context__
    return None


def _explain_wrong_shape(override: str, why: str) -> str | None:
    """OmegaConf's words for a value of the wrong shape (a list where the schema has names and
    values, one value where it has a section...) turned into what the key takes."""
    key, _, value = override.lstrip("+~").partition("=")
    value = value.strip()
    given = "a list" if value.startswith("[") else "a mapping" if value.startswith("{") else None
    mapping = (
        f"{override}: {key} takes names and values (a mapping), not {given or 'one value'}: set "
        f"one entry with {key}.NAME=VALUE, or all of them with {key}={{NAME: VALUE, ...}}"
    )
    listing = f"{override}: {key} takes a list, not {given or 'one value'}: write {key}=[A, B, ...]"
    if "Cannot merge DictConfig with ListConfig" in why:
        return mapping if given == "a list" else listing
    if re.search(r"Cannot assign \w+ to Dict\[", why):
        return mapping
    if re.search(r"is not a ListConfig, list or tuple", why):
        return listing
    section = re.search(r"is not a subclass of (\w+)", why)
    if section:
        conf = getattr(schema, section.group(1), None)
        names = [f.name for f in dataclasses.fields(conf)] if dataclasses.is_dataclass(conf) else []
        fields = f" ({', '.join(names)})" if names else ""
        return (
            f"{override}: {key} is a section with fields of its own{fields}, not one value: set "
            f"a field, e.g. {key}.{names[0] if names else 'FIELD'}=VALUE"
        )
    scalar = re.search(r"of type '(list|dict)' could not be converted to (\w+)", why)
    if scalar:
        kind = {"Integer": "an integer", "Float": "a number", "Boolean": "true or false"}
        wants = kind.get(scalar.group(2), "a single value")
        return f"{override}: {key} takes {wants}, not {given or 'a ' + scalar.group(1)}"
    return None


def _presets(group: str) -> list[str]:
    """The YAML presets packaged in ``ccsim/conf/<group>``."""
    from importlib.resources import files

    folder = files(CONFIG_MODULE).joinpath(group)
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


_PRESET_KINDS = {
    "scenario": "single-queue presets (scenario=default_day, erlang_b, erlang_c, erlang_a)",
    "centre": "multichannel presets (scenario=default_week, small_centre)",
}


def _job_overrides(overrides: list[str]) -> list[list[str]]:
    """One override list per value of each sweep (others at their first value): every key and
    every swept value is checked without composing the whole cartesian product."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    base: list[str] = []
    sweeps: list[tuple[int, list[str]]] = []
    for i, ov in enumerate(parsed):
        if ov.is_sweep_override():
            if not (ov.is_choice_sweep() or ov.is_range_sweep()):
                base.append("")  # glob/interval: expanded by Hydra; checked as each job starts
                continue
            values = list(ov.sweep_string_iterator())
            key = ov.get_key_element()
            choices = [f"{key}={v}" for v in values]
            base.append(choices[0])
            sweeps.append((i, choices))
        else:
            base.append(ov.input_line or f"{ov.get_key_element()}={ov.get_value_string()}")
    variants = [base]
    for i, choices in sweeps:
        for choice in choices[1:]:
            v = list(base)
            v[i] = choice
            variants.append(v)
    return [[o for o in v if o] for v in variants]


def _sweeper_params(compose: Any, config_name: str, overrides: list[str]) -> list[str]:
    """Sweeps a config lists under ``hydra.sweeper.params`` (a study's own sweep), as
    overrides; the command line's own value for the same key wins, as in Hydra."""
    cfg = compose(config_name=config_name, overrides=overrides, return_hydra_config=True)
    params = cfg.hydra.sweeper.get("params") or {}
    given = {ov.lstrip("+~").split("=", 1)[0] for ov in overrides}
    return [f"{k}={v}" for k, v in params.items() if k not in given]


def _check_sweep_base(compose: Any, config_name: str, overrides: list[str]) -> None:
    """Hydra composes a sweep's config once without the swept values before any job starts;
    ``scenario=erlang_c,erlang_a scenario.agents=20`` fails there (the default preset has no
    ``scenario`` section) although every job would compose. Say so in one line."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed = [
        ov.input_line or f"{ov.get_key_element()}={ov.get_value_string()}"
        for ov in parsed
        if not ov.is_sweep_override()
    ]
    try:
        compose(config_name=config_name, overrides=fixed)
    except Exception as exc:
        _fail(
            _explain_compose_error(exc, fixed)
            + " (a sweep is first composed without its swept values: put the fixed values in a "
            "study config after its preset, as experiments/e_erlang_sweep does)"
        )


def precheck(argv: list[str]) -> None:
    """Compose and validate every job's config from the command line; exit 2 on bad input."""
    from hydra import compose, initialize_config_dir, initialize_config_module
    from hydra._internal.utils import get_args_parser
    from hydra.core.global_hydra import GlobalHydra

    args = get_args_parser().parse_args(argv)  # bad flags: argparse exits 2 with usage
    if args.help or args.hydra_help or args.info or args.shell_completion or args.cfg:
        return  # Hydra prints and exits without running jobs
    if args.config_path:
        return  # the user's own config tree: each job validates its config as it starts
    config_name = args.config_name or "config"
    overrides = force_new_names(list(args.overrides), CONFIG_GROUPS)
    try:
        _check_override_keys(overrides)
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # override syntax errors
        _fail(_one_line(exc))
    GlobalHydra.instance().clear()
    extra: list[str] = []
    study: set[str] = set()  # keys the study's own config file sets
    files_dir: Path | None = None  # relative file names in the config: from this folder
    if args.config_dir:
        # A study folder (experiments/*) or a centre's own (docs/planner_quickstart.md): its
        # configs build on ccsim's packaged ones (ccsim.runs.config_dir).
        config_dir = Path(args.config_dir).resolve()
        if not config_dir.is_dir():
            _fail(f"--config-dir {args.config_dir}: no such directory")
        problem = own_config_problem(args.config_dir, config_name)
        if problem:
            _fail(problem)
        files_dir = Path(args.config_dir)
        if (config_dir / f"{config_name}.yaml").is_file():
            study = file_keys(config_dir / f"{config_name}.yaml")
        init: Any = initialize_config_dir(config_dir=str(config_dir), version_base="1.3")
        extra = [f"hydra.searchpath=[{CONFIG_SEARCH_PATH}]"]
    else:
        init = initialize_config_module(config_module=CONFIG_MODULE, version_base="1.3")
    try:
        with init, files_relative_to(files_dir):
            try:
                variants = _job_overrides(overrides) if args.multirun else [overrides]
                if args.multirun:
                    params = _sweeper_params(compose, config_name, variants[0] + extra)
                    variants = _job_overrides(params + overrides)
                    _check_sweep_base(compose, config_name, overrides + extra)
            except Exception as exc:  # override syntax errors
                _fail(_explain_compose_error(exc, overrides))
            for job in variants:
                try:
                    cfg = compose(config_name=config_name, overrides=job + extra)
                except Exception as exc:
                    _fail(_explain_compose_error(exc, job))
                try:
                    validate_config(cfg)
                    if cfg.get("mode", "run") != "run":
                        validate_planning(cfg)
                    # Keys the user set (not a preset's) that the config's switches leave unused.
                    check_unused_keys(cfg, override_keys(job) | study)
                except (ConfigError, InputFileError) as exc:
                    _fail(str(exc))
    finally:
        GlobalHydra.instance().clear()


def _job(cfg: DictConfig) -> None:
    """One Hydra job: its files read relative to its ``--config-dir`` folder, if any."""
    with files_relative_to(job_config_dir()):
        _run(cfg)


# ccsim's packaged configs; with --config-dir, the folder's first, then the packaged ones
# (hydra_argv adds them to the search path): the folder's config.yaml is the primary config.
_hydra_main = hydra.main(version_base="1.3", config_path="conf", config_name="config")(_job)
_folder_main = hydra.main(version_base="1.3", config_path=None, config_name="config")(_job)


def _run(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    if cfg.get("mode", "run") != "run":
        try:
            run_mode(cfg, Path(hc.runtime.output_dir))
        except (ConfigError, InputFileError, OutputError) as exc:
            _fail(str(exc))
        return
    try:
        # In a sweep a failing job leaves error.json and the others go on.
        run_job_recording_errors(
            cfg, Path(hc.runtime.output_dir), keep_going=hc.mode == RunMode.MULTIRUN
        )
    except (ConfigError, InputFileError) as exc:  # precheck normally catches these first
        _fail(str(exc))
    except OutputError as exc:  # a single run's outputs (a sweep's job: its error.json)
        _fail(str(exc))


def _versions() -> str:
    from importlib.metadata import version

    from ccsim.version import __version__

    deps = ", ".join(f"{name} {version(name)}" for name in ("hydra-core", "simpy", "numpy"))
    return f"ccsim {__version__} ({deps}, Python {sys.version.split()[0]})"


def _interrupted(signum: int) -> None:
    """Stop the workers, say so in one line and exit with 128 + the signal's number."""
    from ccsim.runs.workers import say_interrupted, stop_workers
    from ccsim.sweeps.hook import SWEEP

    stop_workers()
    resume = ""
    if SWEEP.dir is not None and not SWEEP.ended:
        resume = f"; the same command resumes the sweep in {SWEEP.dir} (finished jobs are kept)"
    sys.stderr.flush()
    say_interrupted(signum, resume)
    sys.exit(128 + signum)


def _sweep_failures() -> None:
    """After a sweep: exit 1 with one line if any job (or the comparison report) failed."""
    from ccsim.sweeps.hook import SWEEP

    line = SWEEP.failure_line() if SWEEP.ended else None
    if line:
        sys.stderr.write(f"ccsim: {line}\n")
        sys.exit(1)


def main() -> None:
    """Console entry point: validate, then hand over to Hydra (single run or ``-m`` sweep)."""
    if sys.argv[1:] == ["--version"]:  # Hydra's own --version would print Hydra's
        print(_versions())
        return
    import signal

    from ccsim.runs.workers import command_signals
    from ccsim.sweeps.hook import SWEEP

    SWEEP.clear()  # this command's sweep, if any (tests run several commands in one process)
    # SIGINT/SIGTERM raise an exception, caught below; worker processes exit when this
    # process is gone, even by SIGKILL.
    import logging

    # A log file (cli.log) on a disk that fills up: no traceback on stderr per log line; the
    # outputs' own write then fails with one line.
    raise_log_errors, logging.raiseExceptions = logging.raiseExceptions, False
    with command_signals():
        try:
            precheck(sys.argv[1:])
            # New names in the user's own mappings (prices per pool, targets per channel) need
            # Hydra's ++; the precheck composed with it, so must Hydra.
            argv = force_new_names(sys.argv[1:], CONFIG_GROUPS)
            sys.argv = [sys.argv[0], *hydra_argv(argv)]
            (_folder_main if config_dir_of(argv) else _hydra_main)()
        except KeyboardInterrupt as exc:  # ccsim.runs.workers.Interrupted, or a plain Ctrl-C
            _interrupted(getattr(exc, "signum", signal.SIGINT))
        finally:
            logging.raiseExceptions = raise_log_errors
    _sweep_failures()


if __name__ == "__main__":
    main()
