"""The handout (static site of the executed notebooks) and the offline workshop kit."""

import re
import subprocess
import venv
from pathlib import Path

import nbformat
import pytest

from workshop_lib.handout import build_handout, build_kit
from workshop_lib.handout.render import (
    PROGRESS_NOTE,
    WIDGET_MIME,
    WIDGET_NOTE,
    external_references,
    render_page,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _outputs(notebook, kind):
    """Count outputs of a kind ('image', 'audio', 'widget') in an executed notebook."""
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            html = data.get("text/html", "")
            if (
                kind == "image"
                and ("image/png" in data or "image/jpeg" in data)
                and "application/vnd.jupyter.widget-view+json" not in data
            ):
                count += 1
            elif kind == "audio" and "<audio" in html:
                count += 1
            elif (
                kind in ("widget", "progress")
                and "application/vnd.jupyter.widget-view+json" in data
            ):
                progress = "%|" in "".join(data.get("text/plain", "")) and "image/png" not in data
                count += progress == (kind == "progress")
    return count


@pytest.fixture(scope="module")
def handout(executed_notebooks, tmp_path_factory):
    ran = {name: nb for name, nb in executed_notebooks.items() if not isinstance(nb, Exception)}
    # Copies: rendering turns widget outputs into still pictures.
    copies = {name: nbformat.from_dict(nb) for name, nb in ran.items()}
    out = tmp_path_factory.mktemp("handout")
    report = build_handout(out, notebooks=ROOT / "notebooks", offline=True, executed=copies)
    return out, report, ran


def test_handout_has_a_page_for_every_notebook(handout):
    out, report, _ = handout

    assert report.failures == {}
    assert sorted(p.name for p in report.pages) == [p.with_suffix(".html").name for p in NOTEBOOKS]
    index = (out / "index.html").read_text()
    for path in NOTEBOOKS:
        assert f'href="{path.with_suffix(".html").name}"' in index


def test_every_page_says_it_is_an_offline_sample_run(handout):
    out, _, _ = handout

    for page in out.glob("*.html"):
        if page.name == "learner-sheet.html":
            continue  # the printable sheet has no results to label
        text = page.read_text()
        assert "Offline sample run: the song separation into 2 stems" in text, page.name
        assert "the other outputs come from small test models" in text, page.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_page_shows_the_pictures_sounds_and_widgets_of_its_notebook(handout, path):
    out, _, ran = handout
    page = (out / path.with_suffix(".html").name).read_text()
    notebook = ran[path.name]

    images = len(re.findall(r'<img[^>]+src="data:image/(?:png|jpeg)', page))
    assert images >= _outputs(notebook, "image")
    assert page.count("<audio") >= _outputs(notebook, "audio")
    assert page.count(WIDGET_NOTE) == _outputs(notebook, "widget")
    assert page.count(PROGRESS_NOTE) == _outputs(notebook, "progress")


def test_a_progress_bar_becomes_a_line_not_a_widget_note():
    notebook = nbformat.v4.new_notebook()
    widget = {"version_major": 2, "version_minor": 0, "model_id": "a"}
    bar = {"text/plain": "colouring:   0%|          | 0/40 [00:00<?, ?it/s]"}
    cell = nbformat.v4.new_code_cell("hint_sweep(PHOTOS)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {**bar, WIDGET_MIME: widget}),
        nbformat.v4.new_output("display_data", {"text/plain": "Box()", WIDGET_MIME: widget}),
    ]
    notebook.cells = [cell]

    page = render_page(notebook, nav="")

    assert page.count(PROGRESS_NOTE) == 1 and page.count(WIDGET_NOTE) == 1
    assert "0/40" not in page


def test_no_page_loads_scripts_styles_or_fonts_from_the_network(handout):
    out, _, _ = handout

    for page in out.glob("*.html"):
        text = page.read_text()
        assert external_references(text) == [], page.name
        assert not re.search(r'<(?:img|audio|source|video)[^>]+src="https?://', text), page.name


def test_every_page_folds_its_setup_cell_and_marks_its_sections(handout):
    out, _, _ = handout

    for path in NOTEBOOKS:
        page = (out / path.with_suffix(".html").name).read_text()
        folded = page.split('<details class="handout-setup">', 1)
        assert len(folded) == 2, path.name
        assert "# @title Setup" in folded[1].split("</details>", 1)[0], path.name
        assert 'class="handout-mark handout-core">(core)</span>' in page, path.name


def test_learner_sheet_is_a_page_of_the_handout(handout):
    out, report, _ = handout

    sheet = report.sheet.read_text()
    assert report.sheet == out / "learner-sheet.html"
    assert 'href="learner-sheet.html"' in (out / "index.html").read_text()
    assert "Glossary" in sheet and "<table>" in sheet
    assert external_references(sheet) == []


def test_setup_is_folded_and_marks_shown_without_running():
    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)

    page = render_page(notebook, nav="")

    assert page.index('<details class="handout-setup">') < page.index("# @title Setup")
    assert '<span class="handout-mark handout-home">(at home)</span>' in page


def test_external_references_are_found():
    page = '<script src="https://cdn.example/x.js"></script><a href="https://arxiv.org/abs/1705.02999">paper</a>'

    assert external_references(page) == ['<script src="https://cdn.example/x.js">']


@pytest.mark.slow
def test_kit_builds_and_its_wheel_installs_in_a_fresh_environment(
    handout, executed_notebooks, tmp_path
):
    _, _, ran = handout
    copies = {name: nbformat.from_dict(nb) for name, nb in ran.items()}

    readme = build_kit(
        tmp_path / "kit", notebooks=ROOT / "notebooks", offline=True, executed=copies
    )

    kit = readme.parent
    wheel = next((kit / "wheels").glob("workshop_lib-*.whl"))
    assert (kit / "handout" / "index.html").exists()
    assert sorted(p.name for p in (kit / "notebooks").glob("*.ipynb")) == [
        p.name for p in NOTEBOOKS
    ]
    assert wheel.name in readme.read_text()
    environment = tmp_path / "fresh-venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    check = subprocess.run(
        [
            str(python),
            "-c",
            "from workshop_lib.assets import bundled; print(bundled('images/coffee.jpg').stat().st_size)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert int(check.stdout) > 10_000
