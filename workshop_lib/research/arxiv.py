"""Search arXiv for papers, politely, with a recorded answer to fall back on.

arXiv's API asks for at most one request every three seconds, one at a time. The search goes
through the ``arxiv`` package (its ``Client`` and its Atom parser), with a session of our own
underneath that keeps to that pace, waits at most a few seconds, and keeps answers for an hour.
When arXiv cannot be asked (offline switch, no internet, HTTP error, "slow down"), the same
parser reads a recorded Atom feed that ships with the workshop, and the results say so.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from datetime import datetime

import arxiv as arxiv_api
import requests
from requests.structures import CaseInsensitiveDict

from .. import net, runtime
from ..errors import WorkshopError
from . import _common, recordings
from ._common import Results, Stored

__all__ = [
    "ARXIV_API_VARIABLE",
    "AbstractGuide",
    "Paper",
    "abstract_guide",
    "get_paper",
    "search_arxiv",
]

ARXIV_API_VARIABLE = "WORKSHOP_ARXIV_API"
"""Environment variable naming another address for arXiv's API (a mirror, or a test server)."""

_DEFAULT_API = "https://export.arxiv.org/api/query"
_PACER = _common.Pacer(3.0)  # arXiv's terms: no more than one request every three seconds
_SORTS = {
    "relevance": arxiv_api.SortCriterion.Relevance,
    "submitted": arxiv_api.SortCriterion.SubmittedDate,
    "updated": arxiv_api.SortCriterion.LastUpdatedDate,
}
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


@dataclass(frozen=True)
class Paper:
    """One paper on arXiv: its title, authors, abstract, dates and links.

    Parameters
    ----------
    id : str
        The arXiv identifier, such as ``"1705.02999"`` (a ``v2`` at the end names a version).
    title, abstract : str
        As the authors wrote them, with line breaks joined.
    authors : tuple of str
        In the paper's order.
    published, updated : datetime
        When the first version appeared, and when the latest one did (UTC).
    abstract_url, pdf_url : str
        The paper's page on arXiv and its PDF.
    links : tuple of str
        Every address arXiv lists for the paper.
    categories : tuple of str
        arXiv's subject codes, such as ``"cs.CV"`` (computer vision).
    comment : str or None
        The authors' note, often the conference and a project page.
    source : str
        Where this record came from, in a few words.
    """

    id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    published: datetime
    updated: datetime
    abstract_url: str
    pdf_url: str | None
    links: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    comment: str | None = None
    source: str = ""

    @property
    def short_authors(self) -> str:
        """The first three authors, then "et al."."""
        names = list(self.authors[:3])
        return ", ".join(names) + (" et al." if len(self.authors) > 3 else "")

    @property
    def year(self) -> int:
        return self.published.year

    @property
    def web_links(self) -> tuple[str, ...]:
        """Addresses written in the abstract or comment: often the demo page or the code."""
        found = _URL.findall(f"{self.abstract} {self.comment or ''}")
        return tuple(dict.fromkeys(url.rstrip(".,;:") for url in found))

    def sentences(self) -> list[str]:
        """The abstract split into sentences."""
        return _sentences(self.abstract)

    def one_line(self) -> str:
        return f"{self.title} — {self.short_authors} ({self.year}), arXiv:{self.id}"

    def __str__(self) -> str:
        lines = [
            self.title,
            f"Authors: {', '.join(self.authors)}",
            f"Published: {self.published:%Y-%m-%d}   arXiv:{self.id}",
            f"Abstract page: {self.abstract_url}",
            f"PDF: {self.pdf_url or 'none listed'}",
        ]
        lines += [f"Link in the abstract: {url}" for url in self.web_links]
        lines += ["", self.abstract]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self) -> str:
        links = [f'<a href="{html.escape(self.abstract_url)}" target="_blank">abstract page</a>']
        if self.pdf_url:
            links.append(f'<a href="{html.escape(self.pdf_url)}" target="_blank">PDF</a>')
        links += [
            f'<a href="{html.escape(url)}" target="_blank">{html.escape(url)}</a>'
            for url in self.web_links
        ]
        categories = f" · {', '.join(self.categories)}" if self.categories else ""
        return (
            f'<div style="max-width:780px">'
            f'<h3 style="margin:4px 0">{html.escape(self.title)}</h3>'
            f"<div><b>Authors:</b> {html.escape(', '.join(self.authors))}</div>"
            f"<div><b>Published:</b> {self.published:%Y-%m-%d} · arXiv:{html.escape(self.id)}"
            f"{html.escape(categories)}</div>"
            f"<div><b>Links:</b> {' · '.join(links)}</div>"
            f'<p style="line-height:1.45">{html.escape(self.abstract)}</p>'
            f'<div style="color:#666;font-size:85%">{html.escape(self.source)}</div></div>'
        )

    @staticmethod
    def _table_html(papers) -> str:
        rows = "".join(
            "<tr>"
            f"<td>{number}</td>"
            f'<td style="text-align:left"><a href="{html.escape(p.abstract_url)}" '
            f'target="_blank">{html.escape(p.title)}</a></td>'
            f'<td style="text-align:left">{html.escape(p.short_authors)}</td>'
            f"<td>{p.published:%Y-%m-%d}</td>"
            f"<td>{_link(p.pdf_url, 'PDF')}</td>"
            "</tr>"
            for number, p in enumerate(papers, start=1)
        )
        return (
            "<table><thead><tr><th>#</th><th>Title</th><th>Authors</th><th>Published</th>"
            f"<th>PDF</th></tr></thead><tbody>{rows}</tbody></table>"
        )


