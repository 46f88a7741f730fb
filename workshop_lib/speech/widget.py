"""Widgets for the speech notebook: speak, listen through history, record, and give consent.

Each widget is a view over the library's objects (engines, a :class:`RecordingStore`); all logic
runs in Python and every widget can be driven from Python (set a value, call the method its
button calls), which is how the tests use them. A learner's mistake is shown inside the widget.

- :class:`SpeakWidget`: text box, engine and voice, speed, Speak, player and spectrogram.
- :class:`HistoryPlayer`: one "Listen" button per era that has an engine here.
- :class:`RecorderWidget`: the browser's microphone or a file (anywidget + ``widget.js``).
- :class:`ConsentBox`: the consent step before cloning a recorded voice.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import anywidget
import ipywidgets
import traitlets

from ..errors import WorkshopError, guard, message_html
from ..media.esm import widget_module
from .engine import FASTEST, SLOWEST
from .recorder import Recording, RecordingStore

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ConsentBox", "HistoryPlayer", "RecorderWidget", "SpeakWidget", "record_voice"]


def _error_html(message: str, details: str | None = None) -> str:
    """A message for an HTML message area: the sentence, escaped, with any details folded."""
    return message_html(f"⚠ {message}", details)


def _shows_in(area: ipywidgets.HTML):
    """The ``show`` function :func:`~workshop_lib.errors.guard` calls, for one message area."""

    def show(sentence: str, details: str | None) -> None:
        area.value = _error_html(sentence, details)

    return show


def _show_sound(output: ipywidgets.Output, samples, sample_rate: int, title: str) -> None:
    """Put a player and the waveform + spectrogram into an Output widget."""
    import matplotlib.pyplot as plt
    import numpy as np
    from IPython.display import Image, display

    from ..media.audio import play, plot_audio
    from ..media.still import png_bytes

    with np.errstate(divide="ignore"):  # silent stretches have zero energy
        figure = plot_audio(samples, sample_rate, title=title)  # no axes: a new Figure
    try:
        picture = png_bytes(cast("Figure", figure))  # drawn here: a problem reaches the guard
    finally:
        plt.close(cast("Figure", figure))
    output.clear_output(wait=True)
    with output:
        display(play(samples, sample_rate))
        display(Image(picture))


class SpeakWidget(ipywidgets.VBox):
    """Type a sentence, choose an engine, voice and speed, press Speak; hear it and see it.

    Parameters
    ----------
    text : str
        The sentence in the text box at the start.
    engine : str, optional
        The engine chosen at the start; by default Piper, the real neural voice that also works
        offline (espeak-ng where Piper is not installed).
    engines : sequence of str, optional
        The engines offered; all the workshop's engines by default (missing ones are marked,
        and so are random-weight stand-ins).

    Attributes
    ----------
    result : tuple or None
        ``(samples, sample_rate)`` of the last sound made.

    Examples
    --------
    >>> widget = SpeakWidget("Hello, library!", engine="espeak-ng")
    >>> widget.text.value
    'Hello, library!'
    """

    def __init__(
        self,
        text: str = "Hello! Welcome to the library.",
        *,
        engine: str | None = None,
        engines: Sequence[str] | None = None,
    ) -> None:
        from .registry import CLASSIC, NEURAL, default_engine

        names = list(engines or CLASSIC + NEURAL)
        options = [(_engine_label(name), name) for name in names]
        if engine is None:
            engine = default_engine() if default_engine() in names else names[0]
        self.text = ipywidgets.Textarea(
            value=text,
            placeholder="Type what the machine should say",
            layout={"width": "100%", "height": "70px"},
        )
        self.engine = ipywidgets.Dropdown(options=options, value=engine, description="Engine")
        self.voice = ipywidgets.Dropdown(options=[], description="Voice")
        self.speed = ipywidgets.FloatSlider(
            value=1.0, min=SLOWEST, max=FASTEST, step=0.1, description="Speed", readout_format=".1f"
        )
        self.button = ipywidgets.Button(
            description="Speak", button_style="primary", icon="volume-up"
        )
        self.message = ipywidgets.HTML()
        self.output = ipywidgets.Output()
        self.result: tuple[Any, int] | None = None
        super().__init__(
            children=[
                self.text,
                ipywidgets.HBox([self.engine, self.voice]),
                ipywidgets.HBox([self.speed, self.button]),
                self.message,
                self.output,
            ]
        )
        self.engine.observe(self._on_engine, names="value")
        self.button.on_click(lambda _button: self.speak())
        self._on_engine(None)

    def _current(self):
        from .registry import get_engine

        return get_engine(self.engine.value)

    def _on_engine(self, _change) -> None:
        with guard(_shows_in(self.message), doing="listing the engine's voices"):
            engine = self._current()
            problem = engine.problem()
            voices = []
            if problem is None:
                known = getattr(engine, "known_voices", engine.voices)
                voices = [
                    (f"{v.name}: {v.description}" if v.description else v.name, v.name)
                    for v in known()
                ]
            self.voice.options = voices or [("default", "")]
            self.voice.value = voices[0][1] if voices else ""
            self.speed.disabled = not engine.supports_speed
            if not engine.supports_speed:
                self.speed.value = 1.0
            about = " ".join(filter(None, (engine.summary, engine.stand_in_note())))
            self.message.value = _error_html(problem) if problem else html.escape(about)

    def speak(self) -> bool:
        """Speak the text box with the chosen engine, voice and speed (what the button does).

        Returns
        -------
        bool
            True when sound was made; False when a message explains what went wrong (the text,
            engine and voice chosen stay as they are).
        """
        spoke = False
        self.message.value = f"<i>{html.escape(str(self.engine.value))} is speaking…</i>"
        with guard(_shows_in(self.message), doing="speaking the text"):
            engine = self._current()
            samples, rate = engine.speak(
                self.text.value, voice=self.voice.value or None, speed=self.speed.value
            )
            self.result = (samples, rate)
            if not self.voice.value and getattr(engine, "loaded", False):
                self._on_engine(None)  # a neural model just loaded: its speakers can be listed
            _show_sound(self.output, samples, rate, f"{engine.name} ({engine.technique})")
            seconds = samples.size / rate
            note = engine.stand_in_note()
            self.message.value = html.escape(
                f"{engine.name}: {seconds:.1f} s of sound at {rate} Hz. {note}".strip()
            )
            spoke = True
        return spoke


def _engine_label(name: str) -> str:
    """How an engine is listed in the menu: its technique, and whether it is here and real."""
    from .registry import get_engine

    engine = get_engine(name)
    if not engine.is_available():
        return f"{name} (not available here)"
    if engine.stand_in_note():
        return f"{name}: {engine.technique} (offline stand-in, random weights)"
    return f"{name}: {engine.technique}"


class HistoryPlayer(ipywidgets.VBox):
    """The history of speech synthesis with a "Listen" button for each era that has an engine here.

    Pressing a button speaks ``text`` with that era's engine, below the button.

    Parameters
    ----------
    text : str
        The sentence every era says.
    """

    def __init__(self, text: str) -> None:
        from .history import TIMELINE
        from .registry import get_engine

        self.sentence = text
        self.rows: dict[str, ipywidgets.Output] = {}
        self.messages: dict[str, ipywidgets.HTML] = {}
        children = []
        for milestone in sorted(TIMELINE, key=lambda m: m.year):
            label = ipywidgets.HTML(
                f"<b>{milestone.year}</b> {html.escape(milestone.system)} "
                f"<small>({html.escape(milestone.technique)})</small>",
                layout={"width": "60%"},
            )
            if milestone.engine is None or milestone.engine in self.rows:
                children.append(label)
                continue
            engine = get_engine(milestone.engine)
            button = ipywidgets.Button(description=f"Listen: {engine.name}", icon="play")
            button.disabled = not engine.is_available()
            message = ipywidgets.HTML(
                "" if engine.is_available() else _error_html(engine.problem() or "")
            )
            output = ipywidgets.Output()
            button.on_click(lambda _b, name=engine.name: self.listen(name))
            self.rows[engine.name] = output
            self.messages[engine.name] = message
            children.append(ipywidgets.VBox([ipywidgets.HBox([label, button]), message, output]))
        super().__init__(children=children)

    def listen(self, engine: str) -> bool:
        """Speak the sentence with one era's engine (what its button does); False with a message on failure."""
        from ..media.audio import play
        from .registry import get_engine

        message, output = self.messages[engine], self.rows[engine]
        heard = False
        with guard(_shows_in(message), doing=f"speaking with {engine}"):
            samples, rate = get_engine(engine).speak(self.sentence)
            message.value = ""
            output.clear_output(wait=True)
            with output:
                from IPython.display import display

                display(play(samples, rate))
            heard = True
        return heard


