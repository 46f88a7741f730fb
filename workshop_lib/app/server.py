"""The workshop's web app: Gradio pages over :class:`~workshop_lib.app.service.Service`.

:func:`create_app` builds the pages (see :mod:`~workshop_lib.app.pages`), :meth:`WorkshopApp.launch`
starts the server (inline in a notebook, in its own browser tab otherwise, with a public share
link when asked and online), and :meth:`WorkshopApp.close` stops it and deletes every file it
kept.

Gradio keeps uploads and results in a temporary folder. The app gives Gradio a private folder of
its own (through ``GRADIO_TEMP_DIR``, set while the app runs), deletes each upload once it is
read, deletes results after ``Limits.results_minutes``, and deletes the whole folder when it
closes, however it is stopped: ``close()``, Ctrl+C at any moment (start-up included), the end of
the program, or SIGTERM (how ``kill``, a service manager or a container stops a server). A folder
left by a crash is removed when the next app starts (see :mod:`~workshop_lib.app.storage`).
"""

from __future__ import annotations

import atexit
import contextlib
import html
import os
import signal
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import runtime
from ..errors import WorkshopError
from .fairqueue import FairQueue
from .limits import Limits
from .service import Service
from .storage import PrivateFolder, remove_stale
from .uploads import UploadCounter

if TYPE_CHECKING:
    import gradio
    import torch
    from gradio_client import Client
    from IPython.display import HTML

    from .meter import Meter
    from .visit import LoadReport, Reply

__all__ = ["WorkshopApp", "create_app", "launch"]

_INSTALL = (
    "The web app needs Gradio. On Colab it is already installed; on your own computer run: "
    'pip install "workshop_lib[app]" (bash workshop.sh installs it too).'
)
_CURRENT = None  # the app made last: only one runs at a time


def _gradio():
    try:
        import gradio
    except ImportError as err:
        raise WorkshopError(_INSTALL) from err
    return gradio


