"""The instructor's snapshot: fresh answers for everything the notebooks ask, in one file.

Before a session, the instructor runs ``python -m workshop_lib snapshot --out FILE`` once. It
asks arXiv and GitHub, live, for every request that has a packaged recording (the list in
``workshop_lib/data/recorded/recordings.json``: every search, repository and README the
notebooks ask for), and writes the answers with the time each was recorded. Learners put the
file in the notebook's folder (or name it with ``research.use_snapshot(path)``); when GitHub's
limit is used up, or there is no internet, their notebooks answer from it (see
:mod:`workshop_lib.research.recordings`), and the note says so and gives its date.

A GitHub token (``GITHUB_TOKEN``, or the Colab secret of that name) raises GitHub's limits for
the instructor's run. It is sent only to GitHub: the file holds response bodies, their
``Content-Type`` and the request addresses, never a request header.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .. import runtime
from ..errors import WorkshopError
from . import _common, arxiv, github, github_client, recordings
from ._common import Stored

__all__ = ["SEARCH_PAGE", "SnapshotReport", "capture", "make_snapshot"]

SEARCH_PAGE = 5
"""Results per recorded search (the notebooks show up to 5)."""

METHOD = "the instructor's snapshot, captured live with python -m workshop_lib snapshot"


def capture(service: str, kind: str, key: str) -> Stored:
    """Ask arXiv or GitHub live for one recorded request; WorkshopError with the reason if not."""
    if service == "arxiv":
        return arxiv.fetch_live(kind, key, page_size=SEARCH_PAGE)
    if service != "github":
        raise WorkshopError(f"unknown service {service!r}")
    if kind.startswith("search/"):
        sort = kind.split("/", 1)[1]
        params = github._search_params(key, SEARCH_PAGE, sort)
        return github_client.fetch_live("/search/repositories", params, resource="search")
    if kind == "repo":
        return github_client.fetch_live(f"/repos/{quote(key)}", None, resource="core")
    if kind == "readme":
        return github_client.fetch_live(f"/repos/{quote(key)}/readme", None, resource="core")
    raise WorkshopError(f"unknown GitHub request kind {kind!r}")


@dataclass
class SnapshotReport:
    """What a snapshot run did: the file, how many answers, and what failed (with reasons)."""

    path: Path
    made: str
    recorded: int = 0
    failures: list[str] = field(default_factory=list)
    token_note: str = ""

    def __str__(self) -> str:
        lines = [self.token_note] if self.token_note else []
        lines += [f"FAILED  {failure}" for failure in self.failures]
        lines.append(
            f"{self.recorded} answers recorded at {self.made} into {self.path}"
            + (
                f"; {len(self.failures)} failed (the recordings that ship with the workshop stay "
                "the fallback for those)."
                if self.failures
                else "."
            )
        )
        lines.append(
            "Give this file to the learners: put it next to the notebooks (its name must stay "
            f"{recordings.SNAPSHOT_FILE}), or have them upload it in Colab's file panel, or call "
            "research.use_snapshot('path/to/file')."
        )
        return "\n".join(lines)


def _requests() -> list[tuple[str, str, str]]:
    """Every request that has a packaged recording: (service, kind, key), once each."""
    seen = [(r.service, r.kind, r.key) for r in recordings.packaged()]
    return list(dict.fromkeys(seen))


def _token_note() -> str:
    value, origin = github_client.token()
    if value:
        return f"GitHub token from {origin}: used for this run, not shown and not saved."
    github_requests = sum(1 for service, *_ in _requests() if service == "github")
    return (
        f"No GitHub token: this run uses about {github_requests} of the 60 requests an hour that "
        "GitHub allows this internet address. Run it at home or with a token "
        f"({github_client.TOKEN_VARIABLE}), not from the room's network just before the session."
    )


def make_snapshot(out: str | os.PathLike = recordings.SNAPSHOT_FILE) -> SnapshotReport:
    """Record fresh answers for everything the notebooks ask, into one snapshot file.

    Parameters
    ----------
    out : str or path
        The file to write (default ``workshop-snapshot.json`` in this folder).

    Returns
    -------
    SnapshotReport
        The file, the number of answers, and any request that failed, with its reason.

    Raises
    ------
    WorkshopError
        With the offline switch on, or when no request at all was answered.
    """
    if runtime.is_offline():
        raise WorkshopError(
            f"The offline switch is on ({runtime.OFFLINE_VARIABLE}=1), so nothing can be recorded. "
            f"Turn it off (remove {runtime.OFFLINE_VARIABLE}) and run this again with internet."
        )
    path = Path(out).expanduser()
    report = SnapshotReport(path=path, made=_common.when(_common.now()), token_note=_token_note())
    answers = []
    for service, kind, key in _requests():
        try:
            stored = capture(service, kind, key)
        except WorkshopError as err:
            report.failures.append(f"{service} {kind} {key!r}: {err}")
            continue
        answers.append(_entry(service, kind, key, stored))
    if not answers:
        raise WorkshopError(f"Nothing could be recorded. {' '.join(report.failures[:1])}")
    _write(path, report.made, answers)
    report.recorded = len(answers)
    return report


def _entry(service: str, kind: str, key: str, stored: Stored) -> dict:
    return {
        "service": service,
        "kind": kind,
        "key": key,
        "status": stored.status,
        "headers": dict(stored.headers),
        "recorded": _common.when(stored.fetched or _common.now()),
        "sources": [f"GET {stored.url}"],
        "body": stored.body.decode("utf-8"),
    }


def _write(path: Path, made: str, answers: list[dict]) -> None:
    snapshot = {
        "format": recordings.SNAPSHOT_FORMAT,
        "about": (
            "Fresh answers of arXiv's and GitHub's APIs for the workshop's notebooks, made by the "
            "instructor before the session. Notebooks use them when GitHub's limit is used up or "
            "the internet is down, and say so with the time each was recorded."
        ),
        "made": made,
        "method": METHOD,
        "answers": answers,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", "utf-8")
        part.replace(path)
    except OSError as err:
        raise WorkshopError(f"The snapshot could not be written to {path} ({err}).") from err
