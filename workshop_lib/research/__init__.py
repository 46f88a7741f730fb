"""Find papers on arXiv and code on GitHub, politely, with recorded answers to fall back on.

Each search returns a list of small records with a note saying where they came from: asked
live, kept from an earlier answer (for an hour), or recorded (offline, when a service refuses,
or when the internet is down): the instructor's snapshot when there is one, else the
recordings that ship with the library in ``data/recorded/``.

Modules: :mod:`.arxiv` (papers), :mod:`.github` (search, rank, look up),
:mod:`.github_client` (token, cache, GitHub's limits), :mod:`.github_records` (the records),
:mod:`.checklist` (judging a repository), :mod:`.recordings` (snapshot and packaged
recordings), :mod:`.snapshot` (making the instructor's snapshot).

Examples
--------
>>> from workshop_lib.research import search_arxiv, search_github
>>> papers = search_arxiv("real-time guided image colorization")  # doctest: +SKIP
>>> repos = search_github("spleeter")  # doctest: +SKIP
"""

from ._common import Results
from .arxiv import AbstractGuide, Paper, abstract_guide, get_paper, search_arxiv
from .checklist import Checklist, checklist
from .github import (
    LicenceTable,
    Readme,
    Repository,
    licence_meaning,
    licence_table,
    readme_excerpt,
    repository,
    search_github,
    token_status,
)
from .recordings import use_snapshot

__all__ = [
    "AbstractGuide",
    "Checklist",
    "LicenceTable",
    "Paper",
    "Readme",
    "Repository",
    "Results",
    "abstract_guide",
    "checklist",
    "get_paper",
    "licence_meaning",
    "licence_table",
    "readme_excerpt",
    "repository",
    "search_arxiv",
    "search_github",
    "token_status",
    "use_snapshot",
]