class WorkshopApp:
    """The web app: its pages, its service (limits, meter, models) and its private folder.

    Make one with :func:`create_app` (or :func:`launch`, which also starts it).

    Attributes
    ----------
    blocks : gradio.Blocks
        The pages.
    service : Service
        What each request does; ``service.meter`` counts the requests.
    folder : Path
        The private folder for uploads and results (deleted by :meth:`close`).
    queue : FairQueue
        The one queue of model requests: visitors take turns, a few requests each at most.
    concurrency : int
        Requests that may use the model at the same time; the others wait in the queue.
    url : str or None
        The local address once launched; ``share_url`` the public one, if any.
    """

    def __init__(
        self,
        blocks: gradio.Blocks,
        service: Service,
        folder: PrivateFolder,
        queue: FairQueue,
        previous: str | None,
    ) -> None:
        self.blocks = blocks
        self.service = service
        self.private = folder
        self.folder = folder.path
        self.queue = queue
        self.concurrency = queue.workers
        self.url: str | None = None
        self.share_url: str | None = None
        self._previous_temp_dir = previous
        self._closed = False
        self._client = None
        self._signals: dict[int, Any] = {}
        atexit.register(self.close)

    @property
    def meter(self) -> Meter:
        """The :class:`~workshop_lib.app.meter.Meter` counting the model requests."""
        return self.service.meter

    @property
    def limits(self) -> Limits:
        """The app's :class:`~workshop_lib.app.limits.Limits`."""
        return self.service.limits

    def __repr__(self) -> str:
        state = f"running at {self.url}" if self.url else "not started"
        return f"<WorkshopApp {state}, {self.concurrency} request(s) at a time>"

    def _repr_html_(self) -> str:
        if not self.url:
            return f"<p>The app is not running ({html.escape(repr(self))}).</p>"
        if runtime.where() == "colab":  # this runtime's own address cannot be opened from outside
            links = ["this Colab runtime (shown above)"]
        else:
            url = html.escape(self.url)
            links = [f'<a href="{url}" target="_blank">{url}</a> (open it in a new tab)']
        if self.share_url:
            share = html.escape(self.share_url)
            links.append(f'public link: <a href="{share}" target="_blank">{share}</a>')
        return (
            f"<p>The app is running at {' and '.join(links)}; "
            f"{self.concurrency} request(s) at a time.</p>"
        )

    def launch(
        self,
        *,
        share: bool = False,
        port: int | None = None,
        inline: bool | None = None,
        block: bool = False,
        quiet: bool = True,
    ) -> str:
        """Start the server; returns the local address.

        Parameters
        ----------
        share : bool
            Also make a temporary public link (through Gradio's share servers) so anyone can
            open the app. Needs the internet; ignored with the offline switch on.
        port : int, optional
            The port on this computer; None takes the first free one from 7860.
        inline : bool, optional
            Show the app inside the notebook; None: in a notebook yes (with the offline switch
            on, a link instead: an offline run is a test or the handout, where nobody can use
            the app inside the page), in a terminal no.
        block : bool
            Keep running until Ctrl+C or SIGTERM (the command line does this); False returns at
            once.
        quiet : bool
            Print less.

        Stopping the program at any moment, start-up included, closes the app and deletes its
        folder.
        """
        if self._closed:
            raise WorkshopError("This app was closed. Make a new one with app.launch().")
        self._catch_sigterm()
        if not quiet:
            print(
                f"Uploads and results are kept in {self.folder} while the app runs; uploads are "
                "deleted as soon as they are read, results after "
                f"{self.limits.results_minutes:g} minutes, and everything when the app stops "
                "(Ctrl+C).",
                flush=True,
            )
        try:
            self._start(share=share, port=port, inline=inline, quiet=quiet)
            if block:
                self.blocks.block_thread()
        except BaseException:  # Ctrl+C or SIGTERM during start-up too: nothing may stay behind
            self.close()
            raise
        if block:
            self.close()
        return self.url or ""

    def _start(self, *, share: bool, port: int | None, inline: bool | None, quiet: bool) -> None:
        """Start Gradio's server (see :meth:`launch`)."""
        if share and runtime.is_offline():
            print("Offline mode: no public share link; the app runs on this computer only.")
            share = False
        if inline is None:
            inline = runtime.where() in ("colab", "jupyter") and not runtime.is_offline()
        gr = _gradio()
        # Gradio 6.24's /config calls an async function without awaiting it (harmless here).
        warnings.filterwarnings(
            "ignore",
            message="coroutine .*get_current_user.* was never awaited",
            category=RuntimeWarning,
        )
        theme = gr.themes.Default(
            font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
            font_mono=["ui-monospace", "Consolas", "monospace"],
        )  # fonts of the visitor's own computer: no font download from Google
        _, local_url, share_url = self.blocks.launch(
            share=share,
            server_name="127.0.0.1",
            server_port=port,
            inline=inline,
            prevent_thread_lock=True,
            quiet=quiet,
            show_error=True,
            max_file_size=self.limits.largest_upload,
            theme=theme,
            footer_links=["api"],
            run_history=False,
            enable_monitoring=False,
            ssr_mode=False,
            mcp_server=False,
            max_threads=max(40, self.queue.workers + 8),
            app_kwargs={"middleware": [_middleware(self.service)]},
        )
        self.url, self.share_url = local_url, share_url
        self.private.start_sweeping(self.limits.results_minutes * 60, self.service.uploads.kept)

    def _catch_sigterm(self) -> None:
        """On SIGTERM, close the app (deleting its folder), then stop as SIGTERM would."""
        if threading.current_thread() is not threading.main_thread() or self._signals:
            return
        previous = signal.getsignal(signal.SIGTERM)

        def stop(number, frame):
            self.close()
            if callable(previous):
                previous(number, frame)
            elif previous != signal.SIG_IGN:
                raise SystemExit(128 + number)

        with contextlib.suppress(ValueError, OSError):
            signal.signal(signal.SIGTERM, stop)
            self._signals[signal.SIGTERM] = previous

    def close(self) -> None:
        """Stop the server and delete the private folder with every upload and result left."""
        if self._closed:
            return
        self._closed = True
        try:
            with contextlib.suppress(Exception):  # not started, or already stopped
                self.blocks.close()
        finally:
            self.private.remove()
            if os.environ.get("GRADIO_TEMP_DIR") == str(self.folder):
                if self._previous_temp_dir is None:
                    os.environ.pop("GRADIO_TEMP_DIR", None)
                else:
                    os.environ["GRADIO_TEMP_DIR"] = self._previous_temp_dir
            self.url = None
            self._client = None
            with contextlib.suppress(Exception):
                atexit.unregister(self.close)
            self._restore_signals()

    def _restore_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for number, previous in self._signals.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                if signal.getsignal(number) is not previous:
                    signal.signal(number, previous)
        self._signals.clear()

    def files_left(self) -> list[Path]:
        """Every file in the private folder now (uploads should never be among them)."""
        return self.private.files()

    def privacy_report(self) -> HTML:
        """What the app keeps of its visitors now: uploads left (none) and results kept.

        Returns
        -------
        IPython.display.HTML
        """
        from IPython.display import HTML

        received = len(self.service.uploads.received)
        left = self.service.uploads_left()
        results = self.files_left()
        return HTML(
            f"<p>Uploads received: <b>{received}</b>; still on the server: <b>{len(left)}</b>."
            f"<br>Results kept for download: <b>{len(results)}</b> files, deleted "
            f"{self.limits.results_minutes:g} minutes after they were made, and all when the app "
            f"closes.<br>Private folder: <code>{self.folder}</code></p>"
        )

    def ask(self, endpoint: str, *inputs: object) -> Reply:
        """Send one request over HTTP as a visitor would; returns a :class:`~.visit.Reply`.

        Parameters
        ----------
        endpoint : str
            ``"colorize"`` (photo, hints as JSON text, automatic), ``"speak"`` (text, engine,
            voice, speed) or ``"separate"`` (song, stems).
        *inputs
            A file is given as a ``Path``.

        Examples
        --------
        >>> my_app.ask("speak", "Hello!", "espeak-ng", None, 1.0)  # doctest: +SKIP
        """
        from .visit import ask

        if self._client is None:
            self._client = self.client()
        return ask(self._client, endpoint, *inputs)

    def send_together(self, photo: str | Path, *, count: int = 8) -> LoadReport:
        """Send ``count`` colorize requests at once; returns a :class:`~.visit.LoadReport`."""
        from .visit import send_together

        return send_together(self, photo, count=count)

    def client(self, download_folder: str | Path = "app_downloads") -> Client:
        """A Gradio client connected to this app, as another program (or a visitor) would use it.

        Files the app sends back are saved into ``download_folder``.
        """
        from gradio_client import Client

        if not self.url:
            raise WorkshopError("Start the app first: my_app.launch().")
        Path(download_folder).mkdir(parents=True, exist_ok=True)
        return Client(
            self.url,
            verbose=False,
            download_files=str(download_folder),
            analytics_enabled=False,
            httpx_kwargs={"timeout": 120},  # a busy small computer answers slowly, not never
        )


