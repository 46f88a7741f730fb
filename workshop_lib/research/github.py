"""Search GitHub for projects and read their facts and README, within GitHub's limits.

Without a token GitHub allows 10 searches a minute and 60 other requests an hour, counted per
internet address: in a library room, everyone shares them. So answers are kept for an hour,
this kernel never sends more than the limit allows, a "rate limit exceeded" answer is
remembered until GitHub's reset time, and in every one of those cases (and offline) a recorded
answer that ships with the workshop is used, with a note that says so and gives its date.

An optional token raises the limits (30 searches a minute, 5,000 requests an hour). It is read
from the environment variable ``GITHUB_TOKEN`` or, on Colab, from the secret of that name; it is
sent only to GitHub, and never printed, cached or recorded.
"""

from __future__ import annotations

import base64
import html
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, urlencode

import requests

from .. import runtime
from ..errors import WorkshopError
from . import _common
from ._common import Results, Stored

__all__ = [
    "GITHUB_API_VARIABLE",
    "TOKEN_VARIABLE",
    "Checklist",
    "LicenceTable",
    "Readme",
    "Repository",
    "checklist",
    "licence_meaning",
    "licence_table",
    "readme_excerpt",
    "repository",
    "search_github",
    "token_status",
]

GITHUB_API_VARIABLE = "WORKSHOP_GITHUB_API"
"""Environment variable naming another address for GitHub's API (GitHub Enterprise, or a test server)."""

TOKEN_VARIABLE = "GITHUB_TOKEN"  # noqa: S105 (the name of a variable, not a secret)
"""The environment variable (and Colab secret) that may hold a GitHub token."""

_DEFAULT_API = "https://api.github.com"
_API_VERSION = "2022-11-28"
_SORTS = ("stars", "forks", "updated", "best")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_DEMO = re.compile(
    r"https?://(?:colab\.research\.google\.com/(?:github|drive)/[^\s)\"'<>\]]+"
    r"|huggingface\.co/spaces/[^\s)\"'<>\]]+"
    r"|replicate\.com/[^\s)\"'<>\]/]+/[^\s)\"'<>\]/]+)"
)
_SEARCHES = _common.Window(60.0)  # searches sent from this kernel in the last minute
_BLOCKED: dict[str, float] = {}  # "search" / "core" -> time.time() when GitHub lets us in again
_SESSION = requests.Session()

_LICENCES = {
    "MIT": "use, change, share and sell it; keep the copyright notice",
    "BSD-2-Clause": "use, change, share and sell it; keep the copyright notice",
    "BSD-3-Clause": "use, change, share and sell it; keep the notice; don't use the authors' names to advertise",
    "Apache-2.0": "use, change, share and sell it; keep the notices, say what you changed; includes a patent grant",
    "MPL-2.0": "use it in any product; changes to its own files must be shared under the MPL",
    "LGPL-3.0": "use it from any program; changes to the library itself must be shared",
    "LGPL-2.1": "use it from any program; changes to the library itself must be shared",
    "GPL-3.0": "use and change it; whoever you give a program built on it gets all its source under the GPL",
    "GPL-2.0": "use and change it; whoever you give a program built on it gets all its source under the GPL",
    "AGPL-3.0": "like the GPL, and the source must also go to people who use it over a network",
    "Unlicense": "public domain: do anything with it",
    "CC0-1.0": "public domain: do anything with it",
    "CC-BY-4.0": "use it for anything; credit the authors",
    "CC-BY-NC-4.0": "non-commercial use only; credit the authors",
    "none": "no licence: all rights reserved, so you may read it but not copy, change or share it",
    "other": "a licence GitHub does not recognise: read the LICENSE file",
}


