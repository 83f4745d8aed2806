"""The package's shape: imports point one way, and no public name hides a submodule."""

import ast
import importlib
import pkgutil
from pathlib import Path

import tinygrad_edu

PACKAGE = Path(tinygrad_edu.__file__).parent
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)]))


def _runtime_nodes(tree):
    """Every node of ``tree`` except what sits under ``if TYPE_CHECKING:`` (imports made
    only for type hints: they are never run, so they add no dependency)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in (
                "TYPE_CHECKING",
                "typing.TYPE_CHECKING",
            ):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _imports(module):
    """The package's modules that ``module`` imports anywhere in its source (functions too),
    type-only imports aside."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tinygrad_edu."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(
                a.name.split(".")[1] for a in node.names if a.name.startswith("tinygrad_edu.")
            )
    return found & set(MODULES) - {module}


def test_the_package_has_no_import_cycle():
    graph = {m: _imports(m) for m in MODULES if m != "__init__"}
    graph = {m: deps - {"__init__", "__main__"} for m, deps in graph.items()}
    state = {}

    def visit(m, path):
        if state.get(m) == "done":
            return
        assert state.get(m) != "open", "import cycle: " + " -> ".join(path + [m])
        state[m] = "open"
        for dep in sorted(graph.get(m, ())):
            visit(dep, path + [m])
        state[m] = "done"

    for m in graph:
        visit(m, [])


def test_type_only_imports_are_not_dependencies():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .engine import Value\n"
        "else:\n    from .ops import Op\ndef f():\n    from .graph import node_names\n"
    )
    imported = {n.module for n in _runtime_nodes(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {"typing", "ops", "graph"}


def test_the_engine_sits_below_the_tools():
    # i18n (standard library only) translates the error messages, so the bottom may use it.
    assert _imports("i18n") == set()
    assert _imports("ops") <= {"i18n"}
    assert _imports("formula") <= {"i18n"}
    assert _imports("engine") <= {"ops", "formula", "i18n"}
    assert "codegen" not in _imports("explain")


def test_no_public_name_hides_a_submodule():
    for name in MODULES:
        if name.startswith("_"):
            continue
        module = importlib.import_module(f"tinygrad_edu.{name}")
        public = getattr(tinygrad_edu, name, module)
        assert public is module, f"tinygrad_edu.{name} is {public!r}, not the module"


def test_tools_read_graphs_through_public_attributes():
    for name in ("explain", "viz", "codegen", "cli", "formula", "graph", "delta", "nn"):
        source = (PACKAGE / f"{name}.py").read_text()
        for private in ("._fn", "._a ", "._b ", "._a,", "._b,", "._a)", "._b)"):
            assert private not in source, (
                f"{name}.py reads the engine's private {private.strip(' ,)')}"
            )
