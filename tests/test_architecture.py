"""The package's shape, as docs/architecture.md states it: layers and who may import whom, no
import cycles (imports inside functions count), small modules, classes and functions, and a
leading underscore on every module that is not public."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cw_logging"

BOTTOM = {"errors", "_secrets", "_options", "_limits", "_resilience", "_records", "_lazy"}
WRITE_PATH = {"context", "pii", "formatter", "spool", "delivery", "handler"}

# layer -> the layers it may import ("delivery.transport" is the only part of delivery that the
# read side may use). The root package imports its public names lazily, by name.
MAY_IMPORT: dict[str, set[str]] = {
    "_secrets": set(),
    "errors": {"_secrets"},
    "_records": set(),
    "_moved": set(),
    "_lazy": set(),
    "_options": {"errors"},
    "_limits": {"errors", "_options"},
    "_resilience": {"errors", "_options", "_secrets"},
    "context": set(),
    "pii": {"errors", "_options", "_records"},
    "formatter": {"errors", "_options", "_records", "context", "pii"},
    "spool": {"errors", "_options", "_limits", "_resilience", "_lazy"},
    "delivery": {"errors", "_options", "_limits", "_resilience", "_records", "spool"},
    "handler": BOTTOM | WRITE_PATH,
    "query": {"errors", "_options", "_limits", "delivery.transport"},
    "local": {"errors", "_options", "_limits", "delivery.transport"},
    "testing": BOTTOM | {"context", "formatter", "handler", "local", "query", "delivery.transport"},
    "cli": BOTTOM | WRITE_PATH | {"(root)", "query", "local", "testing", "delivery.transport"},
    "(root)": {"errors", "_moved", "_lazy"},
}

PUBLIC_MODULES = {
    "cw_logging.errors",
    "cw_logging.query.admin",
    "cw_logging.testing.pytest_plugin",
    "cw_logging.cli.__main__",
    "cw_logging.local.__main__",
}

MAX_MODULE_LINES = 450
MAX_CLASS_LINES = 350
MAX_FUNCTION_LINES = 80


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def load_modules() -> dict[str, Module]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        modules[name] = Module(name, path, ast.parse(path.read_text(), str(path)))
    return modules


MODULES = load_modules()


def type_checking_nodes(tree: ast.Module) -> set[int]:
    """Nodes under ``if TYPE_CHECKING:``: annotations, never imported at run time."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def resolve(name: str) -> str | None:
    """The package module that ``name`` (a module or a name inside one) belongs to."""
    while name not in MODULES:
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(module: Module) -> Iterator[tuple[str, int]]:
    """(imported package module, line) for every import in ``module``, at any depth."""
    skipped = type_checking_nodes(module.tree)
    base = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    for node in ast.walk(module.tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = base[: len(base) - node.level + 1]
                target = ".".join([*prefix, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            resolved = resolve(name) if name.startswith("cw_logging") else None
            if resolved is not None and resolved != module.name:
                yield resolved, node.lineno


def layer_of(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "(root)"
    if parts[1] == "delivery" and len(parts) > 2 and parts[2] == "transport":
        return "delivery.transport"
    return parts[1]


def allowed(importer: str, imported: str) -> bool:
    source, target = layer_of(importer), layer_of(imported)
    if source == "delivery.transport":
        source = "delivery"
    if source == target or (source == "delivery" and target == "delivery.transport"):
        return True
    rules = MAY_IMPORT[source]
    return target in rules or (target == "delivery.transport" and "delivery" in rules)


def test_every_layer_has_a_rule() -> None:
    layers = {layer_of(name) for name in MODULES} - {"delivery.transport"}
    assert layers == set(MAY_IMPORT), "add the new layer to MAY_IMPORT and docs/architecture.md"


def test_modules_import_only_what_their_layer_may() -> None:
    broken = [
        f"{module.name}:{line} imports {target}"
        for module in MODULES.values()
        for target, line in imports_of(module)
        if not allowed(module.name, target)
    ]
    assert broken == []


def test_the_write_path_never_imports_the_read_path() -> None:
    read_side = {"query", "local", "testing", "cli"}
    offenders = [
        f"{module.name} imports {target}"
        for module in MODULES.values()
        if layer_of(module.name) in WRITE_PATH | BOTTOM | {"delivery.transport"}
        for target, _ in imports_of(module)
        if layer_of(target) in read_side
    ]
    assert offenders == []


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_modules() -> None:
    graph = {name: {target for target, _ in imports_of(module)} for name, module in MODULES.items()}
    assert find_cycles(graph) == []


def test_modules_classes_and_functions_stay_small() -> None:
    too_big = []
    for module in MODULES.values():
        lines = module.path.read_text().count("\n")
        if lines > MAX_MODULE_LINES:
            too_big.append(f"module {module.name}: {lines} lines")
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                is_class = isinstance(node, ast.ClassDef)
                if size > (MAX_CLASS_LINES if is_class else MAX_FUNCTION_LINES):
                    kind = "class" if is_class else "function"
                    too_big.append(f"{kind} {module.name}.{node.name}: {size} lines")
    assert too_big == []


def test_modules_that_are_not_public_start_with_an_underscore() -> None:
    unmarked = [
        name
        for name, module in MODULES.items()
        if not module.is_package
        and not name.rsplit(".", 1)[-1].startswith("_")
        and name not in PUBLIC_MODULES
    ]
    assert unmarked == []


@pytest.mark.parametrize("name", sorted(PUBLIC_MODULES))
def test_the_public_modules_exist(name: str) -> None:
    assert name in MODULES