# --- records -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repository:
    """Facts about one GitHub repository, as GitHub's API gives them.

    A fact that is not known is None (recordings assembled by hand leave out what could not be
    checked, such as star counts); tables show it as "unknown".

    Parameters
    ----------
    name : str
        ``owner/repository``, such as ``"deezer/spleeter"``.
    url : str
        Its page on GitHub.
    description : str or None
        The one-line "About" text.
    stars : int or None
        How many people starred it: a rough measure of popularity.
    licence : str or None
        The licence's short name (SPDX id) such as ``"MIT"``; ``"none"`` when GitHub found no
        licence file, ``"other"`` for one it does not recognise.
    pushed : datetime or None
        The last time someone pushed code to it.
    language : str or None
        Its main programming language.
    homepage : str or None
        The website it links to.
    topics : tuple of str
        Keywords its owners chose.
    archived, fork : bool or None
        Whether it is read-only (archived), and whether it is a copy of another repository.
    open_issues : int or None
        Open issues and pull requests.
    demo : str or None
        A Colab notebook or online demo it links to, if one was found.
    demo_checked : bool
        True when the README was read for demo links (so ``demo=None`` means "none found").
    source : str
        Where these facts came from.
    """

    name: str
    url: str
    description: str | None = None
    stars: int | None = None
    licence: str | None = None
    pushed: datetime | None = None
    language: str | None = None
    homepage: str | None = None
    topics: tuple[str, ...] = ()
    archived: bool | None = None
    fork: bool | None = None
    open_issues: int | None = None
    demo: str | None = None
    demo_checked: bool = False
    source: str = ""

    @property
    def licence_meaning(self) -> str:
        """What the licence lets you do, in plain words."""
        return licence_meaning(self.licence)

    def demo_text(self) -> str:
        if self.demo:
            return self.demo
        return "none found" if self.demo_checked else "not checked"

    def one_line(self) -> str:
        stars = "unknown" if self.stars is None else f"{self.stars:,}"
        return (
            f"{self.name} — stars {stars}, licence {self.licence or 'unknown'}, last push "
            f"{_date(self.pushed)}, {self.language or 'language unknown'}, Colab/demo: "
            f"{self.demo_text()}. {self.description or ''}".rstrip()
        )

    def __str__(self) -> str:
        rows = [
            ("Repository", self.name),
            ("Address", self.url),
            ("About", self.description or "unknown"),
            ("Stars", "unknown" if self.stars is None else f"{self.stars:,}"),
            ("Licence", f"{self.licence or 'unknown'}: {self.licence_meaning}"),
            ("Last push", _date(self.pushed)),
            ("Language", self.language or "unknown"),
            ("Archived", _yes_no(self.archived)),
            ("Colab or demo", self.demo_text()),
            ("Facts from", self.source),
        ]
        return "\n".join(f"{key:>14}: {value}" for key, value in rows)

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self) -> str:
        rows = [
            ("Repository", _link(self.url, self.name)),
            ("About", html.escape(self.description or "unknown")),
            ("Stars", "unknown" if self.stars is None else f"{self.stars:,}"),
            (
                "Licence",
                f"<b>{html.escape(self.licence or 'unknown')}</b>: {html.escape(self.licence_meaning)}",
            ),
            ("Last push", _date(self.pushed)),
            ("Language", html.escape(self.language or "unknown")),
            ("Archived", _yes_no(self.archived)),
            ("Homepage", _link(self.homepage, self.homepage) if self.homepage else "—"),
            ("Colab or demo", _link(self.demo, self.demo) if self.demo else self.demo_text()),
            ("Facts from", html.escape(self.source)),
        ]
        body = "".join(
            f'<tr><th style="text-align:right">{k}</th><td style="text-align:left">{v}</td></tr>'
            for k, v in rows
        )
        return f"<table>{body}</table>"

    @staticmethod
    def _table_html(repositories) -> str:
        rows = "".join(
            "<tr>"
            f"<td>{n}</td>"
            f'<td style="text-align:left">{_link(r.url, r.name)}'
            f"{' <i>(archived)</i>' if r.archived else ''}</td>"
            f"<td>{'unknown' if r.stars is None else f'{r.stars:,}'}</td>"
            f'<td title="{html.escape(r.licence_meaning)}">{html.escape(r.licence or "unknown")}</td>'
            f"<td>{_date(r.pushed)}</td>"
            f"<td>{html.escape(r.language or 'unknown')}</td>"
            f"<td>{_link(r.demo, 'yes') if r.demo else r.demo_text()}</td>"
            f'<td style="text-align:left">{html.escape(r.description or "")}</td>'
            "</tr>"
            for n, r in enumerate(repositories, start=1)
        )
        return (
            "<table><thead><tr><th>#</th><th>Repository</th><th>Stars</th><th>Licence</th>"
            "<th>Last push</th><th>Language</th><th>Colab / demo</th><th>About</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


@dataclass(frozen=True)
class Readme:
    """The start of a repository's README (its front page), with where it came from."""

    name: str
    text: str
    url: str
    total_lines: int
    demo_links: tuple[str, ...] = ()
    source: str = "live"
    note: str = ""
    full_text: str = field(default="", repr=False)

    def __str__(self) -> str:
        more = self.total_lines - len(self.text.splitlines())
        tail = f"\n… ({more} more lines: {self.url})" if more > 0 else ""
        return f"{self.note}\n\n{self.text}{tail}".strip()

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self) -> str:
        more = self.total_lines - len(self.text.splitlines())
        tail = (
            f"<div>… {more} more lines: {_link(self.url, 'read it all on GitHub')}</div>"
            if more > 0
            else ""
        )
        return (
            _common.note_html(self.note, self.source)
            + f"<div><b>README of {html.escape(self.name)}</b></div>"
            '<pre style="white-space:pre-wrap;max-height:420px;overflow:auto;background:#f6f8fa;'
            f'color:#222;padding:8px;border-radius:6px">{html.escape(self.text)}</pre>{tail}'
        )