def _link(url: str | None, text: str) -> str:
    if not url:
        return "—"
    return f'<a href="{html.escape(url)}" target="_blank">{html.escape(text)}</a>'


def _sentences(text: str) -> list[str]:
    # Split after . ! ? followed by a space and a capital letter, but not after "e.g." or "et al.".
    protected = re.sub(
        r"\b(e\.g|i\.e|et al|etc|vs|Fig)\.", lambda m: m.group(0).replace(".", "\0"), text
    )
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])", protected.strip())
    return [part.replace("\0", ".").strip() for part in parts if part.strip()]


def _https(url: str | None) -> str | None:
    return None if url is None else re.sub(r"^http://", "https://", url)


def _to_paper(result, source: str) -> Paper:
    return Paper(
        id=result.get_short_id(),
        title=" ".join(result.title.split()),
        authors=tuple(author.name for author in result.authors),
        abstract=" ".join(result.summary.split()),
        published=result.published,
        updated=result.updated,
        abstract_url=_https(result.entry_id) or "",
        pdf_url=_https(result.pdf_url),
        links=tuple(link for link in (_https(item.href) for item in result.links) if link),
        categories=tuple(result.categories),
        comment=" ".join(result.comment.split()) if result.comment else None,
        source=source,
    )


# --- sessions under arxiv.Client -----------------------------------------------------------------


def _response(stored: Stored) -> requests.Response:
    response = requests.Response()
    response.status_code = stored.status
    response._content = stored.body
    response.url = stored.url
    response.encoding = "utf-8"
    response.headers = CaseInsensitiveDict(stored.headers)
    return response