def _bytes_from_json(value, _widget) -> bytes:
    """Binary from the browser arrives as a memoryview; ipywidgets 7 passes it on unchanged."""
    return bytes(value) if value is not None else b""


class RecorderWidget(anywidget.AnyWidget):
    """Record your voice in the browser (or pick a sound file) and keep it in a recording store.

    The browser sends the recording to Python, which cleans it (mono, silence trimmed,
    normalised), keeps it in ``store`` and shows a waveform and a player with the cleaned sound.
    Works in JupyterLab and Jupyter Notebook; on Colab use
    :func:`~workshop_lib.speech.recorder.record_in_colab` for the microphone.

    Parameters
    ----------
    store : RecordingStore
        Where recordings are kept.
    max_seconds : int
        Recording stops by itself after this many seconds.

    Examples
    --------
    >>> widget = RecorderWidget(RecordingStore("recordings"))
    >>> widget.message
    'Press Record and read a sentence or two (about 10 seconds), or pick a sound file.'
    """

    _esm = widget_module(Path(__file__).parent / "widget.js")
    audio = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes_from_json)
    audio_kind = traitlets.Unicode("microphone").tag(sync=True)
    file_name = traitlets.Unicode("").tag(sync=True)
    takes = traitlets.Int(0).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    waveform = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes_from_json)
    playback = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes_from_json)
    max_seconds = traitlets.Int(30).tag(sync=True)
    max_upload_bytes = traitlets.Int(50_000_000).tag(sync=True)

    def __init__(self, store: RecordingStore, *, max_seconds: int = 30, **kwargs: Any) -> None:
        super().__init__(max_seconds=max_seconds, **kwargs)
        self.store = store
        self.recording: Recording | None = None
        self.message = (
            "Press Record and read a sentence or two (about 10 seconds), or pick a sound file."
        )
        self.observe(self._on_take, names="takes")

    def _show_error(self, sentence: str, details: str | None) -> None:
        """Show a problem in the widget's message line (details go to the log); keep the recordings."""
        self.message = f"⚠ {sentence}"
        self.waveform = b""
        self.playback = b""

    def _on_take(self, _change) -> None:
        data, kind = bytes(self.audio), self.audio_kind
        self.audio = b""  # free the memory; a kept recording is on disk
        with guard(self._show_error, doing="keeping the recording"):
            name = Path(self.file_name).stem if kind == "upload" else None
            if not data:
                raise WorkshopError("Nothing arrived from the browser. Please record again.")
            recording = self.store.add(
                data, source=kind if kind in ("microphone", "upload") else "file", name=name
            )
            self.recording = recording
            self.waveform = _waveform_png(recording)
            self.playback = recording.path.read_bytes()
            self.message = (
                f"Kept '{recording.name}': {recording.seconds:.1f} s after trimming silence, "
                f"normalised, in {recording.path.parent.as_posix()}/. It stays until you delete "
                "it."
            )