# --- small helpers -------------------------------------------------------------------------------


def _date(moment: datetime | None) -> str:
    return "unknown" if moment is None else f"{moment:%Y-%m-%d}"


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _link(url: str | None, text: str | None) -> str:
    if not url:
        return html.escape(text or "—")
    return f'<a href="{html.escape(url)}" target="_blank">{html.escape(text or url)}</a>'


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _demo_in(*texts) -> str | None:
    for text in texts:
        if text:
            match = _DEMO.search(str(text))
            if match:
                return match.group(0).rstrip(".,;:")
    return None


def licence_meaning(licence: str | None) -> str:
    """Say in plain words what a licence lets you do with the code.

    Parameters
    ----------
    licence : str or None
        A short licence name (SPDX id) such as ``"MIT"`` or ``"GPL-3.0"``, ``"none"`` for no
        licence, or None when it is not known.

    Examples
    --------
    >>> licence_meaning("MIT")
    'use, change, share and sell it; keep the copyright notice'
    """
    if licence is None:
        return "not known: look for a LICENSE file in the repository"
    key = licence.removesuffix("-only").removesuffix("-or-later")
    return _LICENCES.get(key, "read the LICENSE file to see what it allows")


def _licence(data: dict) -> str | None:
    if "license" not in data:
        return None  # not recorded
    licence = data["license"]
    if licence is None:
        return "none"
    spdx = licence.get("spdx_id") or ""
    return "other" if spdx in ("", "NOASSERTION") else spdx


def _to_repository(data: dict, source: str) -> Repository:
    description = data.get("description")
    homepage = data.get("homepage") or None
    topics = tuple(data.get("topics") or ())
    name = data.get("full_name") or ""
    return Repository(
        name=name,
        url=data.get("html_url") or f"https://github.com/{name}",
        description=description,
        stars=data.get("stargazers_count"),
        licence=_licence(data),
        pushed=_time(data.get("pushed_at")),
        language=data.get("language"),
        homepage=homepage,
        topics=topics,
        archived=data.get("archived"),
        fork=data.get("fork"),
        open_issues=data.get("open_issues_count"),
        demo=_demo_in(homepage, description, " ".join(topics)),
        source=source,
    )


# --- the token -----------------------------------------------------------------------------------

