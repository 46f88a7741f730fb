"""What GitHub says about a repository, as records that show well in a notebook.

:class:`Repository` holds the facts a search result or a repository lookup gives (stars,
licence, last push, language, description); :class:`Readme` the start of a README;
:class:`LicenceTable` several licences side by side. :func:`licence_meaning` says in plain words
what a licence lets you do.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..errors import WorkshopError
from . import _common

__all__ = ["LicenceTable", "Readme", "Repository", "licence_meaning"]

DEMO = re.compile(
    r"https?://(?:colab\.research\.google\.com/(?:github|drive)/[^\s)\"'<>\]]+"
    r"|huggingface\.co/spaces/[^\s)\"'<>\]]+"
    r"|replicate\.com/[^\s)\"'<>\]/]+/[^\s)\"'<>\]/]+)"
)

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
    forks : int or None
        How many copies (forks) people made of it to change on their own.
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
    as_of : datetime or None
        The moment these facts describe: when GitHub was asked, or a recording's date.
    """

    name: str
    url: str
    description: str | None = None
    stars: int | None = None
    forks: int | None = None
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
    as_of: datetime | None = None

    @property
    def licence_meaning(self) -> str:
        """What the licence lets you do, in plain words."""
        return licence_meaning(self.licence)

    def demo_text(self) -> str:
        if self.demo:
            return self.demo
        return "none found" if self.demo_checked else "not checked"

    def one_line(self) -> str:
        return (
            f"{self.name} — stars {_count(self.stars)}, licence {self.licence or 'unknown'}, last push "
            f"{date_text(self.pushed)}, {self.language or 'language unknown'}, Colab/demo: "
            f"{self.demo_text()}. {self.description or ''}".rstrip()
        )

    def __str__(self) -> str:
        rows = [
            ("Repository", self.name),
            ("Address", self.url),
            ("About", self.description or "unknown"),
            ("Stars", _count(self.stars)),
            ("Forks", _count(self.forks)),
            ("Licence", f"{self.licence or 'unknown'}: {self.licence_meaning}"),
            ("Last push", date_text(self.pushed)),
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
            ("Stars", _count(self.stars)),
            ("Forks", _count(self.forks)),
            (
                "Licence",
                f"<b>{html.escape(self.licence or 'unknown')}</b>: {html.escape(self.licence_meaning)}",
            ),
            ("Last push", date_text(self.pushed)),
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
        demos = any(r.demo or r.demo_checked for r in repositories)  # else no column of "?"
        rows = "".join(
            "<tr>"
            f"<td>{n}</td>"
            f'<td style="text-align:left">{_link(r.url, r.name)}'
            f"{' <i>(archived)</i>' if r.archived else ''}</td>"
            f"<td>{_count(r.stars)}</td>"
            f"<td>{_count(r.forks)}</td>"
            f'<td title="{html.escape(r.licence_meaning)}">{html.escape(r.licence or "unknown")}</td>'
            f"<td>{date_text(r.pushed)}</td>"
            f"<td>{html.escape(r.language or 'unknown')}</td>"
            + (f"<td>{_link(r.demo, 'yes') if r.demo else r.demo_text()}</td>" if demos else "")
            + f'<td style="text-align:left">{html.escape(r.description or "")}</td>'
            "</tr>"
            for n, r in enumerate(repositories, start=1)
        )
        demo_head = "<th>Colab / demo</th>" if demos else ""
        return (
            "<table><thead><tr><th>#</th><th>Repository</th><th>Stars</th><th>Forks</th>"
            f"<th>Licence</th><th>Last push</th><th>Language</th>{demo_head}<th>About</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>"
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


def _count(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def date_text(moment: datetime | None) -> str:
    return "unknown" if moment is None else f"{moment:%Y-%m-%d}"


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _link(url: str | None, text: str | None) -> str:
    if not url:
        return html.escape(text or "—")
    return f'<a href="{html.escape(url)}" target="_blank">{html.escape(text or url)}</a>'


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def demo_in(*texts: str | None) -> str | None:
    for text in texts:
        if text:
            match = DEMO.search(str(text))
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
    spdx = licence.get("spdx_id") if isinstance(licence, dict) else None
    if not isinstance(spdx, str) or spdx in ("", "NOASSERTION"):
        return "other"
    return spdx[:60]


def _text(value, longest: int = 2000) -> str | None:
    """A text field, or None when the answer holds something else there."""
    return value[:longest] if isinstance(value, str) else None


def _whole(value) -> int | None:
    """A count (stars, forks), or None when the answer holds something else there."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _flag(value) -> bool | None:
    return value if isinstance(value, bool) else None


def to_repository(data: dict, source: str, as_of: datetime | None = None) -> Repository:
    """A repository record from GitHub's JSON; a field of the wrong type counts as unknown.

    Raises
    ------
    WorkshopError
        When the answer is not a JSON object at all.
    """
    if not isinstance(data, dict):
        raise WorkshopError(
            "GitHub's answer about a repository could not be read (it is not a JSON object). "
            "Try again in a minute."
        )
    description = _text(data.get("description"))
    homepage = _text(data.get("homepage"), 500) or None
    raw_topics = data.get("topics")
    topics = (
        tuple(t[:50] for t in raw_topics if isinstance(t, str))[:20]
        if isinstance(raw_topics, list)
        else ()
    )
    name = _text(data.get("full_name"), 200) or ""
    return Repository(
        name=name,
        url=_text(data.get("html_url"), 500) or f"https://github.com/{name}",
        description=description,
        stars=_whole(data.get("stargazers_count")),
        forks=_whole(data.get("forks_count")),
        licence=_licence(data),
        pushed=parse_time(_text(data.get("pushed_at"), 40)),
        language=_text(data.get("language"), 60),
        homepage=homepage,
        topics=topics,
        archived=_flag(data.get("archived")),
        fork=_flag(data.get("fork")),
        open_issues=_whole(data.get("open_issues_count")),
        demo=demo_in(homepage, description, " ".join(topics)),
        source=source,
        as_of=parse_time(_text(data.get("_figures_of"), 40)) or as_of,  # a recorded item's own date
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
