"""Notebook 07 in a room: the requests it makes, a room of 20 on one address, the limit used up.

The notebook runs against a stand-in GitHub on this machine that answers from the packaged
recordings and, where a test asks, enforces GitHub's unauthenticated limits (10 searches a
minute, 60 other requests an hour, per address).
"""

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from research_server import RECORDED, ApiServer, GitHubStandIn, closed_port_url

from workshop_lib.research import _common, github, github_client

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "07_searching_github.ipynb"
LEARNERS = 20


def body_cells():
    """The notebook's code cells after the stamped setup cell."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return [
        c
        for c in nb.cells
        if c.cell_type == "code" and "workshop-setup" not in c.metadata.get("tags", [])
    ]


@pytest.fixture
def online(tmp_path, monkeypatch):
    """Online, no token, no snapshot, a fresh cache; arXiv unreachable (the notebook never asks it)."""
    for name in ("WORKSHOP_OFFLINE", "GITHUB_TOKEN", "WORKSHOP_SNAPSHOT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WORKSHOP_ARXIV_API", closed_port_url())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_in_kernel(folder: Path, server_url: str, monkeypatch):
    """Run the notebook (without its setup cell) in a fresh kernel, as a learner's Run all."""
    monkeypatch.setenv("WORKSHOP_GITHUB_API", server_url)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [c for c in nb.cells if "workshop-setup" not in c.metadata.get("tags", [])]
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return nb


def shown(nb) -> str:
    """Everything the notebook showed: text and HTML of every output."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/html", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def split(requests) -> tuple[list, list]:
    searches = [r for r in requests if r["path"].startswith("/search/")]
    return searches, [r for r in requests if not r["path"].startswith("/search/")]


# --- one learner's Run all ------------------------------------------------------------------------


@pytest.mark.notebook
def test_notebook_07_makes_two_searches_and_two_other_requests(online, monkeypatch):
    with ApiServer(GitHubStandIn()) as server:
        nb = run_in_kernel(online, server.url, monkeypatch)

    searches, others = split(server.requests)
    assert [r["query"]["q"] for r in searches] == ["text to speech", "spleeter"]
    assert sorted(r["path"] for r in others) == [
        "/repos/deezer/spleeter/readme",
        "/repos/idiap/coqui-ai-TTS",
    ]
    assert "Live results from GitHub" in shown(nb)
    # The instructor's notes state the same count.
    notes = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f"**{len(searches)} searches and {len(others)} other requests**" in notes
    # Every request has a packaged recording, so the instructor's snapshot records it too.
    index = json.loads((RECORDED / "recordings.json").read_text("utf-8"))
    recorded = {(e["kind"].split("/")[0], e["key"].lower()) for e in index["recordings"]}
    for request in server.requests:
        parts = request["path"].strip("/").split("/")
        if parts[0] == "search":
            assert ("search", request["query"]["q"]) in recorded
        else:
            kind = "readme" if parts[-1] == "readme" else "repo"
            assert (kind, "/".join(parts[1:3]).lower()) in recorded


@pytest.mark.notebook
def test_notebook_07_completes_with_the_limit_used_up(online, monkeypatch):
    stand_in = GitHubStandIn(searches_per_minute=0, requests_per_hour=0)
    with ApiServer(stand_in) as server:
        nb = run_in_kernel(online, server.url, monkeypatch)

    page = shown(nb)
    searches, others = split(server.requests)
    assert len(searches) == 1 and len(others) == 1  # each refusal is remembered until the reset
    assert "limit" in page and "recorded on" in page
    assert "40,824" in page and "27,033" in page  # comparing by stars still works
    assert "<td>unknown</td><td>unknown</td><td>MPL-2.0</td>" not in page


# --- a room of 20 behind one address (in one process, quickly) --------------------------------------


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def run_as_learner(number: int, tmp_path: Path, monkeypatch) -> dict:
    """Run the notebook's code cells as one learner's fresh kernel would; return its variables."""
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / f"learner-{number}"))
    monkeypatch.setattr(github, "_SEEN", {})
    monkeypatch.setattr(github_client, "_SEARCHES", _common.Window(60.0))
    monkeypatch.setattr(github_client, "_BLOCKED", {})
    space = {"display": lambda *things: None}
    for cell in body_cells():
        exec(compile(cell.source, f"07 learner {number}", "exec"), space)
    return space


def room(tmp_path, monkeypatch, seconds_apart: float):
    clock = Clock()
    stand_in = GitHubStandIn(searches_per_minute=10, requests_per_hour=60, clock=clock)
    learners = []
    with ApiServer(stand_in) as server:
        monkeypatch.setenv("WORKSHOP_GITHUB_API", server.url)
        for number in range(LEARNERS):
            learners.append(run_as_learner(number, tmp_path, monkeypatch))
            clock.now += seconds_apart
    return stand_in, server, learners


def test_a_room_of_20_starting_15_seconds_apart_stays_within_the_limits(
    online, monkeypatch, capsys
):
    stand_in, server, learners = room(online, monkeypatch, seconds_apart=15)

    searches, others = split(server.requests)
    assert stand_in.refused == 0
    assert (len(searches), len(others)) == (2 * LEARNERS, 2 * LEARNERS)  # 40 of 60 an hour
    assert all(space["speech"].source == "live" for space in learners)


def test_a_room_of_20_pressing_run_all_at_once_falls_back_with_stars(online, monkeypatch, capsys):
    stand_in, _, learners = room(online, monkeypatch, seconds_apart=0)

    live = [space["speech"].source == "live" for space in learners]
    assert stand_in.refused > 0 and live[:5] == [True] * 5 and not any(live[5:])
    for space in learners:
        assert space["speech"][0].stars is not None  # recorded answers carry the stars
        assert space["separation"][0].name == "deezer/spleeter"
    late = learners[-1]["speech"]
    assert late.source == "recorded" and re.search(r"limit .*is used up", late.note)