_COLAB_SECRET: list = []  # [] = not looked up yet; [value or None] afterwards


def _token() -> tuple[str | None, str]:
    """The token and where it came from (never shown to anyone)."""
    value = os.environ.get(TOKEN_VARIABLE, "").strip()
    if value:
        return value, f"the environment variable {TOKEN_VARIABLE}"
    if "google.colab" in sys.modules:
        if not _COLAB_SECRET:
            try:
                from google.colab import userdata

                _COLAB_SECRET.append((userdata.get(TOKEN_VARIABLE) or "").strip() or None)
            except Exception:  # no such secret, no permission, or an older Colab
                _COLAB_SECRET.append(None)
        if _COLAB_SECRET[0]:
            return _COLAB_SECRET[0], f"the Colab secret {TOKEN_VARIABLE}"
    return None, ""


def token_status() -> str:
    """Say whether a GitHub token is used (never its value) and what limits apply."""
    token, origin = _token()
    if token:
        return (
            f"A GitHub token from {origin} is used (its value is never shown): up to 30 searches "
            "a minute and 5,000 other requests an hour."
        )
    return (
        "No GitHub token: GitHub allows 10 searches a minute and 60 other requests an hour, "
        "shared by everyone on this network. To raise that, create a token on GitHub "
        "(Settings → Developer settings → Personal access tokens; no permissions needed) and add "
        f"it as a Colab secret named {TOKEN_VARIABLE} (the key icon in the left bar), or set the "
        f"environment variable {TOKEN_VARIABLE}. Never paste a token into a notebook cell."
    )


# --- asking GitHub -------------------------------------------------------------------------------


class _NotFound(Exception):
    """GitHub answered 404."""


@dataclass(frozen=True)
class _Answer:
    stored: Stored
    source: str  # live, cache, recorded
    note: str
    label: str  # for records: "GitHub API, live 2026-11-28 10:00 UTC"


def _api_address() -> str:
    return (os.environ.get(GITHUB_API_VARIABLE, "").strip() or _DEFAULT_API).rstrip("/")


def _headers(accept: str, etag: str | None) -> dict:
    headers = {
        "Accept": accept,
        "X-GitHub-Api-Version": _API_VERSION,
        "User-Agent": _common.USER_AGENT,
    }
    token, _ = _token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-None-Match"] = etag
    return headers


def _rate_limit_reason(resource: str, until: float) -> str:
    seconds = max(1, round(until - time.time()))
    what = "10 searches a minute" if resource == "search" else "60 requests an hour"
    token, _ = _token()
    if token:
        what = "30 searches a minute" if resource == "search" else "5,000 requests an hour"
    return (
        f"GitHub's limit ({what}{'' if token else ', shared by everyone on this network'}) is used "
        f"up for now; it opens again in about {seconds} seconds."
        + ("" if token else " A token raises the limit: see token_status().")
    )


