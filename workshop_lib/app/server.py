"""The workshop's web app: Gradio pages over :class:`~workshop_lib.app.service.Service`.

:func:`create_app` builds the pages (one tab per demo, plus "About this app" with the queue,
limits, privacy, licences and costs), :meth:`WorkshopApp.launch` starts the server (inline in a
notebook, in its own browser tab otherwise, with a public share link when asked and online), and
:meth:`WorkshopApp.close` stops it and deletes every file it kept.

Gradio keeps uploads and results in a temporary folder. The app gives Gradio a private folder of
its own (through ``GRADIO_TEMP_DIR``, set while the app runs), deletes each upload as soon as it
is read, lets Gradio delete results after ``Limits.results_minutes``, and deletes the whole folder
when it closes.
"""

import atexit
import contextlib
import functools
import html
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from .. import runtime
from ..errors import WorkshopError
from .costs import BENCHMARKS, PRICES
from .licences import SPEECH_POLICY, USE, licence_markdown, offered_engines
from .limits import Limits
from .service import Service

__all__ = ["WorkshopApp", "create_app", "launch"]

_INSTALL = (
    "The web app needs Gradio. On Colab it is already installed; on your own computer run: "
    'pip install "workshop_lib[app]" (bash workshop.sh installs it too).'
)
_CURRENT = None  # the app made last: only one runs at a time
_MODEL_QUEUE = "model"  # every request that runs a model waits in this one queue
_STEMS = {
    2: ("vocals", "accompaniment"),
    4: ("vocals", "drums", "bass", "other"),
    5: ("vocals", "piano", "drums", "bass", "other"),
}


def _gradio():
    try:
        import gradio
    except ImportError as err:
        raise WorkshopError(_INSTALL) from err
    return gradio


def _friendly(function):
    """Show a WorkshopError to the visitor as Gradio's error box, in the same plain words."""
    gr = _gradio()

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except WorkshopError as err:
            raise gr.Error(str(err), title="The app cannot do that", print_exception=False) from err

    return wrapper


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
    concurrency : int
        Requests that may use the model at the same time; the others wait in the queue.
    url : str or None
        The local address once launched; ``share_url`` the public one, if any.
    """

    def __init__(self, blocks, service: Service, folder: Path, concurrency: int, previous):
        self.blocks = blocks
        self.service = service
        self.folder = folder
        self.concurrency = concurrency
        self.url: str | None = None
        self.share_url: str | None = None
        self._previous_temp_dir = previous
        self._closed = False
        self._client = None
        atexit.register(self.close)

    @property
    def meter(self):
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
            Keep running until Ctrl+C (the command line does this); False returns at once.
        quiet : bool
            Print less.
        """
        if self._closed:
            raise WorkshopError("This app was closed. Make a new one with app.launch().")
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
        )
        self.url, self.share_url = local_url, share_url
        if not quiet:
            print(
                f"Uploads and results are kept in {self.folder} while the app runs; uploads are "
                "deleted as soon as they are read, the rest when the app stops (Ctrl+C)."
            )
        if block:
            try:
                self.blocks.block_thread()
            finally:
                self.close()
        return local_url

    def close(self) -> None:
        """Stop the server and delete the private folder with every upload and result left."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):  # not started, or already stopped
            self.blocks.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        if os.environ.get("GRADIO_TEMP_DIR") == str(self.folder):
            if self._previous_temp_dir is None:
                os.environ.pop("GRADIO_TEMP_DIR", None)
            else:
                os.environ["GRADIO_TEMP_DIR"] = self._previous_temp_dir
        self.url = None
        self._client = None
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)

    def files_left(self) -> list[Path]:
        """Every file in the private folder now (uploads should never be among them)."""
        if not self.folder.is_dir():
            return []
        return sorted(path for path in self.folder.rglob("*") if path.is_file())

    def privacy_report(self):
        """What the app keeps of its visitors now: uploads left (none) and results kept.

        Returns
        -------
        IPython.display.HTML
        """
        from IPython.display import HTML

        received = len(self.service.uploads)
        left = self.service.uploads_left()
        results = self.files_left()
        return HTML(
            f"<p>Uploads received: <b>{received}</b>; still on the server: <b>{len(left)}</b>."
            f"<br>Results kept for download: <b>{len(results)}</b> files, deleted "
            f"{self.limits.results_minutes:g} minutes after they were made, and all when the app "
            f"closes.<br>Private folder: <code>{self.folder}</code></p>"
        )

    def ask(self, endpoint: str, *inputs):
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

    def send_together(self, photo, *, count: int = 8):
        """Send ``count`` colorize requests at once; returns a :class:`~.visit.LoadReport`."""
        from .visit import send_together

        return send_together(self, photo, count=count)

    def client(self, download_folder="app_downloads"):
        """A Gradio client connected to this app, as another program (or a visitor) would use it.

        Files the app sends back are saved into ``download_folder``.
        """
        from gradio_client import Client

        if not self.url:
            raise WorkshopError("Start the app first: my_app.launch().")
        Path(download_folder).mkdir(parents=True, exist_ok=True)
        return Client(
            self.url, verbose=False, download_files=str(download_folder), analytics_enabled=False
        )


def create_app(
    *, concurrency: int = 1, limits: Limits | None = None, queue_size: int = 40, device=None
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
        Requests that may wait at once; beyond that, visitors are told the app is busy.
    device : str, optional
        Where the models run; None picks the GPU when there is one.

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
    limits = limits or Limits()
    folder = Path(tempfile.mkdtemp(prefix="workshop-app-")).resolve()
    previous = os.environ.get("GRADIO_TEMP_DIR")
    # Gradio reads this when it makes each component and when it checks an upload: it must stay
    # set while the app runs. close() puts the old value back.
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    service = Service(folder, limits=limits, device=device)
    blocks = _build(gr, service, concurrency=concurrency)
    blocks.queue(max_size=queue_size, default_concurrency_limit=concurrency)
    _CURRENT = WorkshopApp(blocks, service, folder, concurrency, previous)
    return _CURRENT


def launch(
    *,
    share: bool = False,
    concurrency: int = 1,
    limits: Limits | None = None,
    port: int | None = None,
    inline: bool | None = None,
) -> WorkshopApp:
    """Build and start the web app: inline in a notebook, with a public link when asked and online.

    Returns the running :class:`WorkshopApp`; call its ``close()`` when you are done, which also
    deletes every file it kept.

    Parameters
    ----------
    share : bool
        Also make a temporary public link anyone can open (needs the internet).
    concurrency, limits
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
    made = create_app(concurrency=concurrency, limits=limits)
    made.launch(share=share, port=port, inline=inline)
    return made


