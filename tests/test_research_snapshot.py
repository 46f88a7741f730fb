"""The instructor's snapshot: one command records fresh answers; learners fall back to it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from research_server import RECORDED, ApiServer, GitHubStandIn, recorded_body

from workshop_lib import WorkshopError
from workshop_lib.research import (
    _common,
    github,
    github_client,
    recordings,
    search_github,
    use_snapshot,
)
from workshop_lib.research.snapshot import make_snapshot

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ghp_NotARealToken0123456789abcdefSENTINEL"
INDEX = json.loads((RECORDED / "recordings.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def fresh_state(tmp_path, monkeypatch):
    """Each test: its own cache and folder, online, no token, no snapshot chosen yet."""
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    for name in ("WORKSHOP_OFFLINE", "GITHUB_TOKEN", "WORKSHOP_SNAPSHOT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(github_client, "_SEARCHES", _common.Window(60.0))
    monkeypatch.setattr(github_client, "_BLOCKED", {})
    monkeypatch.setattr(github_client, "_COLAB_SECRET", [])
    monkeypatch.setattr(github, "_SEEN", {})
    monkeypatch.setattr(recordings, "_CHOSEN", [])
    monkeypatch.chdir(tmp_path)


def arxiv_feed(path, query, headers):
    name = (
        "id-1705.02999.atom.xml"
        if query.get("id_list")
        else "search-real-time-guided-image-colorization.atom.xml"
    )
    return 200, {"Content-Type": "application/atom+xml"}, recorded_body(f"arxiv/{name}")


class FreshGitHub(GitHubStandIn):
    """The stand-in, with today's star count for Spleeter (so a test can tell the snapshot apart)."""

    def __call__(self, path, query, headers):
        status, extra, body = super().__call__(path, query, headers)
        if status == 200 and path == "/search/repositories" and query.get("q") == "spleeter":
            data = json.loads(body)
            data["items"][0]["stargazers_count"] = 28000
            body = json.dumps(data).encode()
        return status, extra, body


def test_the_snapshot_command_records_everything_and_never_saves_the_token(tmp_path):
    out = tmp_path / "kit" / "workshop-snapshot.json"
    with ApiServer(FreshGitHub()) as github_api, ApiServer(arxiv_feed) as arxiv_api:
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "WORKSHOP_CACHE": str(tmp_path / "cache"),
            "WORKSHOP_GITHUB_API": github_api.url,
            "WORKSHOP_ARXIV_API": f"{arxiv_api.url}/api/query",
            "GITHUB_TOKEN": TOKEN,
        }
        result = subprocess.run(
            [sys.executable, "-m", "workshop_lib", "snapshot", "--out", str(out)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            cwd=tmp_path,
        )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "not shown and not saved" in result.stdout
    text = out.read_text("utf-8")
    for place in (text, result.stdout, result.stderr):
        assert TOKEN not in place
    assert all(r["headers"]["Authorization"] == f"Bearer {TOKEN}" for r in github_api.requests)
    snapshot = json.loads(text)
    wanted = {(e["service"], e["kind"], e["key"]) for e in INDEX["recordings"]}
    assert {(a["service"], a["kind"], a["key"]) for a in snapshot["answers"]} == wanted
    assert all(a["recorded"].endswith("UTC") and a["sources"] for a in snapshot["answers"])


def test_learners_fall_back_to_the_snapshot_with_its_date(tmp_path):
    with ApiServer(FreshGitHub()) as fresh, ApiServer(arxiv_feed) as arxiv_api:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("WORKSHOP_GITHUB_API", fresh.url)
            patch.setenv("WORKSHOP_ARXIV_API", f"{arxiv_api.url}/api/query")
            report = make_snapshot(tmp_path / recordings.SNAPSHOT_FILE)  # found in this folder
    assert report.failures == [] and "answers recorded" in str(report)
    github._SEEN.clear()
    refusing = GitHubStandIn(searches_per_minute=0, requests_per_hour=0)
    with ApiServer(refusing) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_GITHUB_API", server.url)

        found = search_github("spleeter")

    assert found.source == "recorded" and "instructor's snapshot" in found.note
    assert report.made in found.note and "limit" in found.note
    assert found[0].stars == 28000  # the snapshot's figure, not the packaged one


def test_offline_the_snapshot_answers_before_the_packaged_recordings(tmp_path, monkeypatch):
    answers = [
        {
            "service": "github",
            "kind": "search/stars",
            "key": "spleeter",
            "status": 200,
            "headers": {},
            "recorded": "2026-12-02 08:10 UTC",
            "sources": ["GET https://api.github.com/search/repositories?q=spleeter"],
            "body": json.dumps({"total_count": 0, "items": []}),
        }
    ]
    path = tmp_path / "elsewhere.json"
    path.write_text(
        json.dumps({"format": recordings.SNAPSHOT_FORMAT, "made": "x", "answers": answers})
    )
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    said = use_snapshot(path)
    found = search_github("spleeter")
    text = search_github("text to speech")  # not in the snapshot: the packaged recording

    assert "1 answers recorded 2026-12-02 08:10 UTC" in said
    assert found.source == "recorded" and "2026-12-02 08:10 UTC" in found.note
    assert len(found) == 0 and "instructor's snapshot" in found.note
    assert "ships with the workshop" in text.note and text[0].stars == 40824


def test_a_file_that_is_not_a_snapshot_gets_a_clear_message(tmp_path, monkeypatch):
    (tmp_path / "notes.json").write_text('{"hello": 1}')

    with pytest.raises(WorkshopError, match="could not be read as the instructor's snapshot"):
        use_snapshot(tmp_path / "notes.json")
    with pytest.raises(WorkshopError, match="Upload"):
        use_snapshot(tmp_path / "missing.json")


def test_a_stray_file_with_the_snapshot_name_does_not_break_the_searches(tmp_path, monkeypatch):
    (tmp_path / recordings.SNAPSHOT_FILE).write_text("not json")
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    found = search_github("spleeter")

    assert found.source == "recorded" and "ships with the workshop" in found.note


def test_the_snapshot_needs_the_offline_switch_off(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    with pytest.raises(WorkshopError, match="offline switch is on"):
        make_snapshot(tmp_path / "s.json")
    assert not (tmp_path / "s.json").exists()
