"""Judge a repository before you rely on it: a few questions, answered from the facts at hand.

Each question is one small function that returns a row ``(question, verdict, why)`` with the
verdict ``"yes"``, ``"no"`` or ``"unknown"``; :func:`checklist` asks them all. A question that
the facts cannot answer (for example a recording without push dates, or no README read) is
marked unknown rather than guessed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from ..errors import WorkshopError
from . import _common
from .github_records import Readme, Repository, date_text, licence_meaning

__all__ = ["Checklist", "checklist"]

Row = tuple[str, str, str]  # (question, "yes" / "no" / "unknown", why)

ACTIVE_DAYS = 365
"""A push within this many days counts as "recently active"."""

POPULAR_STARS = 1000
"""From this many stars on, a repository counts as used by many people."""

_INSTALL = re.compile(
    r"\bpip3? install\b|\bconda install\b|\bdocker run\b"
    r"|^#+\s*(installation|install|setup|getting started|quick ?start)\b",
    re.IGNORECASE | re.MULTILINE,
)
_NOT_FREE = ("none", "other", "CC-BY-NC-4.0")


@dataclass(frozen=True)
class Checklist:
    """A few questions to ask of a repository before you rely on it, with answers where known."""

    name: str
    rows: tuple[Row, ...]

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


def _active(repo: Repository, today: datetime | None) -> Row:
    question = "Recently active"
    if repo.pushed is None:
        return question, "unknown", "last push not known: look at the commit history on GitHub"
    now = _common.now()
    gathered = repo.as_of if today is None else None
    if gathered is not None and (now - gathered).days <= 1:
        gathered = None  # facts from today: measure from now
    since = today or gathered or now
    days = (since.date() - repo.pushed.date()).days
    verdict = "yes" if days <= ACTIVE_DAYS else "no"
    count = f"{days} day{'' if days == 1 else 's'}"
    if gathered is not None:
        when = f"{count} before these facts were gathered, on {date_text(gathered)}"
    else:
        when = f"{count} ago"
    return question, verdict, f"last push {date_text(repo.pushed)} ({when})"


def _licensed(repo: Repository) -> Row:
    question = "Has a licence that lets you use it"
    if repo.licence is None:
        return question, "unknown", licence_meaning(None)
    verdict = "no" if repo.licence in _NOT_FREE else "yes"
    return question, verdict, f"{repo.licence}: {repo.licence_meaning}"


def _maintained(repo: Repository) -> Row:
    question = "Still maintained (not archived)"
    if repo.archived is None:
        return question, "unknown", "not known"
    if repo.archived:
        return question, "no", "archived: read-only, nobody fixes it any more"
    return question, "yes", "not archived"


def _installable(readme: Readme | None) -> Row:
    question = "README says how to install it"
    if readme is None:
        return question, "unknown", "README not read: use readme_excerpt()"
    if _INSTALL.search(readme.full_text or readme.text):
        return question, "yes", "it has install instructions"
    return question, "no", "no install instructions found in the README"


def _demo(repo: Repository, readme: Readme | None) -> Row:
    question = "Colab or online demo to try first"
    demo = repo.demo or (readme.demo_links[0] if readme and readme.demo_links else None)
    if demo:
        return question, "yes", demo
    if repo.demo_checked or readme is not None:
        return question, "no", "no Colab or demo link in the README"
    return question, "unknown", "README not checked"


def _popular(repo: Repository) -> Row:
    question = "Many people use it (stars)"
    if repo.stars is None:
        return question, "unknown", "star count not known"
    if repo.stars >= POPULAR_STARS:
        return question, "yes", f"{repo.stars:,} stars — popular"
    return question, "no", f"{repo.stars:,} stars — few people tried it"


def checklist(
    repo: Repository, readme: Readme | None = None, *, today: datetime | None = None
) -> Checklist:
    """Ask the questions that tell whether a repository is worth your time.

    Is anyone still working on it? May you use it (licence)? Is it archived? Does the README say
    how to install it? Is there a Colab or demo to try first? Do many people use it? A question
    the facts cannot answer (for example a recording without push dates) is marked unknown.
    It asks GitHub nothing: it judges the facts you pass in.

    Parameters
    ----------
    repo : Repository
        From :func:`~workshop_lib.research.repository` or
        :func:`~workshop_lib.research.search_github`.
    readme : Readme, optional
        From :func:`~workshop_lib.research.readme_excerpt`; without it the install question
        stays unknown.
    today : datetime, optional
        The date to measure activity from (default: now, or the date of the facts when they
        come from an older recording).

    Returns
    -------
    Checklist
        Shows as a table of ✔, ✘ and ? in a notebook.
    """
    if not isinstance(repo, Repository):
        raise WorkshopError("checklist needs a repository from repository() or search_github().")
    if readme is not None and not isinstance(readme, Readme):
        raise WorkshopError("checklist's second argument must be a README from readme_excerpt().")
    rows = (
        _active(repo, today),
        _licensed(repo),
        _maintained(repo),
        _installable(readme),
        _demo(repo, readme),
        _popular(repo),
    )
    return Checklist(name=repo.name, rows=rows)
