"""The app's pages: one tab each for colorize, speak and separate, and one about the app.

Every request that runs a model goes through the app's :class:`~.fairqueue.FairQueue` (visitors
take turns, a few requests each at most); the other events (labels, voice lists) answer at once.
A :class:`WorkshopError` becomes Gradio's error box with the same plain sentence, HTML-escaped,
so a file name with markup in it is shown as text.
"""

import functools
import html
import inspect
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import WorkshopError
from .costs import BENCHMARKS, PRICES
from .fairqueue import FairQueue
from .licences import SPEECH_POLICY, USE, licence_markdown, offered_engines
from .service import Service

if TYPE_CHECKING:
    import gradio

__all__ = ["build"]

_STEMS = {
    2: ("vocals", "accompaniment"),
    4: ("vocals", "drums", "bass", "other"),
    5: ("vocals", "piano", "drums", "bass", "other"),
}


def _error(gr, err: WorkshopError):
    """Gradio's error box with the message's own words, shown as text (escaped)."""
    return gr.Error(
        html.escape(str(err), quote=False), title="The app cannot do that", print_exception=False
    )


def _friendly(function):
    """Show a WorkshopError to the visitor as Gradio's error box, in the same plain words."""
    import gradio as gr

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except WorkshopError as err:
            raise _error(gr, err) from err

    return wrapper


def _queued(queue: FairQueue, function):
    """Run ``function`` in the fair queue, in the visitor's turn (one visitor: one page).

    The page's function gets its inputs as before; Gradio also hands the wrapper the request,
    whose session tells the visitors apart.
    """
    import gradio as gr

    signature = inspect.signature(function)
    visitor = inspect.Parameter(
        "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request
    )

    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        request = next((a for a in args if isinstance(a, gr.Request)), kwargs.pop("request", None))
        args = tuple(a for a in args if not isinstance(a, gr.Request))
        who = getattr(request, "session_hash", None) or "anonymous"
        try:
            return await queue.run(who, functools.partial(function, *args, **kwargs))
        except WorkshopError as err:
            raise _error(gr, err) from err

    parameters = [*signature.parameters.values(), visitor]
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**function.__annotations__, "request": gr.Request}
    return wrapper


def build(gr: ModuleType, service: Service, queue: FairQueue) -> "gradio.Blocks":
    """Build the pages over ``service``; model requests wait in ``queue``.

    Returns
    -------
    gradio.Blocks
    """
    blocks = gr.Blocks(
        title="Workshop app: colour, speak, separate",
        analytics_enabled=False,  # old files are swept by the app (WorkshopApp.private)
    )
    with blocks:
        gr.Markdown(
            "# From paper to product: colour, speak, separate\n"
            f"Requests wait in a queue: **{queue.workers} at a time** use the model, and "
            "visitors take turns. Uploads are deleted as soon as they are read. "
            "See *About this app* for the limits, licences and costs."
        )
        with gr.Tab("Colorize"):
            _colorize_tab(gr, service, queue)
        with gr.Tab("Speak"):
            _speak_tab(gr, service, queue)
        with gr.Tab("Separate"):
            _separate_tab(gr, service, queue)
        with gr.Tab("About this app"):
            _about_tab(gr, service, queue)
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


def _colorize_tab(gr, service: Service, queue: FairQueue) -> None:
    parts = _colorize_layout(gr, service.limits)
    _colorize_events(gr, service, queue, parts)


def _colorize_layout(gr, limits) -> dict:
    """The colorize tab's boxes and buttons, by name."""
    parts = {"session": gr.State(None, time_to_live=limits.session_minutes * 60)}
    with gr.Row():
        with gr.Column():
            parts["photo"] = gr.Image(
                label="1. Upload a black-and-white photo, then click on it to place a colour hint",
                type="filepath",
                sources=["upload"],
                format="png",
                height=420,
            )
            with gr.Row():
                parts["colour"] = gr.ColorPicker("#c8553d", label="2. Colour of the next hint")
                parts["size"] = gr.Slider(1, 9, value=5, step=1, label="Hint size")
            with gr.Row():
                parts["automatic"] = gr.Button("Automatic colours (no hints)")
                parts["undo"] = gr.Button("Undo")
                parts["sample"] = gr.Button("Use a sample photo")
        with gr.Column():
            parts["result"] = gr.Image(label="Result", type="filepath", interactive=False)
            parts["download"] = gr.File(
                label="Download: the picture (labelled 'Colours added by AI') and your hints",
                file_count="multiple",
                interactive=False,
            )
            parts["info"] = gr.Markdown()
    with gr.Accordion("For programs: the whole request at once (the app's API)", open=False):
        gr.Markdown(
            "Send the photo, the hints as JSON text and a tick for automatic colours in one "
            'request, for example hints `[{"x": 120, "y": 80, "color": "red", "size": 5}]`.'
        )
        with gr.Row():
            parts["api_photo"] = gr.Image(label="Photo", type="filepath", sources=["upload"])
            with gr.Column():
                parts["api_hints"] = gr.Textbox("[]", label="Hints (JSON)")
                parts["api_automatic"] = gr.Checkbox(
                    False, label="Automatic colours (ignore the hints)"
                )
                parts["api_button"] = gr.Button("Colour it", variant="primary")
    gr.Markdown(
        "Model: Zhang et al., SIGGRAPH 2017 (ideepcolor), weights BSD-2-Clause. "
        f"Photos up to {limits.photo_megabytes:g} MB. Your photo stays in this app's memory "
        f"until {limits.session_minutes:g} minutes after your last click; results are deleted "
        f"after {limits.results_minutes:g} minutes."
    )
    return parts


