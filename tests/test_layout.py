"""The package's layout: rooms in layers, no import cycles, small modules.

Every module under ``src/ccsim`` is parsed with :mod:`ast` (nothing is imported). Every import
statement counts: at module level, inside functions, and under ``if TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "ccsim"

# The rooms of the package from low to high: a module may import from its own room and the
# rooms in the layers below it, never from above. A room is a subpackage (``engine``) or a
# top-level module (``errors``); ``__init__`` is the package's public face, ``conf`` holds
# the Hydra YAML files.
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer)
    for layer in (
        {"errors", "version", "conf"},
        {"model"},
        {"inputs"},
        {"engine"},
        {"config"},  # config.centre checks the routing name against engine.routing's routers
        {"analysis"},
        {"reports"},
        {"runs"},  # runs.job writes each job's report (reports.report)
        {"sweeps"},
        {"planning"},  # staffing search, shift scheduling and the cheapest plan run jobs
        {"cli", "__main__", "__init__"},
    )
)

MAX_LINES = 450


@dataclass(frozen=True)
class Import:
    target: str  # the module imported (a package means its __init__.py)
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _imports(module: str) -> list[Import]:
    """The ccsim modules ``module`` imports, each with the line of its (first) import."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's own package upwards
                package = module.split(".") if _is_package(module) else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for a in node.names:
                submodule = f"{source}.{a.name}"
                found.append(Import(submodule if submodule in MODULES else source, node.lineno))
    first: dict[str, Import] = {}  # one per module imported: its first import statement
    for i in sorted(found, key=lambda i: i.line):
        if i.target == "ccsim" or i.target.startswith("ccsim."):
            first.setdefault(i.target, i)
    return list(first.values())


GRAPH: dict[str, list[Import]] = {m: _imports(m) for m in MODULES}


def _where(module: str, imp: Import) -> str:
    return f"{MODULES[module].relative_to(SRC)}:{imp.line} imports {imp.target}"


def test_every_room_has_a_layer():
    placed = set().union(*LAYERS)
    missing = sorted({_room(m) for m in MODULES} - placed)
    assert not missing, f"rooms missing from LAYERS in {__file__}: {', '.join(missing)}"


def test_imports_name_modules_of_the_package():
    unknown = [
        _where(m, imp) for m, imps in GRAPH.items() for imp in imps if imp.target not in MODULES
    ]
    assert not unknown, "imports of modules that do not exist:\n" + "\n".join(unknown)


def test_no_import_cycles():
    """Depth-first search; each cycle found is reported once, as the chain of its imports."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[tuple[str, Import]] = []
    cycles: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        for imp in GRAPH[module]:
            target = imp.target
            if target == module or target not in MODULES:
                continue
            if state.get(target) == 1:
                start = next(i for i, (m, _) in enumerate(path) if m == target)
                chain = [*path[start:], (module, imp)]
                cycles.append("\n  ".join(_where(m, i) for m, i in chain))
            elif target not in state:
                path.append((module, imp))
                visit(target)
                path.pop()
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n  " + "\n\n  ".join(cycles)


def _layer(room: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if room in layer)


def test_rooms_import_only_their_own_room_and_those_below():
    upward = []
    for module, imps in sorted(GRAPH.items()):
        level = _layer(_room(module))
        for imp in imps:
            if imp.target not in MODULES:
                continue
            room = _room(imp.target)
            if _layer(room) > level:
                below = [r for layer in LAYERS[: level + 1] for r in sorted(layer)]
                upward.append(
                    f"{_where(module, imp)}: room {_room(module)!r} is below room {room!r}; "
                    f"it may import only from {', '.join(below)}"
                )
    assert not upward, "imports from a room above:\n" + "\n".join(upward)


def test_modules_are_short():
    long = []
    for path in MODULES.values():
        name = path.relative_to(SRC).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long.append(f"{name}: {lines} lines")
    assert not long, f"modules over {MAX_LINES} lines (split them by concept):\n" + "\n".join(long)
