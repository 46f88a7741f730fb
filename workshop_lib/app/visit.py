"""Visiting the app the way a browser or another program does: over HTTP, through Gradio's client.

:func:`ask` sends one request and returns a :class:`Reply` (the files or the app's message);
:func:`send_together` sends several photos at once and returns a :class:`LoadReport` that shows
how the queue handled them: who waited, who ran, and how many ran at the same time.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import WorkshopError

if TYPE_CHECKING:
    from gradio_client import Client
    from matplotlib.figure import Figure

__all__ = ["LoadReport", "Reply", "ask", "send_together"]

_QUEUED = ("IN_QUEUE", "SENDING_DATA", "PROCESSING", "PROGRESS", "ITERATING", "FINISHED", "LOG")


@dataclass
class Reply:
    """What the app answered: files (pictures, sounds) and its note, or its error message.

    Attributes
    ----------
    ok : bool
        False when the app refused the request; ``message`` then says why.
    files : list of Path
        The files the app sent back, downloaded.
    message : str
        The app's note (cost, licence) or its error message.
    seconds : float
        From sending the request to the answer, waiting in the queue included.
    """

    ok: bool
    files: list[Path] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0

    def __repr__(self) -> str:
        if not self.ok:
            return f"<Reply: refused: {self.message}>"
        return f"<Reply: {len(self.files)} file(s) in {self.seconds:.2f} s>"

    def _repr_html_(self) -> str:
        import base64

        if not self.ok:
            return (
                '<div style="border-left:4px solid #c0392b;padding:6px 10px;background:#fdecea">'
                f"<b>The app refused the request:</b> {html.escape(self.message)}</div>"
            )
        parts = []
        for path in self.files:
            kind = path.suffix.lower()
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            if kind in (".png", ".jpg", ".jpeg", ".webp"):
                mime = "png" if kind == ".png" else "jpeg" if kind != ".webp" else "webp"
                parts.append(f'<img src="data:image/{mime};base64,{data}" style="max-width:360px">')
            elif kind in (".mp3", ".wav"):
                mime = "mpeg" if kind == ".mp3" else "wav"
                parts.append(
                    f"<div>{html.escape(path.stem)}: <audio controls "
                    f'src="data:audio/{mime};base64,{data}"></audio></div>'
                )
        note = html.escape(self.message).replace("**", "")
        return (
            f"<div>{''.join(parts)}<p><small>{note}</small><br><small>Answered in "
            f"{self.seconds:.2f} s, waiting included.</small></p></div>"
        )


def _files(value) -> list[Path]:
    """Every downloaded file in a client's answer (paths in strings, lists and tuples)."""
    if isinstance(value, str | Path) and Path(value).is_file():
        return [Path(value)]
    if isinstance(value, list | tuple):
        return [path for item in value for path in _files(item)]
    return []


