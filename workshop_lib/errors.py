"""The one exception type of the workshop library."""

__all__ = ["WorkshopError"]


class WorkshopError(Exception):
    """Something a learner or the machine caused, explained in plain words.

    The message says what went wrong, with which input, and what to do next.
    Widgets and notebooks show it as it is, without a traceback.
    """

    def _render_traceback_(self):
        # IPython calls this instead of printing a traceback: a learner sees one clear paragraph.
        return [f"WorkshopError: {self}"]
