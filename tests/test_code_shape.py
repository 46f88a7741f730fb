"""The shape the code keeps: no function over 80 lines, and no module over about 600 lines
unless its docstring says why (it mentions "600 lines")."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workshop_lib"
MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_functions_are_short_and_long_modules_say_why(path):
    source = path.read_text("utf-8")
    tree = ast.parse(source)
    if source.count("\n") > 600:
        assert "600 lines" in (ast.get_docstring(tree) or ""), (
            f"{path.name} has {source.count(chr(10))} lines and its docstring does not say why"
        )
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= 80, f"{path.name}: {node.name} has {length} lines"