def _get(
    path: str, params: dict | None, *, kind: str, key: str, what: str, resource: str
) -> _Answer:
    """Ask GitHub for one address, with the cache, the limits and the recorded fallback."""
    url = f"{_api_address()}{path}" + (f"?{urlencode(params)}" if params else "")
    if runtime.is_offline():
        return _recorded(
            kind, key, what, "Offline mode is on (WORKSHOP_OFFLINE=1), so GitHub was not asked."
        )
    stored = _common.cache_read(url)
    if _common.is_fresh(stored):
        if stored.status == 404:
            raise _NotFound(url)
        note = (
            f"From GitHub at {_common.when(stored.fetched)}, kept on this computer for an hour "
            "so that GitHub is not asked the same thing again."
        )
        return _Answer(stored, "cache", note, f"GitHub API, {_common.when(stored.fetched)}")
    blocked = _BLOCKED.get(resource, 0.0)
    if blocked > time.time():
        return _fallback(stored, kind, key, what, _rate_limit_reason(resource, blocked))
    token, _ = _token()
    if resource == "search":
        wait = _SEARCHES.wait_needed(30 if token else 10)
        if wait > 0:
            reason = (
                f"This notebook has already sent {30 if token else 10} searches in the last minute, "
                f"GitHub's limit{'' if token else ' without a token'}; wait about {round(wait)} seconds."
            )
            return _fallback(stored, kind, key, what, reason)
        _SEARCHES.add()
    etag = stored.headers.get("ETag") if stored is not None and stored.status == 200 else None
    try:
        response = _SESSION.get(
            url, headers=_headers("application/vnd.github+json", etag), timeout=_common.TIMEOUT
        )
    except (requests.ConnectionError, requests.Timeout) as err:
        reason = "GitHub could not be reached: this computer seems to have no internet connection."
        return _fallback(stored, kind, key, what, reason, err)
    except requests.RequestException as err:
        return _fallback(
            stored, kind, key, what, f"GitHub could not be asked ({type(err).__name__}).", err
        )
    moment = _common.now()
    label = f"GitHub API, live {_common.when(moment)}"
    if response.status_code == 304 and stored is not None:
        _common.cache_write(url, 200, stored.body, stored.headers)
        return _Answer(
            stored,
            "live",
            f"From GitHub, {_common.when(moment)} (unchanged since it was last asked).",
            label,
        )
    if response.status_code == 200:
        keep = {k: response.headers[k] for k in ("ETag", "Content-Type") if k in response.headers}
        _common.cache_write(url, 200, response.content, keep)
        fresh = Stored(url=url, status=200, body=response.content, headers=keep, fetched=moment)
        return _Answer(fresh, "live", f"Live results from GitHub, {_common.when(moment)}.", label)
    if response.status_code == 404:
        _common.cache_write(url, 404, b"{}", {})
        raise _NotFound(url)
    limited = _rate_limited(response, resource)
    if limited is not None:
        _BLOCKED[limited[0]] = limited[1]
        return _fallback(stored, kind, key, what, _rate_limit_reason(*limited))
    if response.status_code == 401:
        reason = (
            f"GitHub refused the token (HTTP 401): it may have expired. Make a new one, or remove "
            f"the {TOKEN_VARIABLE} secret to search without one."
        )
    else:
        reason = f"GitHub answered with an error (HTTP {response.status_code})."
    return _fallback(stored, kind, key, what, reason)


