"""The recorded answers that ship with the library, and the tool that captures fresh ones."""

import fnmatch
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import arxiv
import pytest
from research_server import RECORDED, ApiServer, recorded_body

ROOT = Path(__file__).resolve().parent.parent
INDEX = json.loads((RECORDED / "recordings.json").read_text("utf-8"))
ENTRIES = INDEX["recordings"]
IDS = [f"{e['service']}-{e['kind']}-{e['key']}" for e in ENTRIES]


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_each_recording_says_how_when_and_from_what(entry):
    path = RECORDED / entry["file"]

    text = path.read_text("utf-8")

    assert entry["recorded"][:2] == "20" and entry["method"] and entry["sources"]
    if path.suffix == ".json":
        about = json.loads(text)["_recording"]
        assert about["recorded"] == entry["recorded"] and about["method"] == entry["method"]
        assert about["sources"] == entry["sources"]
    else:
        assert f"Recorded on {entry['recorded']}: {entry['method']}" in text


def test_every_recorded_file_is_listed_and_ships_with_the_package():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["*"]
    files = {p.relative_to(RECORDED).as_posix() for p in RECORDED.rglob("*") if p.is_file()}

    listed = {e["file"] for e in ENTRIES} | {"recordings.json"}
    unshipped = [
        f for f in files if not any(fnmatch.fnmatch(Path(f).name, pattern) for pattern in patterns)
    ]
    assert files == listed
    assert unshipped == []


FIGURES = {"stargazers_count": "stars", "forks_count": "forks", "pushed_at": "last push"}


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "by hand" in e["method"]], ids=str)
def test_hand_assembled_recordings_hold_only_sourced_figures(entry):
    if entry["service"] != "github" or entry["kind"] == "readme":
        return
    data = json.loads((RECORDED / entry["file"]).read_text("utf-8"))

    for item in data.get("items", [data]):
        for field in ("watchers_count", "updated_at", "created_at", "score"):
            assert field not in item
        for field, word in FIGURES.items():
            if field in item:
                lines = [s for s in entry["sources"] if word in s and item["full_name"] in s]
                assert lines, f"{item['full_name']}: {field} has no source"
                assert "figures of" in lines[0]  # and the date the figures are from
                assert entry["figures_of"][:4] in lines[0]  # which the checklist measures from


def test_recorded_comparison_searches_carry_stars():
    """Offline, comparing by stars still works: the recorded searches hold sourced star counts."""
    for file in ("github/search/text-to-speech.json", "github/search/spleeter.json"):
        items = json.loads((RECORDED / file).read_text("utf-8"))["items"]
        starred = [i for i in items if isinstance(i.get("stargazers_count"), int)]
        assert len(starred) >= 1 and starred == sorted(
            starred, key=lambda i: -i["stargazers_count"]
        )
    tts = json.loads((RECORDED / "github/search/text-to-speech.json").read_text("utf-8"))["items"]
    assert all(isinstance(i.get("stargazers_count"), int) for i in tts) and len(tts) >= 3


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["service"] == "arxiv"], ids=str)
def test_recorded_atom_parses_with_the_arxiv_package(entry):
    feed = arxiv._feed.parse(recorded_body(entry["file"]))

    assert not feed.malformed
    assert [r.get_short_id() for r in feed.results] == ["1705.02999"]


def test_the_record_tool_captures_live_answers_through_the_helpers(tmp_path):
    folder = tmp_path / "recorded"
    shutil.copytree(RECORDED, folder)

    def answer(path, query, headers):
        if path == "/api/query":
            name = (
                "id-1705.02999.atom.xml"
                if query.get("id_list")
                else "search-real-time-guided-image-colorization.atom.xml"
            )
            return 200, {"Content-Type": "application/atom+xml"}, recorded_body(f"arxiv/{name}")
        body = {"full_name": path, "items": [], "total_count": 0, "stargazers_count": 7}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    with ApiServer(answer) as server:
        env = {
            "PATH": "/usr/bin:/bin",
            "WORKSHOP_ARXIV_API": f"{server.url}/api/query",
            "WORKSHOP_GITHUB_API": server.url,
            "WORKSHOP_OFFLINE": "1",  # the tool turns the switch off for itself
        }
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "record_api_responses.py"),
                "--folder",
                str(folder),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    assert result.returncode == 0, result.stdout + result.stderr
    index = json.loads((folder / "recordings.json").read_text())
    assert all(e["method"].startswith("captured live") for e in index["recordings"])
    assert all("caveat" not in e for e in index["recordings"])
    repo = json.loads((folder / "github" / "repos" / "deezer-spleeter.json").read_text())
    assert repo["stargazers_count"] == 7 and repo["_recording"]["sources"][0].startswith(server.url)
    atom = (folder / "arxiv" / "id-1705.02999.atom.xml").read_text()
    assert "captured live" in atom and "1705.02999" in atom
    searches = [r for r in server.requests if r["path"] == "/search/repositories"]
    assert {r["query"]["q"] for r in searches} == {
        "spleeter",
        "text to speech",
        "real-time voice clone",
    }
