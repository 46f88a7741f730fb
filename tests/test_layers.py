"""Imports go down the layers, and there is no import circle.

Layers, from the ground up:
0. ``errors``                                            imports nothing of ours
1. ``runtime``, ``assets``, ``archives``, ``models``, ``net``, ``media``: shared, no capability
2. the capabilities: ``colorize``, ``speech``, ``separate``, ``research``, ``basics``
   (they never import each other)
3. ``app``, ``handout``, ``catalog``, ``__main__``          on top

Imports inside functions count too: a lazy import is still an arrow in the house.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workshop_lib"
CAPABILITIES = {"colorize", "speech", "separate", "research", "basics"}
SHARED = {"runtime", "assets", "archives", "models", "net", "media"}
TOP = {"app", "handout", "catalog", "__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The workshop_lib modules a file imports (absolute names)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("workshop_lib")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("workshop_lib"):
                continue
            found.add(module)
            for alias in node.names:  # "from . import runtime" names a module
                candidate = f"{module}.{alias.name}"
                if _exists(candidate):
                    found.add(candidate)
    found.discard(name)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(module: str) -> int:
    part = _part(module)
    if part in ("", "errors"):
        return 0 if part == "errors" else 3
    if part in SHARED:
        return 1
    if part in CAPABILITIES:
        return 2
    return 3


GRAPH = {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_down_the_layers(module):
    if module == "workshop_lib":
        return  # the package's front door re-exports errors and runtime only
    wrong = []
    for target in sorted(GRAPH[module]):
        if target == "workshop_lib":
            continue
        same_part = _part(target) == _part(module)
        if same_part:
            continue
        above = _layer(target) > _layer(module)
        beside = _layer(module) == _layer(target) == 2  # capabilities never import each other
        if above or beside:
            wrong.append(target)
    assert not wrong, f"{module} imports {wrong}, which sit above it or beside it"


def test_no_import_circles():
    seen, stack, circles = set(), [], []

    def visit(node):
        if node in stack:
            circles.append([*stack[stack.index(node) :], node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in sorted(GRAPH.get(node, ())):
            if target in GRAPH and not target.startswith(node + ".") and target != "workshop_lib":
                visit(target)
        stack.pop()

    for module in sorted(GRAPH):
        visit(module)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles[:5])
