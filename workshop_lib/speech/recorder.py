"""Your voice, kept safe: recordings cleaned and stored until you delete them, and the consent step.

A :class:`RecordingStore` keeps every recording as a WAV file in a folder (``recordings/`` next
to the notebook) with a small JSON note beside it (where it came from, and the consent given for
it), so recordings survive a restarted kernel and are deleted only when you say so.

Audio arrives from the browser's microphone (on Colab through :func:`record_in_colab`, in
Jupyter through the :class:`~workshop_lib.speech.widget.RecorderWidget`), from an uploaded file,
or from the sample voice that ships with the workshop. Every recording is turned into mono,
trimmed of silence at both ends and normalised before it is kept.

Cloning a voice needs consent: :func:`ensure_consent` refuses a recording of a person unless
someone confirmed it is their own voice or that the speaker agreed.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from ..errors import WorkshopError

if TYPE_CHECKING:
    from IPython.display import Audio
    from matplotlib.figure import Figure

__all__ = [
    "SAMPLE_VOICE",
    "Consent",
    "Recording",
    "RecordingStore",
    "clean_recording",
    "ensure_consent",
    "on_delete",
    "record_in_colab",
]

SHORTEST_SECONDS = 2.0  # of speech, after trimming silence
LONGEST_SECONDS = 30.0  # longer recordings are cut to this much speech
LONGEST_RAW_SECONDS = 600.0  # longer ones are refused
SAMPLE_VOICE = "speech/sample_voice.wav"
"""The bundled sample voice (inside ``workshop_lib/data``): a synthetic voice, no one's recording."""
_SAMPLE_CONSENT = (
    "The sample voice is synthetic: it was made with Festival's HTS voice 'cmu_us_slt_arctic_hts' "
    "(CMU ARCTIC 'slt', recorded for free use in speech research), so no person's recording is copied."
)
_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_ON_DELETE: list[Callable[[Path], object]] = []


def on_delete(forget: Callable[[Path], object]) -> None:
    """Ask to be told when a recording is deleted: ``forget(path)`` then drops what came from it.

    The engines register here (cloned voices live in them), so deleting a recording reaches
    every copy of the voice without this module knowing the engines.
    """
    if forget not in _ON_DELETE:
        _ON_DELETE.append(forget)


@dataclass(frozen=True)
class Consent:
    """Who agreed that a recorded voice may be copied, and when.

    Attributes
    ----------
    speaker : str
        Whose voice it is.
    own_voice : bool
        True: the speaker is the person cloning. False: someone else, who gave permission.
    no_deception : bool
        The promise not to use the copy to deceive anyone or to pretend to be the speaker.
    given_at : str
        Date and time (ISO 8601, UTC).
    """

    speaker: str
    own_voice: bool
    no_deception: bool
    given_at: str


@dataclass(frozen=True)
class Recording:
    """A cleaned recording kept in a :class:`RecordingStore` (or the bundled sample voice).

    Attributes
    ----------
    name : str
        Its name in the store (the WAV file's name without ``.wav``).
    path : Path
        The cleaned WAV file.
    seconds : float
        Length after trimming.
    sample_rate : int
        Samples per second.
    source : str
        ``"microphone"``, ``"upload"``, ``"file"`` or ``"sample"``.
    consent : Consent or None
        The consent given for cloning it, if any.
    """

    name: str
    path: Path
    seconds: float
    sample_rate: int
    source: str
    consent: Consent | None = None

    def load(self) -> tuple[np.ndarray, int]:
        """Return the recording's samples (mono float32) and sample rate."""
        from ..media.audio import load_audio

        return load_audio(self.path, mono=True)

    def derived_folder(self) -> Path:
        """Where anything made from this recording is kept (cloned-voice files, caches).

        :meth:`RecordingStore.delete` deletes this folder with the recording.
        """
        return self.path.with_name(f"{self.name}.derived")

    def play(self) -> Audio:
        """An audio player for the notebook."""
        from ..media.audio import play

        return play(*self.load())

    def plot(self) -> Figure:
        """The waveform and spectrogram, as a figure."""
        import matplotlib.pyplot as plt

        from ..media.audio import plot_audio

        samples, rate = self.load()
        with np.errstate(divide="ignore"):  # silent stretches have zero energy
            figure = cast(  # no axes given: a new Figure
                "Figure",
                plot_audio(
                    samples, rate, title=f"{self.name} ({self.seconds:.1f} s, {self.source})"
                ),
            )
        plt.close(figure)  # shown once, as the cell's result
        return figure


