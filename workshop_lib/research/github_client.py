"""Asking GitHub's API: the token, the cache, GitHub's limits, and the recorded fallback.

Without a token GitHub allows 10 searches a minute and 60 other requests an hour, counted per
internet address (on local Jupyter in a library room everyone shares one address; on Colab each
learner's requests leave from Google's machines). So answers are kept for an hour, this kernel
never sends more searches than the limit allows, a "rate limit exceeded" answer is remembered
until GitHub's reset time, and in every one of those cases (and offline) an earlier answer, the
instructor's snapshot or a recording that ships with the workshop is used, with a note that
says so and gives its date.

Conditional requests (``If-None-Match``) are sent with a kept answer's ETag: they save data,
but GitHub counts a 304 answer against the limit unless the request carries a token.

An optional token raises the limits (30 searches a minute, 5,000 requests an hour). It is read
from the environment variable ``GITHUB_TOKEN`` or, on Colab, from the secret of that name; it is
sent only to GitHub, and never printed, cached or recorded.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import requests

from .. import net, runtime
from ..errors import WorkshopError
from . import _common, recordings
from ._common import Stored

__all__ = ["GITHUB_API_VARIABLE", "TOKEN_VARIABLE", "token_status"]

GITHUB_API_VARIABLE = "WORKSHOP_GITHUB_API"
"""Environment variable naming another address for GitHub's API (GitHub Enterprise, or a test server)."""

TOKEN_VARIABLE = "GITHUB_TOKEN"  # noqa: S105 (the name of a variable, not a secret)
"""The environment variable (and Colab secret) that may hold a GitHub token."""

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
SEARCHES_PER_MINUTE = {False: 10, True: 30}  # without, with a token
REQUESTS_PER_HOUR = {False: 60, True: 5000}
OFFLINE_REASON = "Offline mode is on (WORKSHOP_OFFLINE=1), so GitHub was not asked."

_SEARCHES = _common.Window(60.0)  # searches sent from this kernel in the last minute
_BLOCKED: dict[str, float] = {}  # "search" / "core" -> time.time() when GitHub lets us in again
_SESSION = requests.Session()
_COLAB_SECRET: list = []  # [] = not looked up yet; [value or None] afterwards


# --- the token -----------------------------------------------------------------------------------


def token() -> tuple[str | None, str]:
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
    value, origin = token()
    if value:
        return (
            f"A GitHub token from {origin} is used (its value is never shown): up to 30 searches "
            "a minute and 5,000 other requests an hour."
        )
    return (
        "No GitHub token: GitHub allows 10 searches a minute and 60 other requests an hour for "
        "each internet address (on Colab, your own; on a shared network, shared by everyone on "
        "it). To raise that, create a token on GitHub (Settings → Developer settings → Personal "
        "access tokens; no permissions needed) and add it as a Colab secret named "
        f"{TOKEN_VARIABLE} (the key icon in the left bar), or set the environment variable "
        f"{TOKEN_VARIABLE}. Never paste a token into a notebook cell."
    )


# --- one answer ----------------------------------------------------------------------------------


class NotFound(Exception):
    """GitHub answered 404."""


@dataclass(frozen=True)
class Answer:
    """One answer from GitHub (or from where it was kept), with the learner's note."""

    stored: Stored
    source: str  # live, cache, recorded
    note: str
    label: str  # for records: "GitHub API, live 2026-11-28 10:00 UTC"
    as_of: datetime | None = None  # the moment the facts describe


def api_address() -> str:
    """GitHub's API address (or the one ``WORKSHOP_GITHUB_API`` names)."""
    return (os.environ.get(GITHUB_API_VARIABLE, "").strip() or DEFAULT_API).rstrip("/")


def address(path: str, params: dict | None) -> str:
    """The full address of one request."""
    return f"{api_address()}{path}" + (f"?{urlencode(params)}" if params else "")


def _headers(etag: str | None) -> dict:
    headers = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": _common.USER_AGENT,
    }
    value, _ = token()
    if value:
        headers["Authorization"] = f"Bearer {value}"
    if etag:
        headers["If-None-Match"] = etag
    return headers


def _send(url: str, etag: str | None = None) -> requests.Response:
    return _SESSION.get(url, headers=_headers(etag), timeout=_common.TIMEOUT)


# --- GitHub's limits -----------------------------------------------------------------------------


def _limit_reason(resource: str, until: float) -> str:
    seconds = max(1, round(until - time.time()))
    with_token = token()[0] is not None
    what = (
        f"{SEARCHES_PER_MINUTE[with_token]} searches a minute"
        if resource == "search"
        else f"{REQUESTS_PER_HOUR[with_token]:,} requests an hour"
    )
    shared = "" if with_token else ", counted for each internet address"
    return (
        f"GitHub's limit ({what}{shared}) is used up for now; it opens again in about "
        f"{seconds} seconds."
        + ("" if with_token else " A token raises the limit: see token_status().")
    )


def _refusal_before_asking(resource: str) -> str | None:
    """Why this request must not be sent now (a limit known to be used up), else None."""
    blocked = _BLOCKED.get(resource, 0.0)
    if blocked > time.time():
        return _limit_reason(resource, blocked)
    if resource != "search":
        return None
    with_token = token()[0] is not None
    limit = SEARCHES_PER_MINUTE[with_token]
    wait = _SEARCHES.wait_needed(limit)
    if wait > 0:
        return (
            f"This notebook has already sent {limit} searches in the last minute, GitHub's "
            f"limit{'' if with_token else ' without a token'}; wait about {round(wait)} seconds."
        )
    _SEARCHES.add()
    return None


