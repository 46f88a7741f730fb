"""What went wrong on the network, in plain words: the one place where HTTP errors become sentences.

Downloads (:mod:`workshop_lib.assets`), arXiv and GitHub (:mod:`workshop_lib.research`) all say
what went wrong through :func:`failure_reason`, so a learner reads the same words for the same
trouble wherever it happens. Each caller adds what to do next in its own situation (try a
mirror, use a recorded answer, turn the offline switch on). This module imports nothing else of
the library.
"""

from __future__ import annotations

from http import HTTPStatus

__all__ = ["failure_reason"]

_MOVED = (403, 404, 410)
_BUSY = (429, 503)


def _phrase(status: int, reason: str | None) -> str:
    """``404 Not Found``: the code with its standard phrase (or the server's own words)."""
    if not reason:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return f"HTTP {status} {reason}".rstrip()


def _status_reason(status: int, reason: str | None, server: str) -> str:
    said = _phrase(status, reason)
    if status == 401:
        return f"{server} refused the credentials it was sent ({said})"
    if status in _MOVED:
        return f"{server} answered {said}, so what was asked for may have moved or is no longer shared there"
    if status in _BUSY:
        return f"{server} is busy and asked us to slow down ({said}); try again in a few minutes"
    if 500 <= status < 600:
        return f"{server} had a problem of its own ({said}); it may be busy, so try again in a few minutes"
    return f"{server} answered with an error ({said})"


def _exception_reason(err: BaseException, server: str) -> str:
    import requests

    if isinstance(err, requests.HTTPError) and err.response is not None:
        return _status_reason(err.response.status_code, err.response.reason, server)
    if isinstance(err, requests.Timeout):
        return f"{server} did not answer in time"
    if isinstance(err, requests.ConnectionError):
        return (
            f"{server} could not be reached: this computer seems to have no internet connection "
            "(or the server's name could not be looked up, or the connection was refused)"
        )
    return f"the connection to {server} broke off ({type(err).__name__})"


def failure_reason(
    problem: object, *, server: str = "the server", reason: str | None = None
) -> str:
    """Say in one plain clause what went wrong when asking ``server`` for something.

    Parameters
    ----------
    problem : int, requests.Response or exception
        An HTTP status code, a response with an error status, or the exception that the
        ``requests`` package raised (no connection, timeout, broken connection, HTTP error).
    server : str
        Who was asked, as the learner knows it: ``"GitHub"``, ``"arXiv"``, ``"the server"``.
    reason : str, optional
        The server's own words for a status code (``response.reason``), when known.

    Returns
    -------
    str
        A clause without a final full stop, so that callers can add what to do next.

    Examples
    --------
    >>> failure_reason(404, server="GitHub")
    'GitHub answered HTTP 404 Not Found, so what was asked for may have moved or is no longer shared there'
    >>> failure_reason(503, server="arXiv")
    'arXiv is busy and asked us to slow down (HTTP 503 Service Unavailable); try again in a few minutes'
    """
    if isinstance(problem, bool):
        raise TypeError("failure_reason needs a status code, a response or an exception")
    if isinstance(problem, int):
        return _status_reason(problem, reason, server)
    if isinstance(problem, BaseException):
        return _exception_reason(problem, server)
    status = getattr(problem, "status_code", None)
    if isinstance(status, int):
        return _status_reason(status, reason or getattr(problem, "reason", None), server)
    raise TypeError("failure_reason needs a status code, a response or an exception")
