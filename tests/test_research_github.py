"""search_github / repository / readme_excerpt: a local stand-in for GitHub, limits, token, fallbacks."""

import json
import sys
import time
import types
from datetime import UTC, datetime, timedelta

import pytest
from research_server import ApiServer, closed_port_url, recorded_body, recorded_entry

from workshop_lib import WorkshopError
from workshop_lib.research import (
    _common,
    checklist,
    github_client,
    licence_meaning,
    readme_excerpt,
    repository,
    search_github,
    token_status,
)
from workshop_lib.research import github as research_github

JSON = {"Content-Type": "application/json; charset=utf-8"}
TOKEN = "ghp_NotARealToken0123456789abcdefSENTINEL"


@pytest.fixture(autouse=True)
def fresh_state(tmp_path, monkeypatch):
    """Each test: its own cache, online, no token, and no searches or limits remembered yet."""
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    for name in ("WORKSHOP_OFFLINE", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(github_client, "_SEARCHES", _common.Window(60.0))
    monkeypatch.setattr(github_client, "_BLOCKED", {})
    monkeypatch.setattr(github_client, "_COLAB_SECRET", [])
    monkeypatch.setattr(research_github, "_SEEN", {})


def github(path, query, headers):
    """Answer like GitHub from the recordings (any search gets the 'spleeter' answer)."""
    if path == "/search/repositories":
        return 200, {**JSON, "ETag": '"search-etag"'}, recorded_body("github/search/spleeter.json")
    parts = path.strip("/").split("/")
    name = "-".join(parts[1:3]).lower()
    kind = "readme" if path.endswith("/readme") else "repos"
    try:
        return 200, JSON, recorded_body(f"github/{kind}/{name}.json")
    except FileNotFoundError:
        return 404, JSON, b'{"message": "Not Found"}'


def use(monkeypatch, server):
    monkeypatch.setenv("WORKSHOP_GITHUB_API", server.url)


RATE_LIMITED = {  # GitHub's answer when the search limit is used up (headers as GitHub sends them)
    "status": 403,
    "headers": {
        "Content-Type": "application/json; charset=utf-8",
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Used": "10",
        "X-RateLimit-Resource": "search",
    },
    "body": {
        "message": "API rate limit exceeded for 203.0.113.7. (But here's the good news: "
        "Authenticated requests get a higher rate limit. Check out the documentation for "
        "more details.)",
        "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
    },
}


def rate_limited(reset_in: float):
    headers = {**RATE_LIMITED["headers"], "X-RateLimit-Reset": str(int(time.time() + reset_in))}
    return RATE_LIMITED["status"], headers, json.dumps(RATE_LIMITED["body"]).encode()


# --- offline and recordings -----------------------------------------------------------------------


def test_offline_switch_uses_recordings_without_asking(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    with ApiServer(github) as server:
        use(monkeypatch, server)

        found = search_github("spleeter", check_readmes=2)

    recorded = recorded_entry("github", "search/stars", "spleeter")["recorded"]
    assert server.requests == []
    assert found.source == "recorded" and recorded in found.note and "by hand" in found.note
    assert [r.name for r in found] == ["deezer/spleeter", "diracdeltas/spleeter4max"]
    spleeter, other = found
    assert (spleeter.licence, other.licence) == ("MIT", "none")
    assert spleeter.stars == 27033 and spleeter.pushed.year == 2025  # sourced, dated figures
    assert "June 2025" in found.note  # the note says how old the figures are
    assert other.stars is None and other.pushed is None  # not sourced, so not recorded
    assert spleeter.demo.startswith("https://colab.research.google.com/github/deezer/spleeter")
    assert other.demo is None and not other.demo_checked  # its README is not recorded (no licence)


def test_unknown_facts_show_as_unknown(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    page = search_github("spleeter")._repr_html_()
    tts = search_github("text to speech")._repr_html_()

    assert "<td>unknown</td>" in page and "MIT" in page and "recorded on" in page
    assert "<td>40,824</td>" in tts and "MPL-2.0" in tts  # comparing by stars works offline


def test_offline_unrecorded_repository_names_the_recorded_ones(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    with pytest.raises(WorkshopError, match="deezer/spleeter"):
        repository("someone/something")


# --- live through the stand-in --------------------------------------------------------------------


def test_live_search_sends_githubs_headers_and_is_cached(monkeypatch):
    with ApiServer(github) as server:
        use(monkeypatch, server)

        first = search_github("spleeter", check_readmes=1)
        second = search_github("spleeter", check_readmes=1)

    searches = [r for r in server.requests if r["path"] == "/search/repositories"]
    assert (first.source, second.source) == ("live", "cache")
    assert len(searches) == 1
    request = searches[0]
    assert request["query"] == {"q": "spleeter", "per_page": "5", "sort": "stars", "order": "desc"}
    assert request["headers"]["Accept"] == "application/vnd.github+json"
    assert request["headers"]["X-GitHub-Api-Version"] == "2022-11-28"
    assert "Authorization" not in request["headers"]
    assert [r["path"] for r in server.requests].count("/repos/deezer/spleeter/readme") == 1
    assert first[0].demo and not first[1].demo_checked  # only the first README was read


def test_rate_limit_answer_falls_back_and_is_remembered(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "")
    with ApiServer(lambda p, q, h: rate_limited(120)) as server:
        use(monkeypatch, server)

        first = search_github("spleeter", check_readmes=0)
        second = search_github("text to speech", check_readmes=0)

    assert first.source == second.source == "recorded"
    assert "limit" in first.note and "seconds" in first.note and "token" in first.note
    assert len(server.requests) == 1  # the second search waited for GitHub's reset time
    assert second[0].name == "coqui-ai/TTS"


def test_secondary_limit_with_retry_after_is_respected(monkeypatch):
    with ApiServer(lambda p, q, h: (429, {"Retry-After": "30", **JSON}, b"{}")) as server:
        use(monkeypatch, server)

        found = search_github("spleeter", check_readmes=0)
        search_github("spleeter", check_readmes=0)

    assert found.source == "recorded" and "30 seconds" in found.note
    assert len(server.requests) == 1


def test_more_than_ten_searches_a_minute_are_not_sent(monkeypatch):
    with ApiServer(github) as server:
        use(monkeypatch, server)
        for number in range(10):
            search_github(f"query number {number}", check_readmes=0)

        eleventh = search_github("spleeter", check_readmes=0)

    assert len(server.requests) == 10
    assert eleventh.source == "recorded" and "10 searches in the last minute" in eleventh.note


def test_no_internet_falls_back_to_the_recording(monkeypatch):
    monkeypatch.setenv("WORKSHOP_GITHUB_API", closed_port_url())

    repo = repository("junyanz/interactive-deep-colorization")

    assert repo.licence == "MIT"
    assert "recorded on" in repo.source


def test_missing_repository_is_a_clear_error(monkeypatch):
    with ApiServer(github) as server:
        use(monkeypatch, server)

        with pytest.raises(WorkshopError, match="no repository 'nobody/nothing'"):
            repository("nobody/nothing")


def test_etag_lets_github_answer_not_modified(monkeypatch, tmp_path):
    answers = []

    def answer(path, query, headers):
        answers.append(headers.get("If-None-Match"))
        if headers.get("If-None-Match") == '"search-etag"':
            return 304, {}, b""
        return github(path, query, headers)

    with ApiServer(answer) as server:
        use(monkeypatch, server)
        search_github("spleeter", check_readmes=0)
        age_cache(tmp_path)

        again = search_github("spleeter", check_readmes=0)

    assert answers == [None, '"search-etag"']
    assert again.source == "live" and "unchanged" in again.note
    assert again[0].name == "deezer/spleeter"


def test_an_older_answer_is_used_before_the_recording(monkeypatch, tmp_path):
    served = iter([github("/search/repositories", {}, {})])
    with ApiServer(lambda p, q, h: next(served, (502, JSON, b"{}"))) as server:
        use(monkeypatch, server)
        search_github("my own words", check_readmes=0)
        age_cache(tmp_path)

        again = search_github("my own words", check_readmes=0)

    assert again.source == "cache" and "HTTP 502" in again.note
    assert again[0].name == "deezer/spleeter"


def age_cache(tmp_path, hours=2):
    for path in (tmp_path / "cache" / "research").glob("*.json"):
        record = json.loads(path.read_text())
        record["fetched"] = (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
        path.write_text(json.dumps(record))


# --- the token ------------------------------------------------------------------------------------


def test_token_is_sent_to_github_and_never_shown_or_stored(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with ApiServer(github) as server:
        use(monkeypatch, server)

        found = search_github("spleeter")
        repo = repository("deezer/spleeter")
        readme = readme_excerpt("deezer/spleeter")
        print(found, repo, readme, token_status())
        shown = found._repr_html_() + repo._repr_html_() + readme._repr_html_() + repr(found)

    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert "environment variable GITHUB_TOKEN" in token_status()
    output = capsys.readouterr()
    cached = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    for text in (output.out, output.err, shown, cached):
        assert TOKEN not in text


def test_refused_token_is_explained_without_showing_it(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with ApiServer(lambda p, q, h: (401, JSON, b'{"message": "Bad credentials"}')) as server:
        use(monkeypatch, server)

        found = search_github("spleeter", check_readmes=0)

    assert found.source == "recorded" and "refused the credentials" in found.note
    assert "token may have expired" in found.note
    assert TOKEN not in found.note


def test_token_can_come_from_a_colab_secret(monkeypatch):
    userdata = types.ModuleType("google.colab.userdata")
    userdata.get = lambda name: TOKEN if name == "GITHUB_TOKEN" else None
    colab = types.ModuleType("google.colab")
    colab.userdata = userdata
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.userdata", userdata)
    with ApiServer(github) as server:
        use(monkeypatch, server)

        search_github("spleeter", check_readmes=0)

    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert "Colab secret GITHUB_TOKEN" in token_status() and TOKEN not in token_status()


def test_without_a_token_the_status_says_how_to_add_one():
    assert "No GitHub token" in token_status() and "Colab secret" in token_status()


# --- reading and judging --------------------------------------------------------------------------


def test_readme_excerpt_is_the_start_and_finds_demo_links(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    readme = readme_excerpt("facebookresearch/demucs", lines=10)

    assert len(readme.text.splitlines()) == 10 and readme.total_lines > 100
    assert any("colab.research.google.com" in link for link in readme.demo_links)
    assert "more lines" in str(readme)


def test_checklist_answers_from_live_facts(monkeypatch):
    facts = {
        "full_name": "someone/old-tool",
        "html_url": "https://github.com/someone/old-tool",
        "stargazers_count": 12,
        "license": None,
        "pushed_at": "2019-03-01T10:00:00Z",
        "archived": True,
    }
    readme = {"content": "# Old tool\n\n## Installation\n\npip install old-tool\n", "html_url": "x"}

    def answer(path, query, headers):
        body = readme if path.endswith("/readme") else facts
        return 200, JSON, json.dumps(body).encode()

    with ApiServer(answer) as server:
        use(monkeypatch, server)
        repo = repository("someone/old-tool")

        result = checklist(
            repo, readme_excerpt("someone/old-tool"), today=datetime(2026, 11, 28, tzinfo=UTC)
        )

    verdicts = {question: verdict for question, verdict, _ in result.rows}
    assert verdicts == {
        "Recently active": "no",
        "Has a licence that lets you use it": "no",
        "Still maintained (not archived)": "no",
        "README says how to install it": "yes",
        "Colab or online demo to try first": "no",
        "Many people use it (stars)": "no",
    }


def test_checklist_measures_activity_from_the_date_of_recorded_facts(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    fork = repository("idiap/coqui-ai-TTS")
    row = checklist(fork).rows[0]

    assert fork.as_of == datetime(2025, 6, 26, tzinfo=UTC)
    assert row[:2] == ("Recently active", "yes")
    assert "1 day before these facts were gathered, on 2025-06-26" in row[2]
    original = search_github("text to speech")[0]  # its figures are a week older
    assert original.name == "coqui-ai/TTS" and original.as_of == datetime(2025, 6, 19, tzinfo=UTC)


def test_checklist_marks_unknown_facts_as_unknown(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    result = checklist(repository("facebookresearch/demucs", check_readme=True))

    verdicts = dict((q, v) for q, v, _ in result.rows)
    assert verdicts["Recently active"] == "unknown"
    assert verdicts["Has a licence that lets you use it"] == "yes"
    assert verdicts["Colab or online demo to try first"] == "yes"


@pytest.mark.parametrize(
    ("licence", "words"),
    [
        ("MIT", "sell"),
        ("GPL-3.0-only", "all its source"),
        ("none", "all rights reserved"),
        (None, "not known"),
    ],
)
def test_licence_meaning_is_plain_words(licence, words):
    assert words in licence_meaning(licence)


@pytest.mark.parametrize("name", ["spleeter", "deezer/", "a/b/c", "deezer spleeter"])
def test_bad_repository_name_gets_a_clear_message(name):
    with pytest.raises(WorkshopError, match="owner/name"):
        repository(name)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": " "}, "empty"),
        ({"query": "x", "sort": "name"}, "sort"),
        ({"query": "x", "limit": 0}, "limit"),
    ],
)
def test_bad_search_options_get_a_clear_message(kwargs, message):
    with pytest.raises(WorkshopError, match=message):
        search_github(**kwargs)
