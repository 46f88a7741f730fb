"""Keep the teaching notebooks in one shape: stamp their first two cells, clean them, check them.

    python tools/notebooks.py stamp [paths...]   write header and setup cells from metadata, clean
    python tools/notebooks.py clean [paths...]   strip outputs, set the kernel, canonical JSON
    python tools/notebooks.py check [paths...]   list what is wrong; exit code 1 if anything is

Without paths, every notebooks/*.ipynb. Each notebook keeps its header facts in its metadata
under "workshop" (see FIELDS); the repository and branch for the Colab badge and the install
line come from [tool.workshop] in pyproject.toml. The tests import these functions.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import tomllib
import uuid
from pathlib import Path

import nbformat

from workshop_lib.errors import WorkshopError
from workshop_lib.runtime import EXTRAS, find_program, system_programs

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
HEADER_TAG = "workshop-header"
SETUP_TAG = "workshop-setup"
FILE_NAME = re.compile(r"\d\d[a-z]?_[a-z0-9]+(_[a-z0-9]+)*\.ipynb")
ENDING = ("What you learned", "Try it yourself")  # headings that must be near the end
ENDING_CELLS = 6  # ... within this many cells from the end

# metadata["workshop"]: field -> what it holds
FIELDS = {
    "title": "the notebook's title",
    "promise": "one sentence: what the learner gets out of it",
    "objectives": "2 to 4 sentences starting 'You will'",
    "minutes": "estimated time, a whole number of minutes",
    "gpu": "'not needed', 'helps' or 'recommended'",
    "needs": "what the learner needs, one line",
    "system": "programs/voices used, from workshop_lib/system_programs.txt (program or package)",
    "extras": "optional: parts the setup cell gets ready (workshop_lib.runtime.EXTRAS), such as ['speech']",
    "after_run_all": "one sentence: the one thing to do after Run all (shown at the top)",
}
OPTIONAL = ("extras", "after_run_all")
SETUP_LINES = 5  # the setup cell's most lines
SETUP_TITLE = "# @title Setup: run this cell first (on Colab it installs the workshop library: about a minute)"
# Colab shows the cell as a form (code hidden); JupyterLab hides its code; the handout folds it.
SETUP_METADATA = {"cellView": "form", "jupyter": {"source_hidden": True}}
GPU_LINES = {
    "not needed": "not needed: everything runs on the computer's ordinary processor (CPU).",
    "helps": "helps: without one the demos run on the CPU, only slower.",
    "recommended": "recommended: on Colab choose *Runtime → Change runtime type → T4 GPU* first.",
}
# Colab metadata and timings that Jupyter or Colab add on save.
NOTEBOOK_NOISE = ("language_info", "widgets")
CELL_NOISE = ("execution", "colab", "outputId", "ExecuteTime")


def settings(pyproject: Path = ROOT / "pyproject.toml") -> dict:
    """Read [tool.workshop] (repository, branch) from pyproject.toml."""
    table = tomllib.loads(pyproject.read_text("utf-8"))["tool"]["workshop"]
    return {"repository": table["repository"], "branch": table["branch"]}


def metadata_problems(meta) -> list[str]:
    """List what is missing or wrong in a notebook's metadata["workshop"]."""
    if not isinstance(meta, dict):
        return ['no "workshop" metadata (fields: ' + ", ".join(FIELDS) + ")"]
    problems = [
        f"workshop metadata lacks {name!r} ({FIELDS[name]})"
        for name in FIELDS
        if name not in meta and name not in OPTIONAL
    ]
    problems += [
        f"workshop metadata has an unknown field {name!r}" for name in meta if name not in FIELDS
    ]

    def bad(name, why):
        if name in meta:
            problems.append(f"workshop metadata {name!r} should be {why}, not {meta[name]!r}")

    for name in ("title", "promise", "needs"):
        if not isinstance(meta.get(name), str) or not meta[name].strip() or "\n" in meta[name]:
            bad(name, "one line of text")
    promise = meta.get("promise")
    if isinstance(promise, str) and (
        not promise.rstrip().endswith((".", "!", "?")) or ". " in promise
    ):
        bad("promise", "one sentence ending in a full stop")
    after = meta.get("after_run_all")
    if after is not None and (
        not isinstance(after, str)
        or "\n" in after
        or not after.rstrip().endswith((".", "!"))
        or ". " in after.strip()
    ):
        bad("after_run_all", "one sentence ending in a full stop")
    objectives = meta.get("objectives")
    if not (
        isinstance(objectives, list)
        and 2 <= len(objectives) <= 4
        and all(isinstance(o, str) and o.startswith("You will ") for o in objectives)
    ):
        bad("objectives", "a list of 2 to 4 sentences starting 'You will '")
    minutes = meta.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        bad("minutes", "a whole number above 0")
    if meta.get("gpu") not in GPU_LINES:
        bad("gpu", " or ".join(repr(g) for g in GPU_LINES))
    system = meta.get("system")
    if not isinstance(system, list) or not all(_known_program(p) for p in system):
        known = sorted(entry.name for entry in system_programs().values())
        bad("system", f"a list of names from system_programs.txt ({', '.join(known)})")
    extras = meta.get("extras", [])
    if not isinstance(extras, list) or not all(e in EXTRAS for e in extras):
        bad("extras", f"a list of extras from workshop_lib.runtime.EXTRAS ({', '.join(EXTRAS)})")
    return problems


