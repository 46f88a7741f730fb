"""The notebooks follow the workshop's teaching rules (docs/instructor.md explains the live path).

Per notebook: size and honest minutes, the folded 5-line setup form, the one thing to do after
Run all, core / at-home sections, self-checks with folded answers, "What just happened?" after
demos, prepared "# Your turn" exercise cells, every listed term defined (in bold) at or before its
first use, and no statement from the list of known wrong ones. Then the instructor's guide and its
agendas, and (with the executed notebooks) demos followed by an explanation and exercise cells
that are safe to run twice.
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [path.name for path in NOTEBOOKS]
DOCS = ROOT / "docs"

MAX_CELLS = 45
MAX_MINUTES = 45
MIN_SELF_CHECKS = 3
MIN_WHAT_JUST_HAPPENED = 2
MIN_YOUR_TURN = 2
AGENDA_MINUTES = 120
LONG_AGENDA_MINUTES = 180

WHAT_JUST_HAPPENED = "**What just happened?**"
SELF_CHECK = "**Self-check:**"
YOUR_TURN = "# Your turn"
ANSWER = "<details><summary>Answer</summary>"
HINT = "<details><summary>Hint</summary>"
MARKS = ("(core)", "(at home)")

# Terms each notebook must define in bold (**term**) in the cell of their first use or earlier,
# by the notebook's two-digit number (so 05a and 05b share a list). A term a notebook does not
# use is not checked there. Matching ignores case and allows a plural ending.
TERMS = {
    "00": [
        "notebook",
        "cell",
        "code cell",
        "kernel",
        "runtime",
        "variable",
        "GPU",
        "CPU",
        "model",
        "weights",
        "cache",
    ],
    "01": [
        "machine learning",
        "deep learning",
        "model",
        "label",
        "training",
        "prediction",
        "support-vector machine",
        "nearest neighbours",
        "decision tree",
        "supervised learning",
        "ImageNet",
        "face detector",
    ],
    "02": [
        "neural network",
        "weights",
        "epoch",
        "batch",
        "learning rate",
        "loss",
        "accuracy",
        "filter",
        "ImageNet",
        "matrix",
        "GPU",
        "GFLOP/s",
    ],
    "03": [
        "arXiv",
        "peer review",
        "API",
        "abstract",
        "SIGGRAPH",
        "ECCV",
        "repository",
        "stars",
        "README",
        "source code",
        "compiler",
        "machine code",
        "byte",
        "hexadecimal",
        "interpreter",
        "licence",
        "patent grant",
    ],
    "04": ["SIGGRAPH", "ECCV", "gamut", "JSON"],
    "05": [
        "formant",
        "harmonic",
        "diphone",
        "HMM",
        "spectrogram",
        "phoneme",
        "WER",
        "real-time factor",
        "HiFi-GAN",
        "VCTK",
        "API key",
        "deepfake",
        "mono",
    ],
    "06": ["SDR", "sample", "Hz", "kHz", "convolutional network", "benchmark"],
    "07": ["token", "qualifier"],
    "08": ["web app", "server", "queue", "SaaS", "deepfake"],
}
# The glossary of the whole workshop: notebook 00 and the learner sheet define every one.
GLOSSARY = [
    "notebook",
    "cell",
    "kernel",
    "runtime",
    "GPU",
    "CPU",
    "model",
    "weights",
    "training",
    "label",
    "neural network",
    "deep learning",
    "arXiv",
    "repository",
    "licence",
]

# Statements found wrong or inconsistent (see docs/sources.md for what is right, with sources).
BANNED = [
    "machine learning is a recommendation system",
    "1.2 million",
    "1.3 million",
    "which is why apps ask you to tag",
    "best open model",
    "the paper's readme",
    "descendant of the talking machines",
    "the way machines of that time spoke",
    "smooth, evenly spaced bands of formant synthesis",
    "150 mb to 1.9 gb",
    "learnt from much more music",
    "learned from much more music",
    "50 real songs",
    "vocals, drums, bass and piano",
    "a few seconds per minute of music",
]


def _tool():
    spec = importlib.util.spec_from_file_location("notebook_tool", ROOT / "tools" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _body(nb) -> list:
    """The cells after the stamped header and setup cells."""
    return nb.cells[2:]


def _markdown_lines(source: str):
    """Lines of a markdown cell outside fenced code blocks."""
    fenced = False
    for line in source.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def _sentences(text: str) -> int:
    text = re.sub(r"`[^`]*`", "code", text)
    text = re.sub(r"\b(e\.g|i\.e|etc|vs|approx)\.", r"\1", text)
    return len(re.findall(r"[.!?](?=\s|$)", text.strip()))


def _term_pattern(term: str) -> str:
    return r"(?<![\w-])" + re.escape(term) + r"(?:s|es)?(?![\w-])"


def _defines(source: str, term: str) -> bool:
    bold = re.findall(r"\*\*(.+?)\*\*", source, flags=re.S)
    return any(re.search(_term_pattern(term), text, flags=re.I) for text in bold)


def _uses(source: str, term: str) -> bool:
    return re.search(_term_pattern(term), source, flags=re.I) is not None


# --- size, setup, header ---------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_at_most_45_cells_and_45_minutes(path):
    nb = _read(path)

    assert len(nb.cells) <= MAX_CELLS, f"{len(nb.cells)} cells"
    assert nb.metadata["workshop"]["minutes"] <= MAX_MINUTES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_cell_is_a_short_hidden_form(path):
    nb = _read(path)
    setup = nb.cells[1]

    assert setup.metadata.get("tags") == ["workshop-setup"]
    assert len(setup.source.splitlines()) <= 5
    assert setup.source.startswith("# @title ")
    assert setup.metadata.get("cellView") == "form"
    assert setup.metadata.get("jupyter", {}).get("source_hidden") is True


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_after_run_all_is_said_at_the_top(path):
    nb = _read(path)
    sentence = nb.metadata["workshop"].get("after_run_all", "")

    assert sentence.strip(), "metadata workshop.after_run_all is missing"
    assert sentence in nb.cells[0].source
    assert _tool().metadata_problems(nb.metadata["workshop"]) == []


def test_file_names_allow_a_split_notebook():
    pattern = _tool().FILE_NAME

    assert pattern.fullmatch("05a_talking_machines.ipynb")
    assert pattern.fullmatch("04_colorization.ipynb")
    assert not pattern.fullmatch("5_colorization.ipynb")


# --- sections, self-checks, explanations, exercises -------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_section_is_marked_core_or_at_home(path):
    nb = _read(path)
    headings = [
        line
        for cell in _body(nb)
        if cell.cell_type == "markdown"
        for line in _markdown_lines(cell.source)
        if line.startswith("## ")
    ]

    unmarked = [h for h in headings if not h.rstrip().endswith(MARKS)]
    assert headings, "no sections"
    assert unmarked == []
    assert any(h.rstrip().endswith("(core)") for h in headings)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_self_checks_have_folded_answers(path):
    nb = _read(path)
    checks = [
        c.source for c in _body(nb) if c.cell_type == "markdown" and c.source.startswith(SELF_CHECK)
    ]

    assert len(checks) >= MIN_SELF_CHECKS
    for check in checks:
        question = check.split(ANSWER)[0]
        assert ANSWER in check and "</details>" in check, check[:80]
        assert "?" in question, check[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_what_just_happened_follows_a_demo_in_two_to_four_sentences(path):
    nb = _read(path)
    body = _body(nb)
    explained = [i for i, c in enumerate(body) if c.source.startswith(WHAT_JUST_HAPPENED)]

    assert len(explained) >= MIN_WHAT_JUST_HAPPENED
    for i in explained:
        cell = body[i]
        text = cell.source.removeprefix(WHAT_JUST_HAPPENED)
        assert cell.cell_type == "markdown"
        assert i > 0 and body[i - 1].cell_type == "code", cell.source[:80]
        assert 2 <= _sentences(text) <= 4, cell.source[:120]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_prepared_cells_and_folded_hints(path):
    nb = _read(path)
    body = _body(nb)
    prepared = [c for c in body if c.cell_type == "code" and c.source.startswith(YOUR_TURN)]
    loose_hints = [
        c.source[:80]
        for c in body
        if c.cell_type == "markdown" and re.search(r"\bHint\b", c.source) and HINT not in c.source
    ]

    assert len(prepared) >= MIN_YOUR_TURN
    assert loose_hints == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_look_inside_is_optional_and_has_its_code_cell(path):
    body = _body(_read(path))

    for i, cell in enumerate(body):
        if cell.cell_type == "markdown" and "### Look inside" in cell.source:
            assert "### Look inside (optional)" in cell.source
            assert i + 1 < len(body) and body[i + 1].cell_type == "code"


# --- words and facts ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_terms_are_defined_at_or_before_first_use(path):
    body = _body(_read(path))
    terms = TERMS.get(path.name[:2], [])
    late = []
    for term in terms:
        first = next((i for i, c in enumerate(body) if _uses(c.source, term)), None)
        if first is None:
            continue
        if not any(_defines(c.source, term) for c in body[: first + 1]):
            late.append(f"{term!r} (first used in body cell {first + 2})")

    assert late == [], "undefined at first use: " + ", ".join(late)


def test_the_term_lists_are_not_empty_for_the_teaching_notebooks():
    for path in NOTEBOOKS:
        body = _body(_read(path))
        used = [t for t in TERMS.get(path.name[:2], []) if any(_uses(c.source, t) for c in body)]
        assert used, f"{path.name} uses none of its listed terms"


def test_notebook_00_holds_the_glossary():
    body = _body(_read(ROOT / "notebooks" / "00_start_here.ipynb"))
    glossary = next(c.source for c in body if c.source.startswith("## Glossary"))

    missing = [t for t in GLOSSARY if not _defines(glossary, t)]
    assert missing == []


def test_learner_sheet_has_the_glossary_and_the_three_clicks():
    sheet = (DOCS / "learner-sheet.md").read_text("utf-8")

    missing = [t for t in GLOSSARY if not _defines(sheet, t)]
    assert missing == []
    assert "colab.research.google.com" in sheet
    assert "Run all" in sheet
    assert len(sheet.splitlines()) <= 80, "the learner sheet should fit one printed page"


@pytest.mark.parametrize(
    "path",
    [*NOTEBOOKS, ROOT / "README.md", *sorted(DOCS.glob("*.md"))],
    ids=lambda p: p.name,
)
def test_no_known_wrong_statement(path):
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in _read(path).cells)
    else:
        text = path.read_text("utf-8")
    if path.name == "sources.md":
        pytest.skip("sources.md quotes the wrong statements it corrects")

    found = [phrase for phrase in BANNED if phrase in text.lower()]
    assert found == []


def test_sources_has_a_heading_per_teaching_notebook():
    sources = (DOCS / "sources.md").read_text("utf-8")

    for number in ("00", "01", "02", "03"):
        assert re.search(rf"^## {number}_\w+", sources, flags=re.M), number


# --- the instructor's guide ---------------------------------------------------------------------


def _agenda(guide: str, heading: str) -> list[tuple[str, int]]:
    """Rows (what, minutes) of the first table under a heading that starts with ``heading``."""
    section = guide.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and cells[1].isdigit():
            rows.append((cells[0], int(cells[1])))
    return rows


def test_instructor_guide_has_a_two_hour_agenda_with_one_break():
    guide = (DOCS / "instructor.md").read_text("utf-8")
    rows = _agenda(guide, "2-hour agenda")

    assert len(rows) >= 5
    assert sum(minutes for _, minutes in rows) <= AGENDA_MINUTES
    assert len([what for what, _ in rows if "break" in what.lower()]) == 1
    assert "skip" in guide.split("\n## 2-hour agenda", 1)[1].split("\n## ", 1)[0].lower()


def test_instructor_guide_has_a_three_hour_variant_and_the_room_problems():
    guide = (DOCS / "instructor.md").read_text("utf-8")
    rows = _agenda(guide, "3-hour variant")

    assert len(rows) >= 5
    assert sum(minutes for _, minutes in rows) <= LONG_AGENDA_MINUTES
    for topic in (
        "prefetch",
        "doctor",
        "rehearsal",
        "No GPU",
        "microphone",
        "GitHub",
        "blocks downloads",
        "runtime reset",
        "at home",
    ):
        assert topic.lower() in guide.lower(), topic


def test_agendas_name_notebooks_that_exist():
    guide = (DOCS / "instructor.md").read_text("utf-8")
    named = set(re.findall(r"\b(\d\d[a-z]?_[a-z0-9_]+)\b", guide))
    existing = {path.stem for path in NOTEBOOKS}

    assert named, "the agendas name notebooks by file name, such as 00_start_here"
    assert sorted(named - existing) == []


# --- with the executed notebooks (conftest.py runs each once per session) -----------------------


def _demo_outputs(cell) -> bool:
    """A demo shows a picture or a sound (exercise cells are the learner's, not demos)."""
    if cell.source.startswith(YOUR_TURN):
        return False
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "image/jpeg" in data or "<audio" in data.get("text/html", ""):
            return True
    return False


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_demos_are_followed_by_what_just_happened(path, executed_notebooks):
    run = executed_notebooks.ran(path.name)
    body = _body(run)
    unexplained = []
    i = 0
    while i < len(body):
        if body[i].cell_type == "code" and _demo_outputs(body[i]):
            start = i
            while i + 1 < len(body) and body[i + 1].cell_type == "code":
                i += 1
            following = [c for c in body[i + 1 :] if c.cell_type == "markdown"][:2]
            if not any(c.source.startswith(WHAT_JUST_HAPPENED) for c in following):
                unexplained.append(f"body cell {start + 2}: {body[start].source[:60]!r}")
        i += 1

    assert unexplained == [], "demos without **What just happened?**: " + "; ".join(unexplained)


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_your_turn_cells_run_twice_without_error(path, executed_notebooks):
    run = executed_notebooks.ran(path.name)
    prepared = [
        i
        for i, c in enumerate(run.cells)
        if c.cell_type == "code" and c.source.startswith(YOUR_TURN)
    ]

    # execute_notebook(rerun_exercises=True) ran these cells a second time after Run all.
    assert run.metadata.get("workshop_rerun") == prepared
    assert prepared