def _rate_limited(response: requests.Response, resource: str) -> tuple[str, float] | None:
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


def _error_reason(response: requests.Response, resource: str) -> str:
    """Why an answer other than 200, 304 or 404 cannot be used; remembers a used-up limit."""
    limited = _rate_limited(response, resource)
    if limited is not None:
        _BLOCKED[limited[0]] = limited[1]
        return _limit_reason(*limited)
    said = net.failure_reason(response, server="GitHub")
    if response.status_code == 401:
        return (
            f"{said}: the token may have expired. Make a new one, or remove the "
            f"{TOKEN_VARIABLE} secret to search without one."
        )
    return f"{said}."


# --- asking, with the fallbacks ------------------------------------------------------------------


def get(path: str, params: dict | None, *, kind: str, key: str, what: str, resource: str) -> Answer:
    """Ask GitHub for one address, with the cache, the limits and the recorded fallback.

    Raises :class:`NotFound` for a 404, and WorkshopError when nothing can answer.
    """
    url = address(path, params)
    if runtime.is_offline():
        return recorded(kind, key, what, OFFLINE_REASON)
    stored = _common.cache_read(url)
    if stored is not None and _common.is_fresh(stored):
        if stored.status == 404:
            raise NotFound(url)
        note = (
            f"From GitHub at {_common.when(stored.fetched)}, kept on this computer for an hour "
            "so that GitHub is not asked the same thing again."
        )
        label = f"GitHub API, {_common.when(stored.fetched)}"
        return Answer(stored, "cache", note, label, stored.fetched)
    refusal = _refusal_before_asking(resource)
    if refusal:
        return _fallback(stored, kind, key, what, refusal)
    etag = stored.headers.get("ETag") if stored is not None and stored.status == 200 else None
    try:
        response = _send(url, etag)
    except requests.RequestException as err:
        reason = f"{net.failure_reason(err, server='GitHub')}."
        return _fallback(stored, kind, key, what, reason, err)
    return _answer(response, url, stored, kind, key, what, resource)


def _answer(response, url, stored, kind, key, what, resource) -> Answer:
    moment = _common.now()
    label = f"GitHub API, live {_common.when(moment)}"
    if response.status_code == 304 and stored is not None:
        _common.cache_write(url, 200, stored.body, stored.headers)
        note = f"From GitHub, {_common.when(moment)} (unchanged since it was last asked)."
        return Answer(stored, "live", note, label, moment)
    if response.status_code == 200:
        keep = {k: response.headers[k] for k in ("ETag", "Content-Type") if k in response.headers}
        _common.cache_write(url, 200, response.content, keep)
        fresh = Stored(url=url, status=200, body=response.content, headers=keep, fetched=moment)
        note = f"Live results from GitHub, {_common.when(moment)}."
        return Answer(fresh, "live", note, label, moment)
    if response.status_code == 404:
        _common.cache_write(url, 404, b"{}", {})
        raise NotFound(url)
    return _fallback(stored, kind, key, what, _error_reason(response, resource))


def _fallback(stored, kind, key, what, reason, err=None) -> Answer:
    """An older answer kept here, else the snapshot or a packaged recording."""
    if stored is not None and stored.status == 200:
        note = f"{reason} These results are from GitHub at {_common.when(stored.fetched)}, kept on this computer."
        label = f"GitHub API, {_common.when(stored.fetched)}"
        return Answer(stored, "cache", note, label, stored.fetched)
    try:
        return recorded(kind, key, what, reason)
    except WorkshopError as missing:
        if err is not None:
            raise missing from err
        raise


def recorded(kind: str, key: str, what: str, reason: str) -> Answer:
    """The recorded answer for one request (the instructor's snapshot first)."""
    recording = recordings.find("github", kind, key)
    if recording is None:
        raise recordings.missing(what, reason, "github", kind)
    if recording.status == 404:
        raise NotFound(key)
    stored = Stored(
        url=key, status=recording.status, body=recording.body(), headers=recording.headers
    )
    origin = "the instructor's snapshot" if recording.origin == "snapshot" else "GitHub API"
    label = f"{origin}, {recording.describe()}"
    return Answer(stored, "recorded", recordings.why(reason, recording), label, recording.as_of())


def fetch_live(path: str, params: dict | None, *, resource: str) -> Stored:
    """Ask GitHub now, with no cache and no fallback (for the instructor's snapshot).

    Raises WorkshopError with the reason when GitHub does not answer 200 or 404.
    """
    url = address(path, params)
    try:
        response = _send(url)
    except requests.RequestException as err:
        raise WorkshopError(f"{net.failure_reason(err, server='GitHub')}.") from err
    if response.status_code not in (200, 404):
        raise WorkshopError(_error_reason(response, resource))
    keep = {"Content-Type": response.headers.get("Content-Type", "application/json")}
    return Stored(
        url=url,
        status=response.status_code,
        body=response.content,
        headers=keep,
        fetched=_common.now(),
    )
