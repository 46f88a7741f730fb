"""The one exception type of the workshop library, and the one guard every widget uses.

:class:`WorkshopError` carries a plain sentence for the learner. :func:`guard` is how every
widget callback runs its work: a WorkshopError shows its sentence in the widget's own message
area; anything else shows one plain sentence with the details folded underneath (and logged),
and the learner's work is never thrown away. This module imports nothing else of the library.
"""

from __future__ import annotations

import functools
import html
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["WorkshopError", "explain", "guard", "guarded", "message_html"]

log = logging.getLogger("workshop_lib")

Show = Callable[[str, "str | None"], object]
"""A widget's way to show a message: ``show(sentence, details)``; details may be None."""


class WorkshopError(Exception):
    """Something a learner or the machine caused, explained in plain words.

    The message says what went wrong, with which input, and what to do next.
    Widgets and notebooks show it as it is, without a traceback.
    """

    def _render_traceback_(self):
        # IPython calls this instead of printing a traceback: a learner sees one clear paragraph.
        return [f"WorkshopError: {self}"]


def explain(err: BaseException, doing: str = "that") -> tuple[str, str | None]:
    """Turn an exception into (one plain sentence, folded details or None).

    A :class:`WorkshopError` is already a sentence for the learner, so it has no details.
    Anything else is a fault in the library or the machine: the sentence says so without
    blaming the learner, and the details hold the traceback for whoever helps.

    >>> explain(WorkshopError("The file is empty."))
    ('The file is empty.', None)
    >>> sentence, details = explain(ValueError("bad"), doing="colouring the photo")
    >>> sentence.startswith("Something went wrong while colouring the photo")
    True
    """
    if isinstance(err, WorkshopError):
        return str(err), None
    sentence = (
        f"Something went wrong while {doing}. Your work so far is kept: try again, and if it "
        "happens again, show the details below to your instructor."
    )
    details = "".join(traceback.format_exception(type(err), err, err.__traceback__)).strip()
    return sentence, details


@contextmanager
def guard(show: Show, doing: str = "that") -> Iterator[None]:
    """Run a widget's work so that no error escapes as a traceback.

    Use it around the body of every widget callback::

        with guard(self._show_error, doing="separating the song"):
            ...

    A :class:`WorkshopError` calls ``show(sentence, None)``. Any other exception is logged
    (logger ``"workshop_lib"``) and calls ``show(sentence, details)`` with the traceback as
    details. Nothing is re-raised, so the widget stays usable. The guard never touches the
    widget's state: whatever the learner made (hints, recordings, a mix) is kept.
    ``KeyboardInterrupt`` (the notebook's stop button) is not caught.

    >>> shown = []
    >>> with guard(lambda s, d: shown.append((s, d))):
    ...     raise WorkshopError("That photo is empty.")
    >>> shown
    [('That photo is empty.', None)]
    """
    try:
        yield
    except Exception as err:
        sentence, details = explain(err, doing)
        if details is not None:
            log.error("%s\n%s", sentence, details)
        try:
            show(sentence, details)
        except Exception:  # a broken message area must not hide the first problem
            log.exception("could not show a message in the widget: %s", sentence)


def guarded(show_attribute: str, doing: str = "that") -> Callable[[Callable], Callable]:
    """Decorator form of :func:`guard` for widget methods.

    ``show_attribute`` names the method of the widget that shows a message, e.g.
    ``@guarded("_show_error", doing="saving the photo")``. The method returns None when an
    error was shown.
    """

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            result = None
            with guard(getattr(self, show_attribute), doing):
                result = method(self, *args, **kwargs)
            return result

        return wrapper

    return decorate


def message_html(sentence: str, details: str | None = None, *, kind: str = "error") -> str:
    """The HTML of a widget message: the sentence, escaped, with details folded underneath.

    ``kind`` is ``"error"``, ``"warning"`` or ``"info"`` and only sets the colour.

    >>> message_html("<b>no</b>")
    '<div class="workshop-message workshop-error" style="color:#b00020">&lt;b&gt;no&lt;/b&gt;</div>'
    """
    colour = {"error": "#b00020", "warning": "#8a5a00", "info": "#1a4d8f"}.get(kind, "#b00020")
    body = html.escape(sentence)
    if details:
        body += (
            "<details><summary>Details (for whoever helps you)</summary>"
            f"<pre style='white-space:pre-wrap'>{html.escape(details)}</pre></details>"
        )
    return f'<div class="workshop-message workshop-{kind}" style="color:{colour}">{body}</div>'
