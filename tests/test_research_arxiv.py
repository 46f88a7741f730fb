"""search_arxiv / get_paper: live through a local stand-in for arXiv, cache, pace, and every fallback."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from research_server import ApiServer, closed_port_url, recorded_body, recorded_entry

from workshop_lib import WorkshopError
from workshop_lib.research import _common, abstract_guide, get_paper, search_arxiv
from workshop_lib.research import arxiv as research_arxiv

QUERY = "real-time guided image colorization"
ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
TITLE = "Real-Time User-Guided Image Colorization with Learned Deep Priors"


@pytest.fixture(autouse=True)
def fresh_state(tmp_path, monkeypatch):
    """Each test: its own cache folder, online, and a pacer that has not sent anything yet."""
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    monkeypatch.setattr(research_arxiv, "_PACER", _common.Pacer(3.0))


def feed(path, query, headers):
    name = (
        "id-1705.02999.atom.xml"
        if query.get("id_list")
        else "search-real-time-guided-image-colorization.atom.xml"
    )
    return 200, ATOM, recorded_body(f"arxiv/{name}")


def use(monkeypatch, server):
    monkeypatch.setenv("WORKSHOP_ARXIV_API", f"{server.url}/api/query")


def test_offline_switch_uses_the_recording_without_asking(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    with ApiServer(feed) as server:
        use(monkeypatch, server)

        papers = search_arxiv(QUERY)

    recorded = recorded_entry("arxiv", "search", QUERY)["recorded"]
    assert server.requests == []
    assert papers.source == "recorded"
    assert "Offline mode" in papers.note and recorded in papers.note
    assert papers[0].title == TITLE
    assert papers[0].authors[0] == "Richard Zhang" and len(papers[0].authors) == 7
    assert papers[0].pdf_url == "https://arxiv.org/pdf/1705.02999"
    assert papers[0].web_links == ("https://richzhang.github.io/ideepcolor",)


def test_live_search_goes_through_the_arxiv_package_and_is_cached(monkeypatch):
    with ApiServer(feed) as server:
        use(monkeypatch, server)

        first = search_arxiv(QUERY, max_results=3)
        second = search_arxiv(QUERY, max_results=3)

    assert (first.source, second.source) == ("live", "cache")
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request["path"] == "/api/query"
    assert request["query"]["search_query"] == QUERY
    assert request["query"]["max_results"] == "3"
    assert request["headers"]["User-Agent"].startswith("workshop_lib")
    assert first[0].title == second[0].title == TITLE
    assert "Live results from arXiv" in first.note and "kept on this computer" in second.note


@pytest.mark.slow
def test_two_searches_are_at_least_three_seconds_apart(monkeypatch):
    with ApiServer(feed) as server:
        use(monkeypatch, server)

        search_arxiv(QUERY)
        search_arxiv("colorization")

    gap = server.requests[1]["time"] - server.requests[0]["time"]
    assert gap >= 2.9


def test_busy_arxiv_falls_back_to_the_recording(monkeypatch):
    with ApiServer(lambda p, q, h: (503, {"Retry-After": "5"}, b"busy")) as server:
        use(monkeypatch, server)

        papers = search_arxiv(QUERY)

    assert papers.source == "recorded"
    assert "busy" in papers.note and "HTTP 503" in papers.note
    assert papers[0].id == "1705.02999"
    assert len(server.requests) == 2  # one retry, three seconds later
    assert server.requests[1]["time"] - server.requests[0]["time"] >= 2.9


def test_no_internet_falls_back_to_the_recording(monkeypatch):
    monkeypatch.setenv("WORKSHOP_ARXIV_API", f"{closed_port_url()}/api/query")

    paper = get_paper("1705.02999")

    assert paper.title == TITLE
    assert "recorded on" in paper.source


@pytest.mark.slow
def test_an_older_answer_is_used_before_the_recording(monkeypatch, tmp_path):
    answers = iter(
        [(200, ATOM, recorded_body("arxiv/search-real-time-guided-image-colorization.atom.xml"))]
    )
    with ApiServer(lambda p, q, h: next(answers, (500, {}, b"error"))) as server:
        use(monkeypatch, server)
        search_arxiv(QUERY)
        for path in (tmp_path / "cache" / "research").glob("*.json"):  # two hours pass
            record = json.loads(path.read_text())
            record["fetched"] = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
            path.write_text(json.dumps(record))

        papers = search_arxiv(QUERY)

    assert papers.source == "cache"
    assert "HTTP 500" in papers.note and "same search at" in papers.note
    assert papers[0].title == TITLE


def test_unrecorded_search_offline_says_what_is_recorded(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    with pytest.raises(WorkshopError, match="real-time guided image colorization"):
        search_arxiv("protein folding")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: search_arxiv("   "), "empty"),
        (lambda: search_arxiv(QUERY, max_results=0), "max_results"),
        (lambda: search_arxiv(QUERY, sort_by="stars"), "sort_by"),
        (lambda: get_paper("colorization paper"), "arXiv identifier"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(WorkshopError, match=message):
        call()


def test_get_paper_accepts_an_address(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    paper = get_paper("https://arxiv.org/abs/1705.02999")

    assert paper.id == "1705.02999"
    assert paper.published.date().isoformat() == "2017-05-08"


def test_abstract_guide_marks_what_each_sentence_tells(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    paper = get_paper("1705.02999")

    guide = abstract_guide(paper)

    hints = [hint for _, hint in guide.parts]
    assert len(guide.parts) == 9
    assert hints[0] == "What they made"
    assert hints[3] == "What it learned from"  # "We train on a million images"
    assert hints[-1] == "Where to find the code or a demo"
    assert "keyword rules" in guide._repr_html_()


def test_results_show_as_a_table_under_their_note(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    page = search_arxiv(QUERY)._repr_html_()

    assert "recorded on" in page and "<table>" in page and "1705.02999" in page
