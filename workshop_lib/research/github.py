"""Search GitHub for projects, rank them, and read their facts and README, asking as little as possible.

A search answer already carries each repository's stars, forks, last push, licence, language and
description, so comparing projects costs one request per search, and :func:`repository` answers
from a search made in the last hour when it found that repository (no request at all). READMEs
are read on demand: :func:`readme_excerpt`, or ``check_readmes=`` in :func:`search_github`.
The asking itself (token, cache, GitHub's limits, recorded fallbacks) is in
:mod:`workshop_lib.research.github_client`.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import quote

from ..errors import WorkshopError
from . import github_client
from ._common import CACHE_SECONDS, Results
from .github_client import GITHUB_API_VARIABLE, TOKEN_VARIABLE, NotFound, token_status
from .github_records import (
    DEMO,
    LicenceTable,
    Readme,
    Repository,
    demo_in,
    licence_meaning,
    to_repository,
)

__all__ = [
    "GITHUB_API_VARIABLE",
    "SORTS",
    "TOKEN_VARIABLE",
    "LicenceTable",
    "Readme",
    "Repository",
    "licence_meaning",
    "licence_table",
    "readme_excerpt",
    "repository",
    "search_github",
    "token_status",
]

SORTS = ("stars", "forks", "updated", "best")
"""How search results can be ranked: most stars, most forks, latest push, or GitHub's best match."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_SEEN: dict[str, tuple[float, Repository]] = {}  # lower-case name -> (when, facts from a search)


def _check_name(full_name) -> str:
    name = str(full_name).strip().removeprefix("https://github.com/").strip("/")
    if not _NAME.match(name):
        raise WorkshopError(
            f"{full_name!r} is not a repository name. Write it as owner/name, as in the address "
            "github.com/deezer/spleeter → 'deezer/spleeter'."
        )
    return name


def _search_params(query: str, limit: int, sort: str) -> dict:
    """GitHub's parameters for one search, ranked by ``sort``."""
    params = {"q": query, "per_page": limit}
    if sort != "best":
        params.update(sort=sort, order="desc")
    return params


def search_github(
    query: str, *, limit: int = 5, sort: str = "stars", check_readmes: int = 0
) -> Results:
    """Search GitHub for repositories and return the best ones with their facts.

    Each result has stars, forks, licence, last push, language and description, all from one
    request. Answers are kept for an hour; GitHub's limits are respected; offline or when GitHub
    refuses, the instructor's snapshot or a recorded answer is used and the note says so and
    gives its date.

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
        How many of the top results to open the README of, to look for a Colab notebook or an
        online demo (default 0: each README is one more request against GitHub's limit).

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
    if sort not in SORTS:
        raise WorkshopError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}.")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 30:
        raise WorkshopError(f"limit must be a whole number from 1 to 30, not {limit!r}.")
    try:
        answer = github_client.get(
            "/search/repositories",
            _search_params(query, limit, sort),
            kind=f"search/{sort}",
            key=query,
            what=f"the GitHub search {query!r} (sorted by {sort})",
            resource="search",
        )
    except NotFound as err:
        raise WorkshopError(
            f"GitHub's search address was not found ({github_client.api_address()}). Check "
            f"{GITHUB_API_VARIABLE} if you set it; otherwise try again later."
        ) from err
    data = _json_object(answer, f"the search {query!r}")
    label = f"{answer.label}, search {query!r}"
    found = data.get("items")
    found = [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []
    items = [to_repository(item, label, answer.as_of) for item in found[:limit]]
    for repo in items:
        _SEEN[repo.name.lower()] = (time.monotonic(), repo)
    checked = [_with_readme(repo) if n < check_readmes else repo for n, repo in enumerate(items)]
    return Results(
        query=query,
        items=tuple(checked),
        source=answer.source,
        note=answer.note,
        total=data.get("total_count") if isinstance(data.get("total_count"), int) else None,
    )


def _seen(name: str) -> Repository | None:
    """The facts of a repository from a search in the last hour, if one found it."""
    seen = _SEEN.get(name.lower())
    if seen is None or time.monotonic() - seen[0] > CACHE_SECONDS:
        return None
    return seen[1]


def repository(full_name: str, *, check_readme: bool = False) -> Repository:
    """Get the facts about one repository, such as ``"junyanz/interactive-deep-colorization"``.

    When a search in the last hour found it, its facts come from there and GitHub is not asked.

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
    repo = _seen(name)
    if repo is None:
        try:
            answer = github_client.get(
                f"/repos/{quote(name)}",
                None,
                kind="repo",
                key=name,
                what=f"the repository {name}",
                resource="core",
            )
        except NotFound as err:
            raise WorkshopError(
                f"GitHub has no repository {name!r}. Check the spelling (owner/name) on its GitHub page."
            ) from err
        repo = to_repository(
            _json_object(answer, f"the repository {name}"), answer.label, answer.as_of
        )
    return _with_readme(repo) if check_readme else repo


def _readme_answer(name: str) -> github_client.Answer | None:
    try:
        return github_client.get(
            f"/repos/{quote(name)}/readme",
            None,
            kind="readme",
            key=name,
            what=f"the README of {name}",
            resource="core",
        )
    except NotFound:
        return None


def _json_object(answer: github_client.Answer, what: str) -> dict:
    """GitHub's answer as a JSON object, or a WorkshopError saying it could not be read."""
    try:
        data = answer.stored.json()
    except ValueError as err:
        data = err
    if not isinstance(data, dict):
        raise WorkshopError(
            f"GitHub's answer for {what} could not be read (it is not the JSON GitHub sends). "
            "Try again in a minute."
        )
    return data


def _readme_text(answer: github_client.Answer) -> str:
    data = _json_object(answer, "a README")
    content = data.get("content", "")
    if not isinstance(content, str):
        return ""
    if data.get("encoding") == "base64":
        try:
            return base64.b64decode(content).decode("utf-8", errors="replace")
        except ValueError:  # binascii.Error: damaged base64
            return ""
    return content


def _with_readme(repo: Repository) -> Repository:
    """The same record with ``demo`` filled in from the README, when the README can be had."""
    if repo.demo:
        return repo
    try:
        answer = _readme_answer(repo.name)
    except WorkshopError:
        return repo  # no answer and no recording: the table says "not checked"
    if answer is None:
        return replace(repo, demo_checked=True)
    return replace(repo, demo=demo_in(_readme_text(answer)), demo_checked=True)


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
    if not isinstance(lines, int) or isinstance(lines, bool) or lines < 1:
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
        demo_links=tuple(dict.fromkeys(m.rstrip(".,;:") for m in DEMO.findall(text))),
        source=answer.source,
        note=answer.note,
        full_text=text,
    )


def licence_table(names: Iterable[str]) -> LicenceTable:
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
    return LicenceTable(tuple(repository(name) for name in names))