# --- the pages ------------------------------------------------------------------------------------


def _build(gr, service: Service, *, concurrency: int):
    limits = service.limits
    model = {"concurrency_limit": concurrency, "concurrency_id": _MODEL_QUEUE}
    blocks = gr.Blocks(
        title="Workshop app: colour, speak, separate",
        analytics_enabled=False,
        delete_cache=(60, int(limits.results_minutes * 60)),
    )
    with blocks:
        gr.Markdown(
            "# From paper to product: colour, speak, separate\n"
            f"Requests wait in a queue: **{concurrency} at a time** use the model. "
            "Uploads are deleted as soon as they are read. "
            "See *About this app* for the limits, licences and costs."
        )
        with gr.Tab("Colorize"):
            _colorize_tab(gr, service, model)
        with gr.Tab("Speak"):
            _speak_tab(gr, service, model)
        with gr.Tab("Separate"):
            _separate_tab(gr, service, model)
        with gr.Tab("About this app"):
            _about_tab(gr, service, concurrency)
    return blocks


def _coloured(answer) -> tuple:
    """Service.colour's answer for Gradio: the picture to show, the files to download, the note."""
    files, note = answer
    return str(files[0]), [str(path) for path in files], note


def _emptied():
    """Empty an upload box once its file has been used (and deleted from the server)."""
    return None


def _path(path) -> str | None:
    return None if path is None else str(path)