def create_app(
    *,
    concurrency: int = 1,
    limits: Limits | None = None,
    queue_size: int = 40,
    device: str | torch.device | None = None,
) -> WorkshopApp:
    """Build the web app (not started yet: call ``.launch()``).

    Parameters
    ----------
    concurrency : int
        How many requests may use the model at the same time; the rest wait in the queue. One
        is fair on one GPU (or a small CPU): each request gets the whole machine in turn.
    limits : Limits, optional
        Upload sizes, song length, text length, how long results are kept.
    queue_size : int
        Requests that may wait at once; beyond that, visitors are told the app is busy. One
        visitor may have ``limits.requests_per_visitor`` of them at most.
    device : str, torch.device or None
        Where the models run (``"cpu"``, ``"cuda"``, ``"cuda:0"``, ``"mps"``, ``"auto"``); None
        picks the GPU when there is one. The colorizer, the separator and the speech engines
        all run there.

    Returns
    -------
    WorkshopApp

    Examples
    --------
    >>> my_app = create_app()  # doctest: +SKIP
    >>> my_app.launch()  # doctest: +SKIP
    """
    if not isinstance(concurrency, int) or concurrency < 1:
        raise WorkshopError(
            f"concurrency must be a whole number of 1 or more, not {concurrency!r}."
        )
    gr = _gradio()
    global _CURRENT
    if _CURRENT is not None and not _CURRENT._closed:
        # One app at a time: Gradio's upload folder is set for the whole program.
        print(f"The app started before ({_CURRENT.url or 'not launched'}) was stopped first.")
        _CURRENT.close()
    from .pages import build

    limits = limits or Limits()
    remove_stale()  # folders left by an app that crashed or was killed
    folder = PrivateFolder()
    previous = os.environ.get("GRADIO_TEMP_DIR")
    try:
        # Gradio reads this when it makes each component and when it checks an upload: it must
        # stay set while the app runs. close() puts the old value back.
        os.environ["GRADIO_TEMP_DIR"] = str(folder.path)
        service = Service(folder.path, limits=limits, device=device)
        queue = FairQueue(
            workers=concurrency, per_visitor=limits.requests_per_visitor, size=queue_size
        )
        blocks = build(gr, service, queue)
        # Model requests wait in the fair queue; Gradio's own queue only passes them on.
        blocks.queue(max_size=None, default_concurrency_limit=None)
        _CURRENT = WorkshopApp(blocks, service, folder, queue, previous)
    except BaseException:
        folder.remove()
        if previous is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = previous
        raise
    return _CURRENT


def launch(
    *,
    share: bool = False,
    concurrency: int = 1,
    limits: Limits | None = None,
    port: int | None = None,
    inline: bool | None = None,
    device: str | torch.device | None = None,
) -> WorkshopApp:
    """Build and start the web app: inline in a notebook, with a public link when asked and online.

    Returns the running :class:`WorkshopApp`; call its ``close()`` when you are done, which also
    deletes every file it kept.

    Parameters
    ----------
    share : bool
        Also make a temporary public link anyone can open (needs the internet).
    concurrency, limits, device
        See :func:`create_app`.
    port : int, optional
        The port; None takes the first free one from 7860.
    inline : bool, optional
        Show it inside the notebook (the default in a notebook).

    Examples
    --------
    >>> from workshop_lib import app
    >>> my_app = app.launch()  # doctest: +SKIP
    >>> my_app.close()  # doctest: +SKIP
    """
    made = create_app(concurrency=concurrency, limits=limits, device=device)
    made.launch(share=share, port=port, inline=inline)
    return made


def _middleware(service: Service):
    """The layer that counts uploads for ``service`` (see :mod:`~workshop_lib.app.uploads`)."""
    from starlette.middleware import Middleware

    return Middleware(UploadCounter, uploads=service.uploads)