def record_voice(store: RecordingStore, *, seconds: float = 0) -> RecorderWidget:
    """The right recorder for where the notebook runs: returns the recorder widget to show.

    On Colab, ``seconds`` above 0 first records that long from the microphone through Colab's
    JavaScript bridge (the browser asks for permission). Everywhere, the returned widget records
    in the browser (JupyterLab, Jupyter Notebook) and takes uploaded sound files.

    Parameters
    ----------
    store : RecordingStore
        Where recordings are kept.
    seconds : float
        Colab only: record this many seconds now (3 to 60); 0 records nothing.
    """
    from .. import runtime
    from .recorder import record_in_colab

    widget = RecorderWidget(store)
    if seconds and runtime.where() == "colab":
        with guard(widget._show_error, doing="recording from the microphone"):
            recording = record_in_colab(store, seconds)
            widget.recording = recording
            widget.waveform = _waveform_png(recording)
            widget.playback = recording.path.read_bytes()
            widget.message = (
                f"Kept '{recording.name}': {recording.seconds:.1f} s, trimmed and normalised."
            )
    elif runtime.where() == "colab":
        widget.message = (
            "On Colab: set RECORD_SECONDS to 8 and run this cell again to record from the "
            "microphone, or pick a sound file here."
        )
    return widget