def _known_program(name) -> bool:
    try:
        find_program(name)
    except (WorkshopError, TypeError):
        return False
    return True


def header_source(meta: dict, file_name: str, config: dict) -> str:
    """The markdown of the first cell: title, Colab badge, promise, objectives, time, GPU, needs."""
    colab = (
        f"https://colab.research.google.com/github/{config['repository']}/blob/"
        f"{config['branch']}/notebooks/{file_name}"
    )
    badge = "https://colab.research.google.com/assets/colab-badge.svg"
    objectives = "\n".join(f"- {objective}" for objective in meta["objectives"])
    after = meta.get("after_run_all")
    after = f"> **After *Run all*:** {after}\n\n" if after else ""
    return (
        f"# {meta['title']}\n\n"
        f"[![Open In Colab]({badge})]({colab})\n\n"
        f"{meta['promise']}\n\n"
        f"{after}"
        f"**Learning objectives**\n\n{objectives}\n\n"
        "**Before you start**\n\n"
        f"- ⏱ About {meta['minutes']} minutes\n"
        f"- **GPU:** {GPU_LINES[meta['gpu']]}\n"
        f"- **What you need:** {meta['needs']}"
    )


def setup_source(meta: dict, config: dict) -> str:
    """The code of the second cell (at most 5 lines, a Colab form).

    On Colab it installs workshop_lib from the repository when it is not loaded yet; then
    workshop_lib.setup() gets the notebook's extras ready and says in one line what runs where.
    It has no import statement, so the formatter adds no blank line and it stays 5 lines.
    """
    extras = meta.get("extras", [])
    covered = {find_program(program).program for name in extras for program in EXTRAS[name].system}
    system = [name for name in meta["system"] if find_program(name).program not in covered]
    arguments = [json.dumps(name) for name in extras]
    if system:
        arguments.append(f"system={json.dumps(system)}")
    source = f"git+https://github.com/{config['repository']}@{config['branch']}"
    return (
        f"{SETUP_TITLE}\n"
        'if "google.colab" in __import__("sys").modules and "workshop_lib" not in globals():\n'
        f'    %pip install --quiet "workshop_lib @ {source}"\n'
        'workshop_lib = __import__("workshop_lib")\n'
        f"workshop_lib.setup({', '.join(arguments)})"
    )


def _tagged(nb, tag: str) -> list:
    return [cell for cell in nb.cells if tag in cell.get("metadata", {}).get("tags", [])]