def ask(client: Client, endpoint: str, *inputs: object) -> Reply:
    """Send one request to the app, as a browser would; never raises for the app's refusals.

    Parameters
    ----------
    client : gradio_client.Client
        From :meth:`WorkshopApp.client`.
    endpoint : str
        ``"colorize"``, ``"speak"`` or ``"separate"``.
    *inputs
        The endpoint's inputs; a ``Path`` (or a file name that exists) is uploaded as a file.

    Returns
    -------
    Reply
    """
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    prepared = [
        handle_file(item) if isinstance(item, Path) and item.is_file() else item for item in inputs
    ]
    started = time.perf_counter()
    try:
        answer = client.predict(*prepared, api_name=f"/{endpoint.lstrip('/')}")
    except AppError as err:
        return Reply(False, message=err.message or str(err), seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    answer = answer if isinstance(answer, tuple) else (answer,)
    note = answer[-1] if isinstance(answer[-1], str) else ""
    if endpoint.strip("/") == "colorize":
        files = _files(answer[1])[:1]  # the labelled PNG to download
    else:
        files = _files(list(answer[:-1]))
    return Reply(True, files, note, seconds)


@dataclass
class LoadReport:
    """How the app's queue handled requests sent at the same time.

    Attributes
    ----------
    names : list of str
        The uploaded file names, in the order they joined the queue.
    submitted : list of float
        When each was sent (``time.time()``).
    records : list of Record
        The app's own record of each, in the order they started (from the app's meter).
    answers : list of Reply
        What came back for each, in the order sent.
    limit : int
        The app's concurrency limit.
    """

    names: list[str]
    submitted: list[float]
    records: list
    answers: list[Reply]
    limit: int

    def __repr__(self) -> str:
        done = sum(answer.ok for answer in self.answers)
        return (
            f"<LoadReport: {done} of {len(self.answers)} answered, in queue order: "
            f"{self.started_in_order}, most at once: {self.most_at_once} (limit {self.limit})>"
        )

    @property
    def started_in_order(self) -> bool:
        """True when the app started the requests in the order they joined the queue.

        With a limit of 1 the order must be exact. With a limit of n, the queue hands n
        requests out together, and of those the one whose file is ready first starts first, so
        a request may start up to n - 1 places away from its place in the queue, never more.
        """
        started = [record.label for record in self.records]
        if sorted(started) != sorted(self.names):
            return False
        return all(
            abs(started.index(name) - place) < self.limit for place, name in enumerate(self.names)
        )

    @property
    def most_at_once(self) -> int:
        """The most requests the app ran at the same time."""
        return max((record.running_with for record in self.records), default=0)

    def _repr_html_(self) -> str:
        done = sum(answer.ok for answer in self.answers)
        order = "in the order they queued" if self.started_in_order else "NOT in queue order"
        return (
            f"<p>{len(self.answers)} requests sent at once: <b>{done}</b> answered, "
            f"{len(self.answers) - done} lost or refused. They started <b>{order}</b>; at most "
            f"<b>{self.most_at_once}</b> ran at the same time (the limit is {self.limit}).</p>"
        )

    def plot(self) -> Figure:
        """Draw each request as a bar: grey while it waits in the queue, blue while it runs.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        by_name = {record.label: record for record in self.records}
        start = min(self.submitted)
        figure, axes = plt.subplots(figsize=(9, 0.3 * len(self.names) + 1.2))
        for row, (name, sent) in enumerate(zip(self.names, self.submitted, strict=True)):
            record = by_name.get(name)
            if record is None:
                continue
            began, ended = record.started - start, (record.finished or record.started) - start
            axes.barh(row, began - (sent - start), left=sent - start, color="0.8")
            axes.barh(row, ended - began, left=began, color="tab:blue")
        axes.set_yticks(
            range(len(self.names)), [f"request {i + 1}" for i in range(len(self.names))]
        )
        axes.invert_yaxis()
        axes.set_xlabel("seconds since the first request was sent")
        axes.set_title(
            f"{len(self.names)} requests, {self.limit} at a time: grey = on the way and waiting "
            "in the queue, blue = the model at work",
            fontsize=10,
        )
        plt.close(figure)
        return figure


def send_together(
    app: Any, photo: str | Path, *, count: int = 8, timeout: float = 300
) -> LoadReport:
    """Send ``count`` colorize requests at once (copies of one photo) and report on the queue.

    Each request comes from its own visitor (its own client, as ``count`` people pressing the
    button at the same moment), and each copy gets its own name (``request_01.png`` ...), so the
    app's meter can tell them apart. They are sent one right after the other, each as soon as
    the previous one has joined the queue, so the queue's order is the order sent.

    Parameters
    ----------
    app : WorkshopApp
        A running app (not imported here: the server imports this module).
    photo : str or Path
        The photo to send.
    count : int
        How many requests.
    timeout : float
        Seconds to wait for all the answers.

    Returns
    -------
    LoadReport
    """
    from gradio_client import handle_file

    if not 1 <= int(count) <= 100:
        raise WorkshopError("Send between 1 and 100 requests at once.")
    downloads = Path(tempfile.mkdtemp(prefix="visitor-"))
    clients = [app.client(download_folder=downloads) for _ in range(int(count))]
    folder = Path(tempfile.mkdtemp(prefix="requests-"))
    suffix = Path(str(photo)).suffix or ".png"
    names = [f"request_{number:02d}{suffix}" for number in range(1, count + 1)]
    before = len(app.meter.records)
    jobs, submitted = [], []
    try:
        for name, client in zip(names, clients, strict=True):
            copy = folder / name
            shutil.copy(photo, copy)
            submitted.append(time.time())
            job = client.submit(handle_file(copy), "[]", True, api_name="/colorize")
            deadline = time.monotonic() + 30
            while job.status().code.name not in _QUEUED and time.monotonic() < deadline:
                time.sleep(0.005)  # wait until the app has put it in the queue
            jobs.append(job)
        answers = []
        for job in jobs:
            try:
                job.result(timeout=timeout)
                answers.append(Reply(True))
            except Exception as err:  # the app refused or the job was lost
                answers.append(Reply(False, message=str(err)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)
    records = [r for r in app.meter.records[before:] if r.label in names]
    return LoadReport(names, submitted, records, answers, app.concurrency)
