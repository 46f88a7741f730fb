"""SECURITY.md, "Tokens": a GitHub or Hugging Face token never shows.

A canary token is planted where tokens come from (the environment variables ``GITHUB_TOKEN``,
``HF_TOKEN`` and ``HUGGING_FACE_HUB_TOKEN``, and a Colab secret), then searched for in
everything a person could see: the app's pages, its API description, its answers and error
messages, every log line and everything printed; the research functions' answers and messages;
and the saved outputs of an executed notebook (07, which uses the token) and its handout page.
The canary must appear nowhere. Each search is first shown to find a planted copy, so it cannot
pass by looking in the wrong place.
"""

import json
import logging
import shutil
import sys
import types
from pathlib import Path

import httpx
import pytest
from PIL import Image

from workshop_lib import app, research
from workshop_lib.assets import bundled

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402
from ports import free_port  # noqa: E402

CANARY = "ghp_CanaryToken0123456789abcdefABCDEF0123"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.fixture
def planted(monkeypatch):
    for name in ("GITHUB_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.setenv(name, CANARY)
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    return CANARY


def found_in(texts: list[str], canary: str = CANARY) -> list[str]:
    """The texts (their first 80 characters) that contain the canary."""
    assert any(canary in text for text in [*texts, f"planted {canary}"])  # the search works
    return [text[:80] for text in texts if canary in text]


def every_answer(running, tmp_path) -> list[str]:
    """Requests to every tab, good and bad, and the pages; what came back, as text."""
    client = running.client(download_folder=tmp_path / "down")
    photo = tmp_path / "photo.png"
    Image.open(bundled("images/astronaut.jpg")).convert("L").resize((64, 64)).save(photo)
    letter = tmp_path / "letter.png"
    letter.write_bytes(b"not a picture")
    requests = [
        ("/colorize", (handle_file(photo), '[{"x": 5, "y": 5, "color": "red"}]', False)),
        ("/colorize", (handle_file(letter), "[]", True)),
        ("/colorize", (handle_file(photo), "{not json", False)),
        ("/speak", ("Hello, library.", "espeak-ng", None, 1.0)),
        ("/speak", ("", "espeak-ng", None, 1.0)),
        ("/speak", ("Hello.", "xtts_v2", None, 1.0)),
        ("/separate", (handle_file(letter), 2)),
    ]
    texts = []
    for endpoint, inputs in requests:
        try:
            texts.append(json.dumps(client.predict(*inputs, api_name=endpoint), default=str))
        except AppError as err:
            texts.append(err.message or str(err))
    for path in ("", "config", "gradio_api/info", "gradio_api/openapi.json", "theme.css"):
        texts.append(httpx.get(f"{running.url}{path}", timeout=60).text)
    texts.append(running.meter.summary())
    texts.append(running.privacy_report().data)
    texts.extend(p.read_text(errors="replace") for p in running.files_left())
    return texts


def test_no_token_reaches_the_apps_pages_answers_or_logs(planted, tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    made = app.create_app(limits=app.Limits(text_characters=100))
    made.launch(port=free_port(), inline=False, quiet=False)
    try:
        texts = every_answer(made, tmp_path)
    finally:
        made.close()
    printed = capfd.readouterr()

    leaks = found_in([*texts, caplog.text, printed.out, printed.err])

    assert leaks == []
    assert "not a picture" in " ".join(texts)  # the error messages were among the answers


@pytest.fixture
def colab_secret(monkeypatch):
    """A Colab whose secret GITHUB_TOKEN holds the canary (and no environment variable)."""
    from workshop_lib.research import github

    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    colab = types.ModuleType("google.colab")
    colab.userdata = types.SimpleNamespace(get=lambda name: CANARY)
    google = sys.modules.get("google") or types.ModuleType("google")
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(google, "colab", colab, raising=False)
    if hasattr(github, "_COLAB_SECRET"):
        monkeypatch.setattr(github, "_COLAB_SECRET", [])


@pytest.mark.parametrize("source", ["environment", "colab secret"])
def test_no_token_reaches_the_research_answers_or_messages(planted, source, request, caplog, capfd):
    if source == "colab secret":
        request.getfixturevalue("colab_secret")
    caplog.set_level(logging.DEBUG)

    status = research.token_status()
    found = research.search_github("spleeter")
    texts = [status, repr(found), found._repr_html_() if hasattr(found, "_repr_html_") else ""]
    printed = capfd.readouterr()

    assert "token" in status.lower() and "is used" in status  # the canary was seen as a token
    assert found_in([*texts, caplog.text, printed.out, printed.err]) == []


@pytest.mark.slow
def test_no_token_reaches_a_saved_notebook_or_the_handout(planted, tmp_path):
    import nbformat

    from workshop_lib.handout import build_handout, execute_notebook

    folder = tmp_path / "notebooks"
    folder.mkdir()
    name = "07_searching_github.ipynb"
    shutil.copy(NOTEBOOKS / name, folder / name)

    executed = execute_notebook(folder / name, tmp_path / "run", offline=True)
    saved = tmp_path / "saved.ipynb"
    nbformat.write(executed, saved)
    report = build_handout(
        tmp_path / "handout", notebooks=folder, offline=True, executed={name: executed}
    )
    pages = [p.read_text(errors="replace") for p in (tmp_path / "handout").rglob("*.html")]

    assert "is used" in saved.read_text()  # the notebook saw the token (its status says so)
    assert pages and report.index.exists()
    assert found_in([saved.read_text(), *pages]) == []
