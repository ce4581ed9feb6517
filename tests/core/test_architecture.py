"""Guards of the house rules: no import cycles in app/, and the pure code loads no Flask."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = ("app.geo", "app.text", "app.editorial.workflow", "app.editorial.needs", "app.gatherings.times")


# Import cycles ------------------------------------------------------------------------------

def module_files(root: Path, package: str = "app") -> dict[str, Path]:
    found = {}
    for path in (root / package).rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def run_at_import(body: list[ast.stmt]):
    """The import statements a module runs when it is imported: at its top level, in if/try/with
    blocks and class bodies. Not inside functions: those run when called, once every module
    has loaded, so they cannot meet a half-loaded module (and the house avoids them anyway).
    Not under `if TYPE_CHECKING:` either, which never runs."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from run_at_import(node.orelse)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from run_at_import(getattr(node, field, None) or [])


def import_graph(root: Path, package: str = "app") -> dict[str, set[str]]:
    """module -> the modules of the package it imports when loaded. `from a import b` names
    a.b when that is a module, else a (whose __init__ must have run to the end)."""
    modules = module_files(root, package)
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in run_at_import(ast.parse(path.read_text(), str(path)).body):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names if alias.name in modules)
                continue
            base = node.module or ""
            if node.level:  # relative: from the module's package, up level - 1
                here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                here = here[:len(here) - node.level + 1]
                base = ".".join(here + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    edges.add(f"{base}.{alias.name}")
                elif base in modules:
                    edges.add(base)
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_in_app():
    graph = import_graph(ROOT)
    assert len(graph) > 50 and "app.directory.services" in graph["app.blog.services"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_and_reads_the_forms_of_import(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "import pkg.c\n",
        "pkg/c.py": "try:\n    from .a import thing\nexcept ImportError:\n    pass\n",
        "pkg/d.py": "def later():\n    from pkg import a\n",
        "pkg/e.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n",
        "pkg/sub/__init__.py": "from ..e import x\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.d"] == set() and graph["pkg.e"] == set()
    assert graph["pkg.sub"] == {"pkg.e"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


# Pure code ----------------------------------------------------------------------------------

LOADED = """
import importlib, json, pkgutil, sys
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    for found in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
        importlib.import_module(found.name)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules
                         if m.split(".")[0] in ("flask", "werkzeug") or m.startswith("flask_")})))
"""


def web_framework_loaded_by(*modules: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", LOADED, *modules], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_geo_text_and_the_workflow_load_no_flask():
    assert web_framework_loaded_by(*PURE) == []


@pytest.mark.parametrize("module", ["app.mail", "app.factory"])
def test_the_check_sees_flask_where_it_is(module):
    assert "flask" in web_framework_loaded_by(module)
