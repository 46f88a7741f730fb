"""The separation widget: pick a song and a model, separate, listen to each stem, mix them again.

:class:`SeparateWidget` is an anywidget (this Python class plus ``widget.js`` beside it) that
works in Colab (ipywidgets 7) and JupyterLab (ipywidgets 8). The JavaScript only shows what the
Python side holds (players, sliders, the progress bar, messages) and reports what the learner
did (a file chosen, a button pressed, a slider moved). Separating, mixing and every check happen
here, on a :class:`~.separator.Separator`, so the widget can be driven from Python too: set
``stems`` and call :meth:`SeparateWidget.run`, set ``volumes``, read ``error`` and ``status``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import traitlets

from ..errors import WorkshopError, guard
from ..media import audio as media_audio
from ..media.esm import widget_module
from ..media.still import StillPicture, png_bytes
from .evaluation import sdr
from .separator import Separation, Separator

if TYPE_CHECKING:
    import torch

_Base: type
try:
    import anywidget

    _Base = anywidget.AnyWidget
except ImportError:  # pragma: no cover - anywidget is a dependency; this keeps imports working
    import ipywidgets

    _Base = ipywidgets.DOMWidget

__all__ = ["SeparateWidget"]


def _bytes_from_json(value, _widget) -> bytes:
    """A file sent by the browser arrives as a memoryview; the trait holds bytes."""
    return b"" if value is None else bytes(value)


def _sound(samples: np.ndarray, rate: int) -> bytes:
    """A stem's sound for the browser's player (MP3, or WAV where MP3 cannot be written)."""
    return media_audio.encode_audio(samples, rate, format="mp3")


class SeparateWidget(StillPicture, _Base):
    """Separate a song into stems and play with them: a player per stem, karaoke, and a mixer.

    Choose a file with the button (or keep the song given), pick 2, 4 or 5 stems, press
    Separate. A progress bar runs while the model works (Cancel stops it). Then each stem has
    its own player and volume slider; the mixer's player plays the stems added up with those
    volumes, and the karaoke player everything but the vocals. A file that cannot be used shows
    its message inside the widget; so does anything unexpected, with its details folded in
    ``error_details``, and the song, the stems and the mix settings are kept. Offline, a model
    that runs on random stand-in weights says so in ``status``.

    Parameters
    ----------
    audio : str, path, bytes or numpy.ndarray, optional
        The song to start with (an array needs ``sample_rate``).
    sample_rate : int, optional
        Samples per second of an array.
    stems : {2, 4, 5}
        The model chosen at the start.
    name : str
        What to call the song in the widget.
    references : dict of str to numpy.ndarray, or a callable, optional
        The true stems when they are known (the sample song): the widget then shows each stem's
        SDR. A callable gets the stem names and returns that dict.
    device : str, torch.device or None
        Where the model runs; None picks the GPU when there is one.
    """

    _esm = widget_module(Path(__file__).parent / "widget.js")

    song_name = traitlets.Unicode("").tag(sync=True)
    stems = traitlets.Int(2).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    progress = traitlets.Float(0.0).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    error_details = traitlets.Unicode("").tag(sync=True)
    names: traitlets.List = traitlets.List([]).tag(sync=True)
    stem_audio = traitlets.Dict({}).tag(sync=True)
    karaoke_audio = traitlets.Bytes(b"").tag(sync=True)
    mix_audio = traitlets.Bytes(b"").tag(sync=True)
    volumes = traitlets.Dict({}).tag(sync=True)
    scores = traitlets.Dict({}).tag(sync=True)
    upload = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes_from_json)
    upload_name = traitlets.Unicode("").tag(sync=True)
    action = traitlets.Dict({}).tag(sync=True)

    def __init__(
        self,
        audio: str | Path | bytes | np.ndarray | None = None,
        *,
        sample_rate: int | None = None,
        stems: int = 2,
        name: str = "song",
        references: dict | Callable | None = None,
        device: str | torch.device | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._audio: str | Path | bytes | np.ndarray | None = None
        self._sample_rate: int | None = None
        self._references = references
        self._device = device
        self._separators: dict[int, Separator] = {}
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.result: Separation | None = None
        self.stems = int(stems)
        if audio is not None:
            self.load(audio, sample_rate=sample_rate, name=name, references=references)
        else:
            self.status = "Choose a song with the button, then press Separate."

    # --- what the learner can do ---------------------------------------------------------------

    def load(
        self,
        audio: str | Path | bytes | np.ndarray,
        *,
        sample_rate: int | None = None,
        name: str | None = None,
        references: dict | Callable | None = None,
    ) -> None:
        """Use another song (a path, bytes, or an array with its sample rate); results are cleared."""
        if isinstance(audio, str | Path) and name is None:
            name = Path(audio).name
        self._clear()
        self._audio, self._references = None, references
        self.song_name = name or "song"
        try:  # check the file now, so a bad one is reported before anything else happens
            if isinstance(audio, bytes | bytearray | memoryview):
                audio, sample_rate = self._decode(bytes(audio), self.song_name)
            elif isinstance(audio, str | Path):
                media_audio.audio_info(audio)
        except WorkshopError as err:
            self.error, self.status = str(err), ""
            return
        self._audio, self._sample_rate = audio, sample_rate
        self.error = self.error_details = ""
        self.status = f"Ready: press Separate to split '{self.song_name}'.{self._note()}"

    @staticmethod
    def _decode(data: bytes, name: str):
        """Decode an uploaded file's bytes; the message names the file, not a temporary copy."""
        if not data:
            raise WorkshopError(f"'{name}' arrived empty (0 bytes). Choose the file again.")
        try:
            return media_audio.load_audio(data)
        except WorkshopError as err:
            raise WorkshopError(
                f"'{name}' could not be read as audio: it is damaged, or not a sound file. "
                "Try a .wav, .mp3, .flac or .m4a file, or choose it again."
            ) from err

    def run(self) -> Separation | None:
        """Separate the song with the chosen model now; the result is also kept in ``result``.

        Errors a learner can cause (an unreadable file, a song too long for memory) are shown
        in ``error`` rather than raised.
        """
        self._cancel.clear()
        return self._run()

    def _run(self) -> Separation | None:
        if self._audio is None:
            self.error = "There is no song yet: choose a file with the button first."
            return None
        self.busy, self.error, self.error_details, self.progress = True, "", "", 0.0
        self.status = f"Separating '{self.song_name}' into {self.stems} stems…"
        result = None
        try:
            with guard(self._show_error, doing="separating the song"):
                separator = self._separator(self.stems)
                result = separator.separate(
                    self._audio, self._sample_rate, progress=self._on_progress, cancel=self._cancel
                )
                self._show(result)
        finally:
            self.busy = False
        return result

    def _show_error(self, sentence: str, details: str | None) -> None:
        """Show a message in the widget; the song, earlier stems and mix settings stay."""
        self.error, self.error_details = sentence, details or ""
        self.status = ""
        self.progress = 1.0 if self.result is not None else 0.0

    def _note(self) -> str:
        """ " " and the stand-in sentence for the chosen model, or "" when it is the real one."""
        try:
            note = self._separator(self.stems).stand_in_note()
        except WorkshopError:
            return ""
        return f" {note}" if note else ""

    def cancel(self) -> None:
        """Stop the separation that is running (the song and earlier results are kept)."""
        self._cancel.set()

    def wait(self, timeout: float | None = 600) -> None:
        """Wait for a separation started from the browser to finish."""
        if self._thread is not None:
            self._thread.join(timeout)

    def still_picture(self) -> bytes | None:
        """PNG of the widget's state for saved notebooks: each stem's waveform, volume and SDR."""
        from matplotlib.figure import Figure

        if self.result is None:
            return None
        figure = Figure(figsize=(7, 0.4 + 0.8 * len(self.names)))
        axes = figure.subplots(len(self.names), 1, sharex=True, squeeze=False)[:, 0]
        for ax, name in zip(axes, self.names, strict=True):
            media_audio.draw_waveform(ax, self.result[name].mean(axis=0), self.result.sample_rate)
            ax.set_ylim(-1, 1)
            ax.set_yticks([])
            score = f", SDR {self.scores[name]} dB" if name in self.scores else ""
            volume = float(self.volumes.get(name, 1.0))
            ax.set_title(f"{name}: volume {volume:.0%}{score}", fontsize=9, loc="left")
        axes[-1].set_xlabel("time (s)")
        figure.suptitle(f"'{self.song_name}' separated into {len(self.names)} stems", fontsize=10)
        figure.tight_layout()
        return png_bytes(figure)

    # --- inside -------------------------------------------------------------------------------

    def _separator(self, stems: int) -> Separator:
        if stems not in self._separators:
            self._separators[stems] = Separator(stems, device=self._device)
        return self._separators[stems]

    def _on_progress(self, done: int, total: int) -> None:
        self.progress = done / max(total, 1)

    def _clear(self) -> None:
        self.result = None
        self.names, self.stem_audio, self.scores = [], {}, {}
        self.karaoke_audio = self.mix_audio = b""
        self.progress = 0.0

    def _show(self, result: Separation) -> None:
        self.result = result
        rate = result.sample_rate
        self.stem_audio = {name: _sound(result[name], rate) for name in result.names}
        self.karaoke_audio = _sound(result.karaoke(), rate)
        kept = {k: v for k, v in self.volumes.items() if k in result.stems}  # the learner's mix
        self.volumes = {name: float(kept.get(name, 1.0)) for name in result.names}
        self.names = result.names
        self._remix()
        references = self._references
        if callable(references):
            references = references(result.names)
        if references:
            self.scores = {
                name: round(value, 1) for name, value in sdr(references, result.stems, rate).items()
            }
        notes = " ".join(result.notes)
        self.status = (
            f"Done: {len(result.names)} stems, {result.seconds:.1f} s each. {notes}".strip()
        )
        self.progress = 1.0

    def _remix(self) -> None:
        if self.result is not None:
            volumes = {k: float(v) for k, v in self.volumes.items() if k in self.result.stems}
            self.mix_audio = _sound(self.result.mix(volumes), self.result.sample_rate)

    @traitlets.observe("volumes")
    def _volumes_changed(self, _change) -> None:
        with guard(self._show_error, doing="mixing the stems"):
            if self.result is not None and not self.busy:
                self._remix()

    @traitlets.observe("stems")
    def _stems_changed(self, change) -> None:
        with guard(self._show_error, doing="choosing the model"):
            if change["new"] not in (2, 4, 5):
                self.stems = change["old"] if change["old"] in (2, 4, 5) else 2
                raise WorkshopError("Spleeter has 2, 4 or 5 stems.")
            if self._audio is not None and not self.busy and self.result is None:
                self.status = f"Ready: press Separate to split '{self.song_name}'.{self._note()}"

    @traitlets.observe("action")
    def _action(self, change) -> None:
        with guard(self._show_error, doing="handling the button"):
            name = (change["new"] or {}).get("name")
            if name == "run" and not self.busy:
                self._cancel.clear()  # here, so a Cancel pressed right after Separate is kept
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()
            elif name == "cancel":
                self.cancel()
            elif name == "upload":
                self._uploaded()

    def _uploaded(self) -> None:
        data, name = bytes(self.upload), self.upload_name or "upload"
        self.upload = b""
        self.load(data, name=name)