def _colorize_tab(gr, service: Service, model: dict) -> None:
    limits = service.limits
    session = gr.State(None, time_to_live=limits.session_minutes * 60)
    with gr.Row():
        with gr.Column():
            photo = gr.Image(
                label="1. Upload a black-and-white photo, then click on it to place a colour hint",
                type="filepath",
                sources=["upload"],
                format="png",
                height=420,
            )
            with gr.Row():
                colour = gr.ColorPicker("#c8553d", label="2. Colour of the next hint")
                size = gr.Slider(1, 9, value=5, step=1, label="Hint size")
            with gr.Row():
                automatic = gr.Button("Automatic colours (no hints)")
                undo = gr.Button("Undo")
                sample = gr.Button("Use a sample photo")
        with gr.Column():
            result = gr.Image(label="Result", type="filepath", interactive=False)
            download = gr.File(
                label="Download: the picture (labelled 'Colours added by AI') and your hints",
                file_count="multiple",
                interactive=False,
            )
            info = gr.Markdown()
    with gr.Accordion("For programs: the whole request at once (the app's API)", open=False):
        gr.Markdown(
            "Send the photo, the hints as JSON text and a tick for automatic colours in one "
            'request, for example hints `[{"x": 120, "y": 80, "color": "red", "size": 5}]`.'
        )
        with gr.Row():
            api_photo = gr.Image(label="Photo", type="filepath", sources=["upload"])
            with gr.Column():
                api_hints = gr.Textbox("[]", label="Hints (JSON)")
                api_automatic = gr.Checkbox(False, label="Automatic colours (ignore the hints)")
                api_button = gr.Button("Colour it", variant="primary")
    gr.Markdown(
        "Model: Zhang et al., SIGGRAPH 2017 (ideepcolor), weights BSD-2-Clause. "
        f"Photos up to {limits.photo_megabytes:g} MB. Your photo stays in this app's memory "
        f"until {limits.session_minutes:g} minutes after your last click; results are deleted "
        f"after {limits.results_minutes:g} minutes."
    )
    shown = [session, photo, result, download, info]

    @_friendly
    def opened(upload):
        colorizer = service.open_photo(upload)
        return (
            colorizer,
            _path(service.hint_picture(colorizer)),
            *_coloured(service.colour(colorizer)),
        )

    def sample_photo():
        from ..assets import bundled

        return opened(str(bundled("images/cameraman.jpg")))

    @_friendly
    def clicked(colorizer, color, hint_size, event: gr.SelectData):
        x, y = event.index[:2]
        service.add_hint(colorizer, x, y, color, hint_size)
        return (
            colorizer,
            _path(service.hint_picture(colorizer)),
            *_coloured(service.colour(colorizer)),
        )

    @_friendly
    def changed(colorizer, action: str):
        if colorizer is None:
            raise WorkshopError("Upload a photo first.")
        if action == "undo":
            colorizer.undo()
        else:  # automatic colours: the hints go (Undo brings them back)
            colorizer.clear()
        answer = _coloured(service.colour(colorizer))
        return colorizer, _path(service.hint_picture(colorizer)), *answer

    private = {"api_visibility": "private", **model}
    photo.upload(opened, [photo], shown, preprocess=False, **private)
    photo.select(clicked, [session, colour, size], shown, **private)
    photo.clear(
        lambda: (None, None, None, ""),
        None,
        [session, result, download, info],
        api_visibility="private",
        concurrency_limit=None,
    )
    sample.click(_friendly(sample_photo), None, shown, **private)
    for button, action in ((automatic, "automatic"), (undo, "undo")):
        button.click(functools.partial(changed, action=action), [session], shown, **private)

    @_friendly
    def colorize(photo, hints, automatic):
        """Colour a photo in one request: the photo, hints as JSON text, automatic or not."""
        return _coloured(service.colorize_request(photo, hints, automatic))

    api_button.click(
        colorize,
        [api_photo, api_hints, api_automatic],
        [result, download, info],
        preprocess=False,
        api_name="colorize",
        **model,
    ).then(_emptied, None, api_photo, api_visibility="private", concurrency_limit=None)


def _speak_tab(gr, service: Service, model: dict) -> None:
    limits = service.limits
    engines = offered_engines()
    choices = [(f"{e.name}: {e.technique} ({e.year})", e.name) for e in engines]
    first = engines[0].name if engines else None
    if not engines:
        gr.Markdown(
            "**No speech engine that this app may offer is installed on this computer.** "
            "Install espeak-ng (on Debian or Ubuntu: `sudo apt-get install espeak-ng`; on Colab "
            "the notebook's setup cell does it) and start the app again."
        )
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(
                "Welcome to the library. This voice was made by a computer.",
                label=f"Text (up to {limits.text_characters} characters)",
                lines=3,
            )
            # Custom values pass through to our own checks, whose messages name the licence or
            # the engine's voices (Gradio's own check would only say "not in the list").
            engine = gr.Dropdown(choices, value=first, label="Engine", allow_custom_value=True)
            voice = gr.Dropdown(
                service.voices(first) if first else [],
                value=None,
                label="Voice (empty: the engine's default)",
                allow_custom_value=True,
            )
            speed = gr.Slider(0.5, 2.0, value=1.0, step=0.1, label="Speed")
            button = gr.Button("Speak", variant="primary")
        with gr.Column():
            sound = gr.Audio(label="Speech", type="filepath", interactive=False)
            info = gr.Markdown()
    left_out = [
        f"**{name}** ({verdict.reason})"
        for name, verdict in SPEECH_POLICY.items()
        if not verdict.offered
    ]
    gr.Markdown(
        f"Only engines whose licence allows this use ({USE}) are offered. Not offered: "
        + "; ".join(left_out)
    )

    @_friendly
    def speak(text, engine, voice, speed):
        """Speak text with an engine and voice (empty voice: the engine's default)."""
        path, note = service.speak(text, engine, voice, speed)
        return str(path), note

    @_friendly
    def voices(engine):
        names = service.voices(engine)
        return gr.update(choices=names, value=None)

    engine.change(voices, [engine], [voice], api_visibility="private", concurrency_limit=None)
    button.click(speak, [text, engine, voice, speed], [sound, info], api_name="speak", **model)