def _colorize_events(gr, service: Service, queue: FairQueue, parts: dict) -> None:
    """What the colorize tab's boxes and buttons do."""
    p = parts
    shown = [p["session"], p["photo"], p["result"], p["download"], p["info"]]

    def answer(colorizer) -> tuple:
        coloured = _coloured(service.colour(colorizer))
        return colorizer, _path(service.hint_picture(colorizer)), *coloured

    def opened(upload):
        return answer(service.open_photo(upload))

    def sample_photo():
        from ..assets import bundled

        return opened(str(bundled("images/cameraman.jpg")))

    def clicked(colorizer, color, hint_size, event: gr.SelectData):
        x, y = event.index[:2]
        service.add_hint(colorizer, x, y, color, hint_size)
        return answer(colorizer)

    def undone(colorizer):
        _need_photo(colorizer).undo()
        return answer(colorizer)

    def automatic(colorizer):  # the hints go (Undo brings them back)
        _need_photo(colorizer).clear()
        return answer(colorizer)

    def colorize(photo, hints, automatic):
        """Colour a photo in one request: the photo, hints as JSON text, automatic or not."""
        return _coloured(service.colorize_request(photo, hints, automatic))

    private = {"api_visibility": "private", "concurrency_limit": None}
    p["photo"].upload(_queued(queue, opened), [p["photo"]], shown, preprocess=False, **private)
    p["photo"].select(
        _queued(queue, clicked), [p["session"], p["colour"], p["size"]], shown, **private
    )
    p["photo"].clear(
        lambda: (None, None, None, ""),
        None,
        [p["session"], p["result"], p["download"], p["info"]],
        **private,
    )
    p["sample"].click(_queued(queue, sample_photo), None, shown, **private)
    p["undo"].click(_queued(queue, undone), [p["session"]], shown, **private)
    p["automatic"].click(_queued(queue, automatic), [p["session"]], shown, **private)
    p["api_button"].click(
        _queued(queue, colorize),
        [p["api_photo"], p["api_hints"], p["api_automatic"]],
        [p["result"], p["download"], p["info"]],
        preprocess=False,
        api_name="colorize",
        concurrency_limit=None,
    ).then(_emptied, None, p["api_photo"], **private)


def _need_photo(colorizer):
    if colorizer is None:
        raise WorkshopError("Upload a photo first.")
    return colorizer


def _speak_tab(gr, service: Service, queue: FairQueue) -> None:
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

    def speak(text, engine, voice, speed):
        """Speak text with an engine and voice (empty voice: the engine's default)."""
        path, note = service.speak(text, engine, voice, speed)
        return str(path), note

    @_friendly
    def voices(engine):
        names = service.voices(engine)
        return gr.update(choices=names, value=None)

    engine.change(voices, [engine], [voice], api_visibility="private", concurrency_limit=None)
    button.click(
        _queued(queue, speak),
        [text, engine, voice, speed],
        [sound, info],
        api_name="speak",
        concurrency_limit=None,
    )


def _separate_tab(gr, service: Service, queue: FairQueue) -> None:
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

    def separate(song, stems, progress=gr.Progress()):  # noqa: B008 (Gradio's way)
        """Split a song into 2, 4 or 5 stems; one sound file per stem, then a note."""
        files, note = service.separate(
            song, stems, progress=lambda done, total: progress((done, total), unit="segments")
        )
        return answer(files, note)

    def separate_sample(stems, progress=gr.Progress()):  # noqa: B008
        files, note = service.separate(
            None, stems, progress=lambda done, total: progress((done, total), unit="segments")
        )
        return answer(files, note)

    stems.change(labels, [stems], players, api_visibility="private", concurrency_limit=None)
    button.click(
        _queued(queue, separate),
        [song, stems],
        [*players, info],
        preprocess=False,
        api_name="separate",
        concurrency_limit=None,
    ).then(_emptied, None, song, api_visibility="private", concurrency_limit=None)
    sample.click(
        _queued(queue, separate_sample),
        [stems],
        [*players, info],
        api_visibility="private",
        concurrency_limit=None,
    )


def _about_tab(gr, service: Service, queue: FairQueue) -> None:
    limits = service.limits
    concurrency = queue.workers
    device = service.device.type
    kind = "gpu" if device in ("cuda", "mps") else "cpu"
    figures = "\n".join(
        f"| {b.task} | {b.model} | {b.seconds_per_unit:.3g} s per {b.unit} | {b.measured_on} |"
        for b in BENCHMARKS.values()
    )
    gr.Markdown("## Right now")
    meter = gr.Markdown(_now(service, queue))
    refresh = gr.Button("Refresh the counts")
    refresh.click(
        lambda: _now(service, queue),
        None,
        meter,
        api_visibility="private",
        concurrency_limit=None,
    )
    gr.Markdown(
        "## The queue\n"
        f"Every request that runs a model joins one queue; **{concurrency}** run at the same "
        "time and the others wait their turn. Visitors take turns: when the model is free, "
        "the next request comes from the next visitor in the round, so one visitor who sends "
        f"many requests cannot make the others wait behind all of them. Each visitor (each "
        f"open page) may have up to **{limits.requests_per_visitor}** requests in the queue at "
        f"once, and **{queue.size}** may wait in all; beyond that the app says so at once.\n\n"
        "## Limits\n"
        f"{limits.describe()}\n\n"
        "## Privacy\n"
        "- Uploaded files are deleted from the server as soon as they have been read (a file "
        "that several visitors sent at once, once all of them have).\n"
        "- Nobody sees another visitor's photo, hints, files or texts.\n"
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


def _now(service: Service, queue: FairQueue) -> str:
    """The meter's counts and the queue's, as Markdown lines."""
    return (
        f"{service.meter.summary()}\n- Waiting in the queue now: **{queue.waiting}**; refused "
        f"by the queue's limits so far: **{queue.refused}**."
    )