class _LiveSession(requests.Session):
    """Asks arXiv: reuses fresh cached answers, keeps the 3-second pace, never waits forever."""

    def __init__(self):
        super().__init__()
        self.used: str | None = None  # "live" or "cache" after a request
        self.fetched: datetime | None = None
        self.last_url: str | None = None

    def request(self, method, url, *args, **kwargs):
        self.last_url = url
        stored = _common.cache_read(url)
        if _common.is_fresh(stored):
            self.used, self.fetched = "cache", stored.fetched
            return _response(stored)
        _PACER.wait()
        kwargs.setdefault("timeout", _common.TIMEOUT)
        headers = dict(kwargs.pop("headers", None) or {})
        headers["User-Agent"] = _common.USER_AGENT
        response = super().request(method, url, *args, headers=headers, **kwargs)
        self.used, self.fetched = "live", _common.now()
        if response.status_code == 200:
            content_type = response.headers.get("Content-Type", "application/atom+xml")
            _common.cache_write(url, 200, response.content, {"Content-Type": content_type})
        return response


class _ReplaySession(requests.Session):
    """Answers every request with one stored response (a recording, or an older cached answer)."""

    def __init__(self, stored: Stored):
        super().__init__()
        self.stored = stored

    def request(self, method, url, *args, **kwargs):
        return _response(self.stored)


def _client(session: requests.Session, page_size: int) -> arxiv_api.Client:
    # delay_seconds=0: the pacing is ours (_PACER), shared by every search in this kernel.
    client = arxiv_api.Client(page_size=page_size, delay_seconds=0.0, num_retries=1)
    client.query_url_format = _api_address() + "?{}"
    client._session = session  # the arxiv package fetches every page through this session
    return client


def _api_address() -> str:
    return os.environ.get(ARXIV_API_VARIABLE, "").strip() or _DEFAULT_API


# --- the public functions ------------------------------------------------------------------------


def search_arxiv(query: str, *, max_results: int = 5, sort_by: str = "relevance") -> Results:
    """Search arXiv and return the papers found, best first, with a note on where they came from.

    arXiv is asked at most once every three seconds, as its terms of use ask; the same search
    within an hour is answered from this computer's cache. Offline (``WORKSHOP_OFFLINE=1``), or
    when arXiv cannot be reached or refuses, a recorded answer that ships with the workshop is
    used instead, and the note says so and gives its date.

    Parameters
    ----------
    query : str
        Words to look for, such as ``"real-time guided image colorization"``. arXiv's own
        syntax works too: ``ti:colorization AND au:zhang`` (title and author).
    max_results : int
        How many papers to return, 1 to 50.
    sort_by : {"relevance", "submitted", "updated"}
        Best match first, or the newest first.

    Returns
    -------
    Results
        A list of :class:`Paper` records with ``.note`` and ``.source``.

    Raises
    ------
    WorkshopError
        For an empty query or a bad option, or when arXiv cannot answer and nothing was recorded
        for this query.

    Examples
    --------
    >>> papers = search_arxiv("real-time guided image colorization")  # doctest: +SKIP
    >>> papers[0].title  # doctest: +SKIP
    'Real-Time User-Guided Image Colorization with Learned Deep Priors'
    """
    query = str(query).strip()
    if not query:
        raise WorkshopError("The search is empty. Type some words, such as 'image colorization'.")
    if sort_by not in _SORTS:
        raise WorkshopError(f"sort_by must be one of {', '.join(_SORTS)}, not {sort_by!r}.")
    if not isinstance(max_results, int) or not 1 <= max_results <= 50:
        raise WorkshopError(
            f"max_results must be a whole number from 1 to 50, not {max_results!r}."
        )
    search = arxiv_api.Search(query=query, max_results=max_results, sort_by=_SORTS[sort_by])
    return _run(search, kind="search", key=query, what=f"the search {query!r}", limit=max_results)