def _separate_tab(gr, service: Service, model: dict) -> None:
    limits = service.limits
    with gr.Row():
        with gr.Column():
            song = gr.Audio(
                label=f"A song (up to {limits.song_megabytes:g} MB and "
                f"{limits.song_seconds / 60:g} minutes)",
                type="filepath",
                sources=["upload"],
            )
            stems = gr.Radio(
                [
                    ("2 stems: vocals, accompaniment", 2),
                    ("4 stems: vocals, drums, bass, other", 4),
                    ("5 stems: vocals, piano, drums, bass, other", 5),
                ],
                value=2,
                label="Stems",
            )
            with gr.Row():
                button = gr.Button("Separate", variant="primary")
                sample = gr.Button("Use the sample song")
            info = gr.Markdown()
        with gr.Column():
            players = [
                gr.Audio(label=name, type="filepath", interactive=False, visible=number < 2)
                for number, name in enumerate(("vocals", "accompaniment", "3", "4", "5"))
            ]
    gr.Markdown(
        "Model: Deezer's Spleeter (MIT licence). Your song is deleted as soon as it has been "
        f"read; the stems are deleted after {limits.results_minutes:g} minutes."
    )

    def labels(count):
        names = _STEMS.get(int(count), ())
        return [
            gr.update(label=names[i] if i < len(names) else "", visible=i < len(names), value=None)
            for i in range(len(players))
        ]

    def answer(files, note):
        paths = [str(path) for _, path in files]
        return (*paths, *[None] * (len(players) - len(paths)), note)

    @_friendly
    def separate(song, stems, progress=gr.Progress()):  # noqa: B008 (Gradio's way)
        """Split a song into 2, 4 or 5 stems; one sound file per stem, then a note."""
        files, note = service.separate(
            song, stems, progress=lambda done, total: progress((done, total), unit="segments")
        )
        return answer(files, note)

    @_friendly
    def separate_sample(stems, progress=gr.Progress()):  # noqa: B008
        files, note = service.separate(
            None, stems, progress=lambda done, total: progress((done, total), unit="segments")
        )
        return answer(files, note)

    stems.change(labels, [stems], players, api_visibility="private", concurrency_limit=None)
    button.click(
        separate,
        [song, stems],
        [*players, info],
        preprocess=False,
        api_name="separate",
        **model,
    ).then(_emptied, None, song, api_visibility="private", concurrency_limit=None)
    sample.click(separate_sample, [stems], [*players, info], api_visibility="private", **model)


def _about_tab(gr, service: Service, concurrency: int) -> None:
    limits = service.limits
    device = service.device.type
    kind = "gpu" if device in ("cuda", "mps") else "cpu"
    figures = "\n".join(
        f"| {b.task} | {b.model} | {b.seconds_per_unit:.3g} s per {b.unit} | {b.measured_on} |"
        for b in BENCHMARKS.values()
    )
    gr.Markdown("## Right now")
    meter = gr.Markdown(service.meter.summary())
    refresh = gr.Button("Refresh the counts")
    refresh.click(
        lambda: service.meter.summary(),
        None,
        meter,
        api_visibility="private",
        concurrency_limit=None,
    )
    gr.Markdown(
        "## The queue\n"
        f"Every request that runs a model joins one queue; **{concurrency}** run at the same "
        "time and the others wait their turn, first come, first served. The page shows your "
        "place in the queue.\n\n"
        "## Limits\n"
        f"{limits.describe()}\n\n"
        "## Privacy\n"
        "- Uploaded files are deleted from the server as soon as they have been read.\n"
        f"- Your photo and hints stay in the app's memory until {limits.session_minutes:g} "
        "minutes after your last click (or until the app stops).\n"
        f"- Results are deleted {limits.results_minutes:g} minutes after they are made, and "
        "everything when the app stops.\n"
        "- The page loads no fonts or scripts from other websites, and sends no usage "
        "statistics.\n\n"
        "## Costs\n"
        f"This app runs on the **{device.upper()}**. Each answer says how many seconds it "
        f"took and what that costs at **{PRICES[kind]}**. Prices are assumptions, not quotes: "
        f"{PRICES['cpu']}; {PRICES['gpu']}.\n\n"
        "Our benchmark figures:\n\n"
        "| task | model | computer time | measured on |\n|---|---|---|---|\n"
        f"{figures}\n\n"
        "## Licences\n"
        f"{licence_markdown()}"
    )