def _rate_limited(response, resource: str) -> tuple[str, float] | None:
    """(resource, time it opens again) when GitHub says the limit is used up, else None."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    if headers.get("X-RateLimit-Remaining") == "0":
        name = headers.get("X-RateLimit-Resource") or resource
        try:
            until = float(headers.get("X-RateLimit-Reset", ""))
        except ValueError:
            until = time.time() + 60
        return name, max(until, time.time() + 1)
    if "Retry-After" in headers:  # GitHub's "secondary" limit: too many requests too fast
        try:
            return resource, time.time() + max(1.0, float(headers["Retry-After"]))
        except ValueError:
            return resource, time.time() + 60
    if response.status_code == 429:
        return resource, time.time() + 60
    return None


def _fallback(stored, kind, key, what, reason, err=None) -> _Answer:
    if stored is not None and stored.status == 200:
        note = f"{reason} These results are from GitHub at {_common.when(stored.fetched)}, kept on this computer."
        return _Answer(stored, "cache", note, f"GitHub API, {_common.when(stored.fetched)}")
    try:
        return _recorded(kind, key, what, reason)
    except WorkshopError as missing:
        if err is not None:
            raise missing from err
        raise


def _recorded(kind, key, what, reason) -> _Answer:
    recording = _common.find_recording("github", kind, key)
    if recording is None:
        raise _common.no_recording(what, reason, "github", kind)
    if recording.status == 404:
        raise _NotFound(key)
    stored = Stored(
        url=key, status=recording.status, body=recording.body(), headers=recording.headers
    )
    return _Answer(
        stored,
        "recorded",
        _common.why_recorded(reason, recording),
        f"GitHub API, {recording.describe()}",
    )


def _check_name(full_name) -> str:
    name = str(full_name).strip().removeprefix("https://github.com/").strip("/")
    if not _NAME.match(name):
        raise WorkshopError(
            f"{full_name!r} is not a repository name. Write it as owner/name, as in the address "
            "github.com/deezer/spleeter → 'deezer/spleeter'."
        )
    return name


# --- the public functions ------------------------------------------------------------------------


def search_github(
    query: str, *, limit: int = 5, sort: str = "stars", check_readmes: int = 3
) -> Results:
    """Search GitHub for repositories and return the best ones with their facts.

    Each result has stars, licence, last push, language and description. For the first
    ``check_readmes`` results the README is read too, to see whether it links a Colab notebook
    or an online demo (each README is one more request, so only a few are read). Answers are
    kept for an hour; GitHub's limits are respected; offline or when GitHub refuses, a recorded
    answer is used and the note says so and gives its date.

    Parameters
    ----------
    query : str
        Words to look for, such as ``"text to speech"``. GitHub's qualifiers work too:
        ``"text to speech language:python stars:>1000"``.
    limit : int
        How many repositories, 1 to 30.
    sort : {"stars", "forks", "updated", "best"}
        Most stars first (the default), most forks, most recently updated, or GitHub's best match.
    check_readmes : int
        How many of the top results to open the README of (0 to skip).

    Returns
    -------
    Results
        :class:`Repository` records, with ``.note`` and ``.source``.

    Raises
    ------
    WorkshopError
        For an empty query or bad option, or when GitHub cannot answer and nothing was recorded.

    Examples
    --------
    >>> found = search_github("spleeter")  # doctest: +SKIP
    >>> found[0].name  # doctest: +SKIP
    'deezer/spleeter'
    """
    query = " ".join(str(query).split())
    if not query:
        raise WorkshopError("The search is empty. Type some words, such as 'text to speech'.")
    if sort not in _SORTS:
        raise WorkshopError(f"sort must be one of {', '.join(_SORTS)}, not {sort!r}.")
    if not isinstance(limit, int) or not 1 <= limit <= 30:
        raise WorkshopError(f"limit must be a whole number from 1 to 30, not {limit!r}.")
    params = {"q": query, "per_page": limit}
    if sort != "best":
        params.update(sort=sort, order="desc")
    answer = _get(
        "/search/repositories",
        params,
        kind=f"search/{sort}",
        key=query,
        what=f"the GitHub search {query!r} (sorted by {sort})",
        resource="search",
    )
    data = answer.stored.json()
    items = [_to_repository(item, answer.label) for item in data.get("items", [])[:limit]]
    checked = [_with_readme(repo) if n < check_readmes else repo for n, repo in enumerate(items)]
    return Results(
        query=query,
        items=tuple(checked),
        source=answer.source,
        note=answer.note,
        total=data.get("total_count"),
    )


def repository(full_name: str, *, check_readme: bool = True) -> Repository:
    """Get the facts about one repository, such as ``"junyanz/interactive-deep-colorization"``.

    Parameters
    ----------
    full_name : str
        ``owner/name`` (a full github.com address works too).
    check_readme : bool
        Also read the README to look for a Colab notebook or demo link (one more request).

    Returns
    -------
    Repository

    Raises
    ------
    WorkshopError
        When there is no such repository, or GitHub cannot answer and nothing was recorded.
    """
    name = _check_name(full_name)
    try:
        answer = _get(
            f"/repos/{quote(name)}",
            None,
            kind="repo",
            key=name,
            what=f"the repository {name}",
            resource="core",
        )
    except _NotFound as err:
        raise WorkshopError(
            f"GitHub has no repository {name!r}. Check the spelling (owner/name) on its GitHub page."
        ) from err
    repo = _to_repository(answer.stored.json(), answer.label)
    return _with_readme(repo) if check_readme else repo


def _readme_answer(name: str) -> _Answer | None:
    try:
        return _get(
            f"/repos/{quote(name)}/readme",
            None,
            kind="readme",
            key=name,
            what=f"the README of {name}",
            resource="core",
        )
    except _NotFound:
        return None


def _readme_text(answer: _Answer) -> str:
    data = answer.stored.json()
    if data.get("encoding") == "base64":
        return base64.b64decode(data.get("content", "")).decode("utf-8", errors="replace")
    return str(data.get("content", ""))


def _with_readme(repo: Repository) -> Repository:
    """The same record with ``demo`` filled in from the README, when the README can be had."""
    if repo.demo:
        return repo
    try:
        answer = _readme_answer(repo.name)
    except WorkshopError:
        return repo  # no answer and no recording: the table says "not checked"
    if answer is None:
        return _replace(repo, demo_checked=True)
    return _replace(repo, demo=_demo_in(_readme_text(answer)), demo_checked=True)


def _replace(repo: Repository, **changes) -> Repository:
    from dataclasses import replace

    return replace(repo, **changes)


def readme_excerpt(full_name: str, *, lines: int = 25) -> Readme:
    """Read the start of a repository's README: what it is, how to install it, how to use it.

    Parameters
    ----------
    full_name : str
        ``owner/name``.
    lines : int
        How many lines to show (the whole README stays on GitHub).

    Returns
    -------
    Readme
        Shows as a box in a notebook; ``.demo_links`` lists Colab and demo links in the whole README.

    Raises
    ------
    WorkshopError
        When the repository has no README, or GitHub cannot answer and nothing was recorded.
    """
    name = _check_name(full_name)
    if not isinstance(lines, int) or lines < 1:
        raise WorkshopError(f"lines must be a whole number above 0, not {lines!r}.")
    answer = _readme_answer(name)
    if answer is None:
        raise WorkshopError(f"{name} has no README (or no such repository exists on GitHub).")
    text = _readme_text(answer)
    data = answer.stored.json()
    all_lines = text.strip("\n").splitlines()
    return Readme(
        name=name,
        text="\n".join(all_lines[:lines]),
        url=data.get("html_url") or f"https://github.com/{name}",
        total_lines=len(all_lines),
        demo_links=tuple(dict.fromkeys(m.rstrip(".,;:") for m in _DEMO.findall(text))),
        source=answer.source,
        note=answer.note,
        full_text=text,
    )


@dataclass(frozen=True)
class LicenceTable:
    """Repositories side by side: licence, and what it lets you do."""

    repositories: tuple[Repository, ...]

    def __str__(self) -> str:
        return "\n".join(
            f"{r.name:40} {r.licence or 'unknown':14} {r.licence_meaning}"
            for r in self.repositories
        )

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td style="text-align:left">{_link(r.url, r.name)}</td>'
            f"<td><b>{html.escape(r.licence or 'unknown')}</b></td>"
            f'<td style="text-align:left">{html.escape(r.licence_meaning)}</td>'
            f'<td style="text-align:left;color:#666;font-size:85%">{html.escape(r.source)}</td></tr>'
            for r in self.repositories
        )
        return (
            "<table><thead><tr><th>Repository</th><th>Licence</th><th>What it lets you do</th>"
            f"<th>Facts from</th></tr></thead><tbody>{rows}</tbody></table>"
        )


def licence_table(names) -> LicenceTable:
    """Look up several repositories and put their licences side by side, in plain words.

    Parameters
    ----------
    names : sequence of str
        ``owner/name`` of each repository.

    Returns
    -------
    LicenceTable
        Shows as a table in a notebook.
    """
    return LicenceTable(tuple(repository(name, check_readme=False) for name in names))


# --- judging a repository ------------------------------------------------------------------------

_INSTALL = re.compile(
    r"\bpip3? install\b|\bconda install\b|\bdocker run\b|^#+\s*(installation|install|setup|getting started|quick ?start)\b",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Checklist:
    """A few questions to ask of a repository before you rely on it, with answers where known."""

    name: str
    rows: tuple[tuple[str, str, str], ...]  # (question, "yes" / "no" / "unknown", why)

    def __str__(self) -> str:
        marks = {"yes": "✔", "no": "✘", "unknown": "?"}
        return "\n".join(f"{marks[v]} {q}: {why}" for q, v, why in self.rows)

    def _repr_pretty_(self, printer, cycle):
        printer.text(f"{self.name}\n{self}")

    def _repr_html_(self) -> str:
        colours = {"yes": ("✔", "#1a7f37"), "no": ("✘", "#cf222e"), "unknown": ("?", "#9a6700")}
        body = "".join(
            f'<tr><td style="color:{colours[v][1]};font-weight:bold">{colours[v][0]}</td>'
            f'<td style="text-align:left">{html.escape(q)}</td>'
            f'<td style="text-align:left">{html.escape(why)}</td></tr>'
            for q, v, why in self.rows
        )
        return f"<div><b>Checklist for {html.escape(self.name)}</b></div><table>{body}</table>"


def checklist(
    repo: Repository, readme: Readme | None = None, *, today: datetime | None = None
) -> Checklist:
    """Ask the questions that tell whether a repository is worth your time.

    Is anyone still working on it? May you use it (licence)? Is it archived? Does the README say
    how to install it? Is there a Colab or demo to try first? Do many people use it? A question
    the facts cannot answer (for example a recording without push dates) is marked unknown.

    Parameters
    ----------
    repo : Repository
        From :func:`repository` or :func:`search_github`.
    readme : Readme, optional
        From :func:`readme_excerpt`; without it the install question stays unknown.
    today : datetime, optional
        The date to measure activity from (default: now).
    """
    if not isinstance(repo, Repository):
        raise WorkshopError("checklist needs a repository from repository() or search_github().")
    today = today or _common.now()
    rows = []
    if repo.pushed is None:
        rows.append(
            (
                "Recently active",
                "unknown",
                "last push not known: look at the commit history on GitHub",
            )
        )
    else:
        days = (today - repo.pushed).days
        verdict = "yes" if days <= 365 else "no"
        rows.append(
            ("Recently active", verdict, f"last push {_date(repo.pushed)} ({days} days ago)")
        )
    if repo.licence is None:
        rows.append(("Has a licence that lets you use it", "unknown", licence_meaning(None)))
    else:
        ok = repo.licence not in ("none", "other", "CC-BY-NC-4.0")
        rows.append(
            (
                "Has a licence that lets you use it",
                "yes" if ok else "no",
                f"{repo.licence}: {repo.licence_meaning}",
            )
        )
    if repo.archived is None:
        rows.append(("Still maintained (not archived)", "unknown", "not known"))
    else:
        rows.append(
            (
                "Still maintained (not archived)",
                "no" if repo.archived else "yes",
                "archived: read-only, nobody fixes it any more"
                if repo.archived
                else "not archived",
            )
        )
    if readme is None:
        rows.append(
            ("README says how to install it", "unknown", "README not read: use readme_excerpt()")
        )
    else:
        found = _INSTALL.search(readme.full_text or readme.text) is not None
        rows.append(
            (
                "README says how to install it",
                "yes" if found else "no",
                "it has install instructions"
                if found
                else "no install instructions found in the README",
            )
        )
    demo = repo.demo or (readme.demo_links[0] if readme and readme.demo_links else None)
    if demo:
        rows.append(("Colab or online demo to try first", "yes", demo))
    elif repo.demo_checked or readme is not None:
        rows.append(
            ("Colab or online demo to try first", "no", "no Colab or demo link in the README")
        )
    else:
        rows.append(("Colab or online demo to try first", "unknown", "README not checked"))
    if repo.stars is None:
        rows.append(("Many people use it (stars)", "unknown", "star count not known"))
    else:
        rows.append(
            (
                "Many people use it (stars)",
                "yes" if repo.stars >= 1000 else "no",
                f"{repo.stars:,} stars"
                + (" — popular" if repo.stars >= 1000 else " — few people tried it"),
            )
        )
    return Checklist(name=repo.name, rows=tuple(rows))