def stamp(nb, file_name: str, config: dict | None = None):
    """Write the header and setup cells (the first two) from the notebook's metadata.

    Earlier header and setup cells (found by their tags) are replaced; everything else stays.
    Raises ValueError when the metadata is incomplete.
    """
    config = config or settings()
    meta = nb.metadata.get("workshop")
    problems = metadata_problems(meta)
    if problems:
        raise ValueError("; ".join(problems))
    old = {id(cell) for cell in _tagged(nb, HEADER_TAG) + _tagged(nb, SETUP_TAG)}
    header = nbformat.v4.new_markdown_cell(header_source(meta, file_name, config))
    header.metadata["tags"] = [HEADER_TAG]
    header.id = HEADER_TAG
    setup = nbformat.v4.new_code_cell(setup_source(meta, config))
    setup.metadata.update(copy.deepcopy(SETUP_METADATA))
    setup.metadata["tags"] = [SETUP_TAG]
    setup.id = SETUP_TAG
    nb.cells = [header, setup] + [cell for cell in nb.cells if id(cell) not in old]
    return nb


def clean(nb):
    """Strip outputs, counts and editor noise; set the python3 kernelspec; give every cell an id."""
    nb.nbformat, nb.nbformat_minor = 4, max(nb.get("nbformat_minor", 5), 5)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for key in NOTEBOOK_NOISE:
        nb.metadata.pop(key, None)
    seen = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in CELL_NOISE:
            cell.metadata.pop(key, None)
        if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cell.get("id") or "") or cell.id in seen:
            cell.id = uuid.uuid4().hex[:8]
        seen.add(cell.id)
    return nb


def canonical_text(nb) -> str:
    """The exact file text nbformat.write gives (indent 1, sorted keys, final newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def check(path: Path, config: dict | None = None) -> list[str]:
    """List the problems of one notebook file; an empty list means it is fine."""
    config = config or settings()
    path = Path(path)
    problems = []
    if not FILE_NAME.fullmatch(path.name):
        problems.append("file name should look like 01_snake_case.ipynb or 05a_snake_case.ipynb")
    text = path.read_text("utf-8")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # any reading or schema error is one problem
        return [*problems, f"not a valid notebook: {str(err).splitlines()[0]}"]

    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append('kernelspec is not "python3"')
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            problems.append(f"cell {number} has outputs or an execution count (run clean)")

    meta = nb.metadata.get("workshop")
    meta_problems = metadata_problems(meta)
    problems += meta_problems
    if not meta_problems:
        expected = stamp(copy.deepcopy(nb), path.name, config).cells[:2]
        for cell, want, what in zip(nb.cells[:2], expected, ("header", "setup"), strict=False):
            same = cell.cell_type == want.cell_type and cell.source == want.source
            if not same or dict(cell.metadata) != dict(want.metadata):
                problems.append(f"{what} cell differs from what stamp writes (run stamp)")
        if len(nb.cells) < 2:
            problems.append("header and setup cells missing (run stamp)")
    installs = [
        number
        for number, cell in enumerate(nb.cells, start=1)
        if cell.cell_type == "code" and "pip install" in cell.source
    ]
    if any(n != 2 for n in installs):
        problems.append(f"only the setup cell may install packages (cells {installs})")

    headings = [
        (number, line.lstrip("#").strip().lower())
        for number, cell in enumerate(nb.cells, start=1)
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    ]
    for title in ENDING:
        numbers = [n for n, heading in headings if heading.startswith(title.lower())]
        if not numbers:
            problems.append(f'no "{title}" heading')
        elif numbers[-1] <= len(nb.cells) - ENDING_CELLS:
            problems.append(f'the "{title}" heading should be among the last {ENDING_CELLS} cells')

    if text != canonical_text(clean(copy.deepcopy(nb))):
        problems.append("file is not in canonical form (run clean)")
    return problems


def _paths(names: list[str]) -> list[Path]:
    return [Path(name) for name in names] or sorted(NOTEBOOKS.glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["stamp", "clean", "check"])
    parser.add_argument("paths", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    config = settings()
    failed = 0
    for path in _paths(args.paths):
        if args.command == "check":
            problems = check(path, config)
            for problem in problems:
                print(f"{path}: {problem}")
            failed += bool(problems)
            continue
        nb = nbformat.read(path, as_version=4)
        if args.command == "stamp":
            try:
                stamp(nb, path.name, config)
            except ValueError as err:
                print(f"{path}: cannot stamp: {err}")
                failed += 1
                continue
        clean(nb)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        print(f"{path}: {args.command}ed")
    if args.command == "check" and not failed:
        print("All notebooks pass the checks.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
