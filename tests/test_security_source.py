"""SECURITY.md, "Deserialisation" and "Subprocesses": the package's source is read and checked.

Every Python file of ``workshop_lib`` is parsed (not grepped, so comments and docstrings do not
count) and every call is checked:

- no pickle (nor its relatives) loads anything, except through an unpickler named in
  :data:`ALLOWED_UNPICKLERS` that restricts what it builds (it overrides ``find_class``);
  ``torch.load`` always with ``weights_only=True``; ``numpy.load`` never with
  ``allow_pickle=True``; no ``yaml.load`` without the safe loader;
- no ``shell=True``, no ``os.system`` / ``os.popen`` or other shell-run helpers, and every
  program is started with an argument list, never a command string.

Each check is also run on a small bad example, so a check that can no longer fail is noticed.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workshop_lib"

ALLOWED_UNPICKLERS = {
    # Spleeter's released checkpoints: a pickled dict of numpy arrays, read by an unpickler
    # that builds arrays and plain containers only.
    "workshop_lib/separate/released.py:_ArraysOnly",
}
PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "marshal"}
SHELL_CALLS = {
    ("os", "system"),
    ("os", "popen"),
    ("subprocess", "getoutput"),
    ("subprocess", "getstatusoutput"),
    ("asyncio", "create_subprocess_shell"),
    ("pty", "spawn"),
}
STARTERS = {"run", "Popen", "call", "check_call", "check_output"}


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.resolve().relative_to(PACKAGE.parent).as_posix()


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for an attribute chain or a name; "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def keyword(call: ast.Call, name: str):
    return next((k.value for k in call.keywords if k.arg == name), None)


def is_true(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def deserialisation_problems(tree: ast.AST, where: str) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {dotted(base) for base in node.bases}
            if bases & {"pickle.Unpickler", "Unpickler", "_pickle.Unpickler"}:
                methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
                if f"{where}:{node.name}" not in ALLOWED_UNPICKLERS:
                    problems.append(f"{where}:{node.lineno} unpickler {node.name} not allowed")
                elif "find_class" not in methods:
                    problems.append(f"{where}:{node.lineno} {node.name} restricts nothing")
        if not isinstance(node, ast.Call):
            continue
        called = dotted(node.func)
        module, _, attr = called.rpartition(".")
        if module in PICKLE_MODULES and attr in ("load", "loads", "Unpickler"):
            problems.append(f"{where}:{node.lineno} {called}")
        elif called in ("shelve.open", "pandas.read_pickle", "pd.read_pickle"):
            problems.append(f"{where}:{node.lineno} {called}")
        elif called == "torch.load" and not is_true(keyword(node, "weights_only")):
            problems.append(f"{where}:{node.lineno} torch.load without weights_only=True")
        elif called in ("np.load", "numpy.load") and is_true(keyword(node, "allow_pickle")):
            problems.append(f"{where}:{node.lineno} {called} with allow_pickle=True")
        elif called in ("yaml.load", "yaml.unsafe_load", "yaml.full_load"):
            loader = dotted(keyword(node, "Loader") or ast.Constant(None))
            if called != "yaml.load" or "Safe" not in loader:
                problems.append(f"{where}:{node.lineno} {called} without the safe loader")
    return problems


def _assigned_text(function: ast.AST | None, name: str) -> bool:
    """True when ``name`` is given a string (a command line) anywhere in ``function``."""
    if function is None:
        return False
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            if _is_text(node.value):
                return True
    return False


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join") and _is_text(node.func.value)
    return False


def subprocess_problems(tree: ast.AST, where: str) -> list[str]:
    problems = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]

    def enclosing(call: ast.Call):
        inside = [f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or 0)]
        return max(inside, key=lambda f: f.lineno, default=None)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if is_true(keyword(node, "shell")):
            problems.append(f"{where}:{node.lineno} shell=True")
        called = dotted(node.func)
        module, _, attr = called.rpartition(".")
        if (module, attr) in SHELL_CALLS:
            problems.append(f"{where}:{node.lineno} {called} runs a shell")
        if module in ("subprocess", "sp") and attr in STARTERS and node.args:
            first = node.args[0]
            if _is_text(first) or (
                isinstance(first, ast.Name) and _assigned_text(enclosing(node), first.id)
            ):
                problems.append(f"{where}:{node.lineno} {called} with a command string")
    return problems


@pytest.mark.parametrize("path", sources(), ids=name_of)
def test_nothing_is_unpickled_without_an_allow_list(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    assert deserialisation_problems(tree, name_of(path)) == []


@pytest.mark.parametrize("path", sources(), ids=name_of)
def test_programs_are_started_with_argument_lists_and_no_shell(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    assert subprocess_problems(tree, name_of(path)) == []


BAD = """
import pickle, subprocess, os, torch, numpy as np, yaml

class Loose(pickle.Unpickler):
    pass

def f(path, text):
    pickle.loads(path.read_bytes())
    torch.load(path)
    torch.load(path, weights_only=False)
    np.load(path, allow_pickle=True)
    yaml.load(text)
    subprocess.run("espeak-ng " + text, shell=True)
    subprocess.run(f"espeak-ng {text}")
    command = "espeak-ng " + text
    subprocess.Popen(command)
    os.system(text)
"""


def test_the_checks_find_each_bad_form():
    tree = ast.parse(BAD)

    found = deserialisation_problems(tree, "bad.py") + subprocess_problems(tree, "bad.py")

    assert len(found) == 11, found


def test_the_package_has_sources_to_check():
    names = {name_of(path) for path in sources()}

    assert "workshop_lib/app/server.py" in names and len(names) > 40
