"""workshop_lib.net: the one place where HTTP errors become plain words, for every caller."""

import pytest
import requests
from research_server import ApiServer, closed_port_url

from workshop_lib.net import failure_reason


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "refused the credentials it was sent (HTTP 401 Unauthorized)"),
        (404, "HTTP 404 Not Found, so what was asked for may have moved"),
        (410, "no longer shared there"),
        (429, "busy and asked us to slow down (HTTP 429 Too Many Requests)"),
        (503, "busy and asked us to slow down"),
        (502, "had a problem of its own (HTTP 502 Bad Gateway); it may be busy"),
        (418, "answered with an error (HTTP 418"),
        (299, "answered with an error (HTTP 299)"),
    ],
)
def test_status_codes_become_plain_words(status, words):
    reason = failure_reason(status, server="GitHub")

    assert reason.startswith("GitHub ") and words in reason and not reason.endswith(".")


def test_a_real_connection_failure_and_a_real_http_error_are_explained():
    with pytest.raises(requests.ConnectionError) as refused:
        requests.get(closed_port_url(), timeout=5)
    with ApiServer(lambda p, q, h: (404, {}, b"gone")) as server:
        response = requests.get(server.url + "/x", timeout=5)
        with pytest.raises(requests.HTTPError) as missing:
            response.raise_for_status()

    assert "could not be reached" in failure_reason(refused.value, server="arXiv")
    assert "internet connection" in failure_reason(refused.value)
    assert "HTTP 404 Not Found" in failure_reason(missing.value)
    assert failure_reason(response) == failure_reason(404)


def test_timeouts_and_broken_connections_are_explained():
    assert failure_reason(requests.Timeout(), server="arXiv") == "arXiv did not answer in time"
    assert "broke off (ChunkedEncodingError)" in failure_reason(
        requests.exceptions.ChunkedEncodingError()
    )


@pytest.mark.parametrize("problem", [True, "404", None, 4.04])
def test_anything_else_is_a_programming_error(problem):
    with pytest.raises(TypeError):
        failure_reason(problem)


def test_the_research_helpers_and_downloads_use_it():
    import inspect

    from workshop_lib import assets
    from workshop_lib.research import arxiv, github_client

    for module in (assets, arxiv, github_client):
        assert "failure_reason(" in inspect.getsource(module)
