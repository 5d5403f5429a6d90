"""The core's layering: which module may import which, and no import circle.

Imports are read from the source (module level and inside functions alike: an import
deferred into a function is still an import), so a circle shows here before it shows at
run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dfslim"

# bottom first; a module may import modules of its own layer or of a layer below
LAYERS = (
    ("dfslim.regex", "dfslim.units", "dfslim.model", "dfslim.values", "dfslim.images"),
    ("dfslim.shell", "dfslim.parser", "dfslim.savings", "dfslim.packages", "dfslim.pipcache", "dfslim.context", "dfslim.suppress"),
    ("dfslim.tools",),
    ("dfslim.graph", "dfslim.purpose", "dfslim.effects", "dfslim.fetched", "dfslim.edits", "dfslim.sizes"),
    ("dfslim.api",),
    ("dfslim.registry", "dfslim.linter", "dfslim.config", "dfslim.fixer", "dfslim.discovery", "dfslim.links", "dfslim.explain"),
    ("dfslim.reporters", "dfslim.lsp", "dfslim.measure", "dfslim.stages", "dfslim.regex_programs", "dfslim.cli", "dfslim.console", "dfslim.__main__", "dfslim"),
)
MAX_LINES = 800


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The dfslim modules `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # `from dfslim.tools import apt` imports the submodule `dfslim.tools.apt`
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in MODULES and target != name)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> int:
    for index, layer in enumerate(LAYERS):
        if any(name == member or name.startswith(member + ".") for member in layer if member != "dfslim"):
            return index
    if name == "dfslim":
        return len(LAYERS) - 1
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in {Path(__file__).name}")


def test_every_module_has_a_layer():
    for name in MODULES:
        _layer(name)


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_imports_go_down_or_sideways(name):
    upward = sorted(target for target in GRAPH[name] if _layer(target) > _layer(name))
    assert upward == [], f"{name} (layer {_layer(name)}) imports modules of a layer above it"


def test_no_import_circle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                circle = path[path.index(target) :] + [target]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_the_model_imports_nothing_of_dfslim():
    assert GRAPH["dfslim.model"] == set()


def test_tool_modules_declare_and_do_not_read():
    """A tool module is data: it may use the spec and other tool modules, never the
    reader (which loads them) or anything above."""
    for name, targets in GRAPH.items():
        if name.startswith("dfslim.tools."):
            assert "dfslim.tools" not in targets, f"{name} imports the reader"


def test_the_detector_sees_function_level_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from dfslim.api import Edit\n    import dfslim.parser\n")
    assert _imports("dfslim.shell.x", module) == {"dfslim.api", "dfslim.parser"}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_core_modules_stay_small(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by concern"
