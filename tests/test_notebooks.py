"""The notebooks: they pass tools/notebooks.py check and ruff, and run top to bottom offline.

Each notebook runs in a fresh folder outside the repository (as on Colab, where only the
installed library is there), with WORKSHOP_OFFLINE=1 and a python3 kernel from this Python.
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds


def _load_tool():
    spec = importlib.util.spec_from_file_location("notebook_tool", ROOT / "tools" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


# --- the notebooks in the repository -----------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_passes_the_checks(path):
    assert tool.check(path) == []


@pytest.mark.parametrize("command", [["format", "--check"], ["check"]], ids=["format", "lint"])
def test_notebooks_pass_ruff(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def _strip_colours(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _run(nb, folder: Path) -> None:
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": folder}}
    )
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(_strip_colours(str(err)), pytrace=False)


@pytest.fixture
def offline_folder(tmp_path, monkeypatch):
    """A fresh working folder outside the repository, with the offline switch on for the kernel."""
    assert not tmp_path.is_relative_to(ROOT)
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.mark.notebook
def test_kernel_is_this_python(offline_folder):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import os, sys\nprint(sys.prefix)\nprint(os.getcwd())")]
    )

    _run(nb, offline_folder)

    prefix, cwd = nb.cells[0].outputs[0]["text"].splitlines()
    assert prefix == sys.prefix
    assert Path(cwd) == offline_folder


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_offline(path, executed_notebooks):
    # Run once per test session by workshop_lib.handout.execute_notebook (see conftest.py),
    # in a fresh folder outside the repository with the offline switch on.
    run = executed_notebooks.ran(path.name)

    errors = [o for c in run.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


# --- the tool itself ---------------------------------------------------------------------------

GOOD_METADATA = {
    "title": "Demo",
    "promise": "See that the checks work.",
    "objectives": ["You will see a check pass.", "You will see a check fail."],
    "minutes": 5,
    "gpu": "helps",
    "needs": "Nothing.",
    "system": [],
}


def make_notebook(folder: Path, name: str = "01_demo.ipynb", config=None, ending=True) -> Path:
    """Write a small notebook that passes the checks (unless changed), stamped and clean."""
    cells = [
        nbformat.v4.new_markdown_cell("## A step\n\nOne idea."),
        nbformat.v4.new_code_cell('print("hello")'),
    ]
    if ending:
        cells += [
            nbformat.v4.new_markdown_cell("## What you learned\n\n- One thing."),
            nbformat.v4.new_markdown_cell("## Try it yourself\n\n1. Change a value."),
        ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"workshop": dict(GOOD_METADATA)})
    tool.stamp(nb, name, config or tool.settings())
    tool.clean(nb)
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_a_well_formed_notebook_has_no_problems(tmp_path):
    path = make_notebook(tmp_path)

    assert tool.check(path) == []


def test_missing_what_you_learned_is_reported(tmp_path):
    path = make_notebook(tmp_path, ending=False)

    problems = tool.check(path)

    assert 'no "What you learned" heading' in problems
    assert 'no "Try it yourself" heading' in problems


def test_outputs_are_reported_and_clean_removes_them(tmp_path):
    path = make_notebook(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    nb.cells[3].execution_count = 1
    nbformat.write(nb, path)

    problems = tool.check(path)
    tool.main(["clean", str(path)])

    assert "cell 4 has outputs or an execution count (run clean)" in problems
    assert tool.check(path) == []


def test_stale_header_is_reported_and_stamp_fixes_it(tmp_path):
    old = {"repository": "someone/old-place", "branch": "main"}
    path = make_notebook(tmp_path, config=old)

    problems = tool.check(path)
    tool.main(["stamp", str(path)])

    assert "header cell differs from what stamp writes (run stamp)" in problems
    assert "setup cell differs from what stamp writes (run stamp)" in problems
    assert tool.check(path) == []


def test_setup_cell_installs_from_the_configured_repository():
    config = {"repository": "fablab/kit", "branch": "v2"}
    meta = dict(GOOD_METADATA, system=["ffmpeg"])

    source = tool.setup_source(meta, config)

    assert '%pip install --quiet "workshop_lib @ git+https://github.com/fablab/kit@v2"' in source
    assert source.endswith('.setup(system=["ffmpeg"])')
    assert len(source.splitlines()) <= tool.SETUP_LINES
    assert source.startswith("# @title ")


def test_setup_cell_leaves_programs_of_its_extras_to_the_library():
    meta = dict(GOOD_METADATA, extras=["speech", "voices"], system=["espeak-ng", "flite", "gcc"])

    source = tool.setup_source(meta, tool.settings())

    assert source.endswith('.setup("speech", "voices", system=["gcc"])')
    assert len(source.splitlines()) <= tool.SETUP_LINES


def test_stamped_setup_cell_is_a_hidden_form(tmp_path):
    nb = nbformat.read(make_notebook(tmp_path), as_version=4)

    setup = nb.cells[1]

    assert setup.metadata["cellView"] == "form"
    assert setup.metadata["jupyter"]["source_hidden"] is True


def test_after_run_all_is_shown_at_the_top(tmp_path):
    meta = dict(GOOD_METADATA, after_run_all="Upload a photo, then run the cell under it.")

    header = tool.header_source(meta, "01_demo.ipynb", tool.settings())

    assert "**After *Run all*:** Upload a photo, then run the cell under it." in header
    assert tool.metadata_problems(meta) == []
    assert tool.metadata_problems(dict(meta, after_run_all="Two. Sentences.")) != []


def test_badge_points_at_the_notebook_on_the_configured_branch():
    config = {"repository": "fablab/kit", "branch": "v2"}

    header = tool.header_source(GOOD_METADATA, "01_demo.ipynb", config)

    assert (
        "https://colab.research.google.com/github/fablab/kit/blob/v2/notebooks/01_demo.ipynb"
        in (header)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gpu", "maybe"),
        ("minutes", 0),
        ("objectives", ["You will do one thing."]),
        ("objectives", ["Learn things.", "Do things."]),
        ("promise", "Two sentences. Not one."),
        ("system", ["no-such-program"]),
    ],
)
def test_bad_metadata_is_reported(field, value):
    meta = dict(GOOD_METADATA, **{field: value})

    problems = tool.metadata_problems(meta)

    assert len(problems) == 1
    assert repr(field) in problems[0]


def test_missing_metadata_is_reported(tmp_path):
    path = make_notebook(tmp_path)
    nb = nbformat.read(path, as_version=4)
    del nb.metadata["workshop"]
    nbformat.write(nb, path)

    problems = tool.check(path)

    assert any('no "workshop" metadata' in problem for problem in problems)


def test_file_name_must_be_numbered_snake_case(tmp_path):
    path = make_notebook(tmp_path, name="Demo Notebook.ipynb")

    assert any("file name should look like" in problem for problem in tool.check(path))


def test_a_split_notebook_may_have_a_letter_after_its_number(tmp_path):
    path = make_notebook(tmp_path, name="05a_talking_machines.ipynb")

    assert tool.check(path) == []


def test_hand_formatted_json_is_reported(tmp_path):
    path = make_notebook(tmp_path)
    path.write_text(path.read_text().replace('\n "metadata"', '\n  "metadata"'))

    assert "file is not in canonical form (run clean)" in tool.check(path)


def test_stamp_keeps_the_body_and_replaces_the_old_header(tmp_path):
    path = make_notebook(tmp_path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["workshop"]["title"] = "New title"

    tool.stamp(nb, path.name, tool.settings())

    assert nb.cells[0].source.startswith("# New title\n")
    assert [c.metadata.get("tags") for c in nb.cells[:2]] == [
        ["workshop-header"],
        ["workshop-setup"],
    ]
    assert len(nb.cells) == 6