def get_paper(arxiv_id: str) -> Paper:
    """Fetch one paper by its arXiv identifier, such as ``"1705.02999"``.

    Works like :func:`search_arxiv` (pace, cache, recorded answer); the record's ``source``
    says where it came from.

    Raises
    ------
    WorkshopError
        For an identifier that is not one, or a paper that arXiv does not have.
    """
    arxiv_id = str(arxiv_id).strip().removeprefix("arXiv:").removeprefix("arxiv:")
    arxiv_id = re.sub(r"^https?://arxiv\.org/(abs|pdf)/", "", arxiv_id).removesuffix(".pdf")
    if not _ID.match(arxiv_id):
        raise WorkshopError(
            f"{arxiv_id!r} does not look like an arXiv identifier. They look like 1705.02999 "
            "(year and month, then a number); you find it on the paper's arXiv page."
        )
    search = arxiv_api.Search(id_list=[arxiv_id], max_results=1)
    results = _run(search, kind="id", key=arxiv_id, what=f"the paper {arxiv_id}", limit=1)
    if not results.items:
        raise WorkshopError(f"arXiv has no paper {arxiv_id}. Check the number on its arXiv page.")
    return results.items[0]


def _run(search, *, kind: str, key: str, what: str, limit: int) -> Results:
    if runtime.is_offline():
        return _from_recording(
            search,
            kind,
            key,
            what,
            limit,
            reason="Offline mode is on (WORKSHOP_OFFLINE=1), so arXiv was not asked.",
        )
    session = _LiveSession()
    try:
        results = list(_client(session, limit).results(search))
    except arxiv_api.HTTPError as err:
        reason = f"{net.failure_reason(err.status, server='arXiv')}."
        return _fallback(session, search, kind, key, what, limit, reason, err)
    except requests.RequestException as err:
        reason = f"{net.failure_reason(err, server='arXiv')}."
        return _fallback(session, search, kind, key, what, limit, reason, err)
    except arxiv_api.ArxivError as err:
        reason = f"arXiv's answer could not be used ({str(err)[:200]})."
        return _fallback(session, search, kind, key, what, limit, reason, err)
    except _UNREADABLE as err:  # a damaged feed: the arxiv package's parser gives up
        reason = "arXiv's answer could not be read (it is not the feed arXiv sends)."
        return _fallback(session, search, kind, key, what, limit, reason, err)
    if session.used == "cache":
        note = (
            f"Results from arXiv at {_common.when(session.fetched)}, kept on this computer for "
            "an hour so that arXiv is not asked the same thing again."
        )
        source = "cache"
    else:
        note = f"Live results from arXiv, {_common.when(session.fetched or _common.now())}."
        source = "live"
    papers = tuple(_to_paper(r, f"arXiv API, {source}") for r in results)
    return Results(query=key, items=papers, source=source, note=note)


_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError)
"""What the arxiv package's feed parser raises for a damaged answer."""


def _fallback(session, search, kind, key, what, limit, reason, err) -> Results:
    stale = _common.cache_read(session.last_url) if session.last_url else None
    if stale is not None and stale.status == 200:
        try:
            results = list(_client(_ReplaySession(stale), limit).results(search))
        except (arxiv_api.ArxivError, *_UNREADABLE):
            stale, results = None, []
    if stale is not None and stale.status == 200:
        note = f"{reason} These results are from the same search at {_common.when(stale.fetched)} on this computer."
        papers = tuple(_to_paper(r, "arXiv API, earlier answer") for r in results)
        return Results(query=key, items=papers, source="cache", note=note)
    try:
        return _from_recording(search, kind, key, what, limit, reason)
    except WorkshopError as missing:
        raise missing from err


def _from_recording(search, kind, key, what, limit, reason) -> Results:
    recording = recordings.find("arxiv", kind, key)
    if recording is None:
        raise recordings.missing(what, reason, "arxiv", kind)
    stored = Stored(
        url=_api_address(),
        status=recording.status,
        body=recording.body(),
        headers=recording.headers,
    )
    results = list(_client(_ReplaySession(stored), limit).results(search))
    origin = "the instructor's snapshot" if recording.origin == "snapshot" else "arXiv API"
    source = f"{origin}, {recording.describe()}"
    papers = tuple(_to_paper(r, source) for r in results)
    return Results(
        query=key, items=papers, source="recorded", note=recordings.why(reason, recording)
    )