def _waveform_png(recording) -> bytes:
    import matplotlib.pyplot as plt

    from ..media.audio import draw_waveform
    from ..media.still import png_bytes

    samples, rate = recording.load()
    figure, axes = plt.subplots(figsize=(6, 1.4))
    draw_waveform(axes, samples, rate)
    axes.set_ylim(-1, 1)
    axes.set_xlabel("seconds")
    axes.set_yticks([])
    figure.tight_layout()
    try:
        return png_bytes(figure)
    finally:
        plt.close(figure)


class ConsentBox(ipywidgets.VBox):
    """The consent step before cloning: whose voice, permission, and a promise not to deceive.

    Parameters
    ----------
    store : RecordingStore
        The recordings; consent is given for one of them (the newest is chosen at the start).
    """

    OWN = "It is my own voice."
    OTHER = "It is someone else's voice, and they gave me permission to copy it."

    def __init__(self, store: RecordingStore) -> None:
        self.store = store
        self.recording = ipywidgets.Dropdown(description="Recording")
        self.speaker = ipywidgets.Text(
            description="Whose voice", placeholder="your name, or the speaker's"
        )
        self.whose = ipywidgets.RadioButtons(
            options=[self.OWN, self.OTHER], value=self.OWN, layout={"width": "100%"}
        )
        self.promise = ipywidgets.Checkbox(
            value=False,
            description="I will not use the copied voice to deceive anyone or to pretend to be the speaker.",
            layout={"width": "100%"},
            indent=False,
        )
        self.button = ipywidgets.Button(description="Give consent", icon="check")
        self.message = ipywidgets.HTML()
        super().__init__(
            children=[
                ipywidgets.HTML(
                    "<b>Consent before cloning.</b> Copy only your own voice, or the voice of someone "
                    "who said yes. A copied voice can be used to deceive (a fake phone call, a "
                    "fake message): you promise not to."
                ),
                self.recording,
                self.speaker,
                self.whose,
                self.promise,
                self.button,
                self.message,
            ]
        )
        self.button.on_click(lambda _b: self.give())
        self.refresh()

    def refresh(self) -> None:
        """List the store's recordings again (newest chosen)."""
        names = [r.name for r in self.store.recordings()]
        self.recording.options = names
        if names:
            self.recording.value = names[-1]
        else:
            self.message.value = html.escape(
                "No recording yet: record or upload one above. (The sample voice needs no consent: it is synthetic.)"
            )

    def give(self) -> bool:
        """Record the consent (what the button does); False with a message when something is missing."""
        given = False
        with guard(_shows_in(self.message), doing="recording the consent"):
            self.refresh()
            if not self.recording.value:
                return False
            recording = self.store.give_consent(
                self.recording.value,
                speaker=self.speaker.value,
                own_voice=self.whose.value == self.OWN,
                no_deception=self.promise.value,
            )
            consent = recording.consent
            self.message.value = html.escape(
                f"Thank you. Consent recorded for '{recording.name}' "
                f"({getattr(consent, 'speaker', '')}, {getattr(consent, 'given_at', '')})."
            )
            given = True
        return given