def clean_recording(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """Make a recording ready for cloning: mono, silence trimmed, at most 30 s of speech, normalised.

    Parameters
    ----------
    samples : numpy.ndarray
        Mono or ``(channels, samples)``.
    sample_rate : int
        Samples per second.

    Returns
    -------
    samples : numpy.ndarray
        float32 mono, peak at 0.9.
    sample_rate : int
        Unchanged, except that rates above 48 kHz become 48 kHz.

    Raises
    ------
    WorkshopError
        When the recording is silent, shorter than 2 seconds of sound, or longer than 10 minutes.
    """
    from ..media.audio import as_channels_first, normalize, resample, trim_silence

    mono = as_channels_first(samples).mean(axis=0)
    seconds = mono.size / sample_rate
    if seconds > LONGEST_RAW_SECONDS:
        raise WorkshopError(
            f"The recording is {seconds / 60:.0f} minutes long; cloning needs 5 to 30 seconds of "
            "speech. Record or upload a shorter clip (about 10 seconds is plenty)."
        )
    if sample_rate > 48000:
        mono, sample_rate = resample(mono, sample_rate, 48000), 48000
    if mono.size == 0 or float(np.max(np.abs(mono))) < 1e-3:
        raise WorkshopError(
            "The recording is silent. Check that the right microphone is chosen and not muted "
            "(and that the browser may use it), then record again while speaking."
        )
    mono = np.asarray(mono, dtype=np.float32) - float(np.mean(mono))  # remove any DC offset
    trimmed = trim_silence(mono, sample_rate)
    seconds = trimmed.size / sample_rate
    if seconds < SHORTEST_SECONDS:
        raise WorkshopError(
            f"The recording has only {seconds:.1f} s of sound; cloning needs at least "
            f"{SHORTEST_SECONDS:.0f} seconds. Record again and read a sentence or two (about 10 seconds)."
        )
    trimmed = trimmed[: int(LONGEST_SECONDS * sample_rate)]
    return normalize(trimmed, peak=0.9), sample_rate


def ensure_consent(recording: Recording) -> None:
    """Refuse to clone a recording of a person unless consent was given for it.

    Raises
    ------
    WorkshopError
        When ``recording`` is not a :class:`Recording`, or is one without consent.
    """
    if not isinstance(recording, Recording):
        raise WorkshopError(
            "Cloning takes a recording from the recording store (store.latest, store.sample(), "
            "or store.add(...)), so that consent can be checked first."
        )
    if recording.source == "sample":
        return
    consent = recording.consent
    if consent is None or not consent.no_deception or not consent.speaker.strip():
        raise WorkshopError(
            f"Before cloning '{recording.name}', confirm in the consent step that this is your "
            "own voice, or that the speaker gave you permission, and that you will not use the "
            "copy to deceive anyone. (In code: store.give_consent(name, speaker=..., "
            "own_voice=True, no_deception=True).)"
        )


class RecordingStore:
    """The recordings of this notebook, kept as WAV files in a folder until you delete them.

    Parameters
    ----------
    folder : str or Path
        Where the recordings go; ``"recordings"`` is relative to the notebook's folder (on Colab
        ``/content/recordings``, which a runtime reset empties: download what you want to keep).

    Examples
    --------
    >>> store = RecordingStore("recordings")
    >>> store.sample().source
    'sample'
    """

    def __init__(self, folder: str | os.PathLike = "recordings") -> None:
        self.folder = Path(folder)

    # --- adding ---------------------------------------------------------------------------------

    def add(
        self,
        audio: bytes | str | Path | tuple[np.ndarray, int],
        *,
        source: str = "file",
        name: str | None = None,
    ) -> Recording:
        """Clean a recording and keep it in the folder.

        Parameters
        ----------
        audio : bytes, str, Path or (samples, sample_rate)
            A sound file's bytes (WAV, WebM, OGG, MP3, M4A, ...), its path, or samples.
        source : str
            ``"microphone"``, ``"upload"`` or ``"file"``: where it came from.
        name : str, optional
            A name; by default ``recording-1``, ``recording-2``, ...

        Returns
        -------
        Recording

        Raises
        ------
        WorkshopError
            For an unreadable, silent, too short or too long recording (nothing is kept then).
        """
        from ..media.audio import load_audio, save_audio

        samples, rate = load_audio(audio, mono=True)
        samples, rate = clean_recording(samples, rate)
        path = self._free_path(name or source)
        save_audio(path, samples, rate)
        self._write_note(path, {"source": source, "consent": None})
        return self.get(path.stem)

    def _free_path(self, name: str) -> Path:
        base = _NAME.sub("-", Path(str(name)).stem).strip("-")[:40] or "recording"
        if base in ("microphone", "upload", "file"):
            base = "recording"
        self.folder.mkdir(parents=True, exist_ok=True)
        number = 1
        while True:
            path = self.folder / (f"{base}-{number}.wav")
            if not path.exists():
                return path
            number += 1

    # --- reading --------------------------------------------------------------------------------

    def _note_path(self, path: Path) -> Path:
        return path.with_suffix(".json")

    def _write_note(self, path: Path, note: dict) -> None:
        self._note_path(path).write_text(json.dumps(note, indent=1), "utf-8")

    def _read_note(self, path: Path) -> dict:
        """The recording's note; a missing or damaged note means "no consent" (never more)."""
        try:
            note = json.loads(self._note_path(path).read_text("utf-8"))
        except (OSError, ValueError):
            note = None
        if not isinstance(note, dict):
            return {"source": "file", "consent": None}
        try:
            note["consent"] = Consent(**note["consent"]) if note.get("consent") else None
        except TypeError:
            note["consent"] = None
        if not isinstance(note.get("source"), str):
            note["source"] = "file"
        return note

    def _read(self, path: Path) -> Recording:
        import soundfile

        note = self._read_note(path)
        try:
            info = soundfile.info(str(path))
            seconds = info.frames / info.samplerate
        except Exception as err:  # libsndfile's errors for a damaged or foreign file
            raise WorkshopError(
                f"The recording '{path.stem}' is damaged and cannot be played "
                f"({str(err)[:120]}). Delete it (store.delete({path.stem!r})) and record again."
            ) from err
        return Recording(
            name=path.stem,
            path=path,
            seconds=seconds,
            sample_rate=int(info.samplerate),
            source=note["source"],
            consent=note["consent"],
        )

    def recordings(self) -> list[Recording]:
        """All kept recordings, oldest first. A damaged one is left out, with a note saying so."""
        if not self.folder.is_dir():
            return []
        paths = sorted(
            (p for p in self.folder.glob("*.wav") if p.is_file()),
            key=lambda p: (p.stat().st_mtime_ns, p.name),
        )
        found = []
        for path in paths:
            try:
                found.append(self._read(path))
            except WorkshopError as err:
                print(err)
        return found

    @property
    def latest(self) -> Recording | None:
        """The newest recording, or None when there is none."""
        recordings = self.recordings()
        return recordings[-1] if recordings else None

    def get(self, name: str) -> Recording:
        """The recording with this name.

        Raises
        ------
        WorkshopError
            When there is no such recording.
        """
        path = self.folder / f"{Path(str(name)).stem}.wav"
        if not path.is_file():
            names = ", ".join(r.name for r in self.recordings()) or "none yet"
            raise WorkshopError(f"There is no recording called {name!r}. Recordings: {names}.")
        return self._read(path)

    def sample(self) -> Recording:
        """The sample voice that ships with the workshop (a synthetic voice; no consent needed)."""
        import soundfile

        from ..assets import bundled

        path = bundled(SAMPLE_VOICE)
        info = soundfile.info(str(path))
        return Recording(
            name="sample voice",
            path=path,
            seconds=info.frames / info.samplerate,
            sample_rate=int(info.samplerate),
            source="sample",
            consent=None,
        )

    def choose(self) -> Recording:
        """Your newest recording, or the sample voice when you have none yet; says which."""
        latest = self.latest
        if latest is not None:
            print(
                f"Using your recording '{latest.name}' ({latest.seconds:.1f} s, {latest.source})."
            )
            return latest
        print("No recording yet, so we use the workshop's sample voice. " + _SAMPLE_CONSENT)
        return self.sample()

    # --- consent and deleting -------------------------------------------------------------------

    def give_consent(
        self, name: str, *, speaker: str, own_voice: bool, no_deception: bool
    ) -> Recording:
        """Record consent for cloning one recording.

        Parameters
        ----------
        name : str
            The recording.
        speaker : str
            Whose voice it is.
        own_voice : bool
            True when it is your own voice; False when it is someone else's and they agreed.
        no_deception : bool
            Must be True: the promise not to use the copy to deceive anyone.

        Raises
        ------
        WorkshopError
            When the speaker is not named or the promise is not given.
        """
        recording = self.get(name)
        if not str(speaker).strip():
            raise WorkshopError("Write whose voice this is (your name, or the speaker's name).")
        if no_deception is not True:
            raise WorkshopError(
                "Consent needs the promise not to use the copied voice to deceive anyone or to "
                "pretend to be the speaker."
            )
        consent = Consent(
            speaker=str(speaker).strip(),
            own_voice=bool(own_voice),
            no_deception=True,
            given_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        )
        self._write_note(recording.path, {"source": recording.source, "consent": asdict(consent)})
        return self.get(name)

    def delete(self, name: str) -> None:
        """Delete a recording for good, with everything made from it.

        Gone afterwards: the cleaned recording, its consent note, its folder of derived files
        (:meth:`Recording.derived_folder`: cloned-voice files, caches), and every voice cloned
        from it in the engines of this notebook (they forget it, so it cannot speak again).

        Raises
        ------
        WorkshopError
            When there is no such recording.
        """
        import shutil

        recording = self.get(name)
        for forget in _ON_DELETE:
            forget(recording.path)
        shutil.rmtree(recording.derived_folder(), ignore_errors=True)
        self._note_path(recording.path).unlink(missing_ok=True)
        recording.path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        names = [r.name for r in self.recordings()]
        return f"<RecordingStore {self.folder.as_posix()}/: {len(names)} recording(s) {names}>"


# --- the Colab microphone -----------------------------------------------------------------------

_COLAB_RECORDER = """
async function workshopRecord(seconds) {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true});
  const recorder = new MediaRecorder(stream);
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const note = document.createElement("div");
  note.style.cssText = "font: 16px sans-serif; color: #b00; margin: 6px 0";
  document.body.appendChild(note);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start();
  for (let left = seconds; left > 0; left--) {
    note.textContent = "\\u25cf Recording: speak now (" + left + " s left)";
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  recorder.stop();
  await stopped;
  stream.getTracks().forEach((track) => track.stop());
  note.textContent = "Recording finished.";
  const blob = new Blob(chunks, {type: recorder.mimeType});
  return await new Promise((resolve) => {
    const reader = new FileReader();
    reader.onloadend = () => resolve(reader.result);
    reader.readAsDataURL(blob);
  });
}
"""


def _data_url_bytes(data_url: str) -> bytes:
    """The bytes inside a ``data:<type>;base64,...`` URL (what the browser recorder returns)."""
    if not isinstance(data_url, str) or "," not in data_url:
        raise WorkshopError(
            "The browser sent no recording back. Allow the microphone and try again."
        )
    try:
        return base64.b64decode(data_url.split(",", 1)[1], validate=False)
    except ValueError as err:
        raise WorkshopError(
            "The browser's recording could not be read. Please record again."
        ) from err


def record_in_colab(store: RecordingStore, seconds: float = 8) -> Recording:
    """Record from the microphone in Google Colab and keep the cleaned recording.

    The browser asks for permission to use the microphone the first time; a red line counts
    down while it records. Works on Colab only (it uses Colab's JavaScript bridge); in Jupyter
    use :class:`~workshop_lib.speech.widget.RecorderWidget`.

    Parameters
    ----------
    store : RecordingStore
        Where the recording is kept.
    seconds : float
        How long to record (3 to 60 seconds).

    Raises
    ------
    WorkshopError
        Outside Colab, when the microphone is refused, or when the recording is silent or short.
    """
    from .. import runtime

    if runtime.where() != "colab":
        raise WorkshopError(
            "record_in_colab() works in Google Colab. In Jupyter, use the recorder widget "
            "(speech.RecorderWidget(store)) or upload a file."
        )
    if not 3 <= float(seconds) <= 60:
        raise WorkshopError(f"Record for 3 to 60 seconds; {seconds} was asked for.")
    from google.colab import output
    from IPython.display import Javascript, display

    try:
        display(Javascript(_COLAB_RECORDER))
        data_url = output.eval_js(f"workshopRecord({int(seconds)})", timeout_sec=seconds + 60)
    except Exception as err:  # the browser refused the microphone, or the page was closed
        raise WorkshopError(
            f"The recording did not work ({err}). Allow the microphone when the browser asks "
            "(click the camera/microphone icon in the address bar), then run the cell again."
        ) from err
    return store.add(_data_url_bytes(data_url), source="microphone")