def fetch_live(kind: str, key: str, *, page_size: int = 5) -> Stored:
    """Ask arXiv now for one recorded request, with no cache and no fallback.

    ``kind`` is ``"search"`` (``key`` is the query) or ``"id"`` (``key`` is an identifier). Used
    for the instructor's snapshot; keeps arXiv's pace. Raises WorkshopError with the reason when
    arXiv does not answer 200.
    """
    if kind == "id":
        search, size = arxiv_api.Search(id_list=[key], max_results=1), 1
    else:
        search, size = arxiv_api.Search(query=key, max_results=page_size), page_size
    url = _client(requests.Session(), size)._format_url(search, 0, size)
    _PACER.wait()
    try:
        response = requests.get(
            url, headers={"User-Agent": _common.USER_AGENT}, timeout=_common.TIMEOUT
        )
    except requests.RequestException as err:
        raise WorkshopError(f"{net.failure_reason(err, server='arXiv')}.") from err
    if response.status_code != 200:
        raise WorkshopError(f"{net.failure_reason(response, server='arXiv')}.")
    content_type = response.headers.get("Content-Type", "application/atom+xml")
    return Stored(
        url=url,
        status=200,
        body=response.content,
        headers={"Content-Type": content_type},
        fetched=_common.now(),
    )


# --- reading an abstract -------------------------------------------------------------------------

_HINTS = (
    (
        r"\b(code|models?|software|data)\b.*\bavailable\b|https?://",
        "Where to find the code or a demo",
    ),
    (r"\bwe (propose|present|introduce|describe|develop|build)\b", "What they made"),
    (
        r"\b(we show|we demonstrate|we find|results?|outperform\w*|improve\w*|fools?|accuracy|better than)\b",
        "What they found",
    ),
    (r"\b(train\w*|dataset|learned from|images|examples)\b", "What it learned from"),
    (r"\b(real[- ]time|fast|feed-forward|single pass|seconds?)\b", "How fast it is"),
)


@dataclass(frozen=True)
class AbstractGuide:
    """An abstract split into sentences, each with a hint at what it tells the reader."""

    paper: Paper
    parts: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return "\n".join(f"{n}. [{hint}] {s}" for n, (s, hint) in enumerate(self.parts, 1))

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td>{n}</td><td style="text-align:left"><b>{html.escape(hint)}</b></td>'
            f'<td style="text-align:left">{html.escape(sentence)}</td></tr>'
            for n, (sentence, hint) in enumerate(self.parts, 1)
        )
        return (
            f"<p><b>{html.escape(self.paper.title)}</b>: the abstract, sentence by sentence. "
            "The hints come from simple keyword rules, not from understanding: check them.</p>"
            "<table><thead><tr><th>#</th><th>What it tells you (a guess)</th><th>Sentence</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )


def abstract_guide(paper: Paper) -> AbstractGuide:
    """Split a paper's abstract into sentences and guess what each one tells you.

    Most abstracts follow one pattern: the problem, what the authors made, what it learned from,
    what they found, and where the code is. The guesses come from keyword rules (for example
    "we propose" marks what they made), so they are a reading aid, not an answer.

    Parameters
    ----------
    paper : Paper
        A record from :func:`search_arxiv` or :func:`get_paper`.

    Returns
    -------
    AbstractGuide
        Shows as a table in a notebook; ``.parts`` holds (sentence, hint) pairs.
    """
    if not isinstance(paper, Paper):
        raise WorkshopError("abstract_guide needs a paper from search_arxiv or get_paper.")
    parts = []
    for number, sentence in enumerate(paper.sentences()):
        hint = next(
            (label for pattern, label in _HINTS if re.search(pattern, sentence, re.IGNORECASE)),
            "The problem or the idea" if number == 0 else "How it works",
        )
        parts.append((sentence, hint))
    return AbstractGuide(paper=paper, parts=tuple(parts))
