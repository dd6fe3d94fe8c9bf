"""The package's shape: modules import alone, imports flow one way, layers stay light, and no
module keeps state of its own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sandbox"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "assets" not in path.parts
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str) -> set[str]:
    """The sandbox modules one import statement loads (``from a import b``: ``a.b`` when that
    is a module, else ``a``)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
        for _ in range(node.level - 1):
            package = package.rsplit(".", 1)[0]
        base = f"{package}.{base}" if base else package
    found = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES}
    if len(found) < len(node.names) and base in MODULES:
        found.add(base)
    return found


def module_level_imports(module: str) -> set[str]:
    """The sandbox modules ``module`` imports when it is imported (``TYPE_CHECKING`` aside)."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    found: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= _imported(node, module)
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            pending += [*node.body, *node.orelse]
        elif isinstance(node, ast.Try):
            pending += [*node.body, *node.orelse, *node.finalbody]
            pending += [stmt for handler in node.handlers for stmt in handler.body]
    return found - {module}


def function_level_imports(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    found: set[str] = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found |= _imported(node, module)
    return found - {module}


GRAPH = {module: module_level_imports(module) for module in MODULES}


def reaches(start: str, goal: str, graph: dict[str, set[str]]) -> bool:
    seen, stack = set(), [start]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(graph.get(current, ()))
    return False


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_among_module_level_imports() -> None:
    assert find_cycle(GRAPH) is None


def test_no_function_level_import_would_close_a_cycle() -> None:
    """A function-level import is there for laziness (uvicorn, Faker, the plugin's helpers),
    never to dodge a cycle: made module-level, none of them would close one."""
    closing = [
        f"{module} -> {target}"
        for module in MODULES
        for target in sorted(function_level_imports(module))
        if reaches(target, module, GRAPH)
    ]
    assert closing == []


def test_every_module_imports_in_a_fresh_interpreter_in_alphabetical_order() -> None:
    names = sorted(name for name in MODULES if name != "sandbox.__main__")
    code = f"import importlib\nfor name in {names!r}:\n    importlib.import_module(name)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["sandbox.store", "sandbox.scenario.engine", "sandbox.domain"])
def test_the_store_the_engine_and_the_domain_load_no_reader_or_web_framework(module: str) -> None:
    heavy = ("yaml", "jsonschema", "starlette", "uvicorn", "faker")
    code = f"import sys, {module}; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_serving_the_default_fixture_loads_no_schema_checker_nor_faker() -> None:
    """``sandbox serve``'s start (what ``cli.serve`` imports and builds) checks nothing
    against a JSON Schema and generates no product: jsonschema, fastjsonschema and Faker are
    imported when first needed (a posted scenario or state, a generated product), not before
    the server is healthy."""
    code = (
        "import sys\n"
        "import uvicorn\n"
        "from sandbox.cli import serve\n"
        "from sandbox.fixtures import load_fixture\n"
        "from sandbox.http.app import create_app\n"
        "from sandbox.http.limits import uvicorn_options\n"
        "from sandbox.persistence import load_if_present\n"
        "from sandbox.settings import Settings\n"
        "from sandbox.store import Store\n"
        "settings = Settings()\n"
        "app = create_app(Store(load_fixture(None)), settings)\n"
        "uvicorn_options(settings)\n"
        "heavy = ('jsonschema', 'fastjsonschema', 'faker')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


_STATEFUL_CALLS = {"count", "Random", "deque", "defaultdict", "Counter", "OrderedDict", "dict",
                   "list", "set", "Lock", "local"}  # fmt: skip


def module_state(module: str) -> list[str]:
    """Module-level names bound to containers or counters meant to change, and ``global``."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    found = [
        f"{module}: global {', '.join(node.names)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Global)
    ]
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            value = node.value
            call = value.func if isinstance(value, ast.Call) else None
            called = getattr(call, "id", None) or getattr(call, "attr", None)
            display = isinstance(value, ast.Dict | ast.List | ast.Set)
            for name in names:
                constant = name.isupper() or name == "__all__"
                if called in _STATEFUL_CALLS or (display and not constant):
                    found.append(f"{module}: {name}")
    return found


def test_the_state_finder_finds_planted_state(tmp_path: Path) -> None:
    planted = PACKAGE / "_planted_state_probe.py"
    planted.write_text("import itertools\n_ids = itertools.count()\ncache = {}\nLIMIT = 3\n")
    try:
        MODULES["sandbox._planted_state_probe"] = planted
        assert module_state("sandbox._planted_state_probe") == [
            "sandbox._planted_state_probe: _ids",
            "sandbox._planted_state_probe: cache",
        ]
    finally:
        del MODULES["sandbox._planted_state_probe"]
        planted.unlink()


def test_no_module_keeps_mutable_state_of_its_own() -> None:
    """State lives in the objects the backend owns, never in a module."""
    assert [found for module in MODULES for found in module_state(module)] == []
