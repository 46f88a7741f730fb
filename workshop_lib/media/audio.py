"""Every sound enters and leaves the workshop here: load any audio file, resample, save, play, plot.

Audio is always a float32 numpy array in [-1, 1] paired with its ``sample_rate`` (samples per
second): shape ``(samples,)`` for mono, ``(channels, samples)`` for several channels. The file
is a little over 600 lines because it is the one door for audio, in and out, for every notebook.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from ..errors import WorkshopError

if TYPE_CHECKING:
    from IPython.display import Audio
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

AudioSource: TypeAlias = "str | os.PathLike | bytes | tuple[np.ndarray, int]"
"""What :func:`load_audio` reads: a file, its contents, or samples with their sample rate."""

__all__ = [
    "as_channels_first",
    "audio_duration",
    "draw_waveform",
    "encode_audio",
    "load_audio",
    "play",
    "plot_audio",
    "resample",
    "save_audio",
]

_SOUNDFILE_FORMATS = {".wav", ".flac", ".ogg", ".oga", ".mp3", ".aiff", ".aif"}
_FFMPEG_HINT = (
    "Reading this kind of file needs the program ffmpeg. On Colab it is there already; on "
    "Debian or Ubuntu install it with: sudo apt-get install ffmpeg. Or convert the file to "
    ".wav, .flac or .mp3 first."
)


def _describe(source) -> str:
    if isinstance(source, str | os.PathLike):
        return f"'{Path(source).name}'"
    return "The audio you gave"


def _read_with_soundfile(data) -> tuple[np.ndarray, int]:
    import soundfile

    samples, sample_rate = soundfile.read(data, dtype="float32", always_2d=True)
    return samples.T, int(sample_rate)


def _read_with_ffmpeg(path: Path, label: str | None = None) -> tuple[np.ndarray, int]:
    """Decode any format ffmpeg knows (M4A, AAC, WebM from a browser recording) into a WAV first.

    ``label`` names the audio in messages (the learner's name for it, not a temporary file's).
    """
    label = label or f"'{path.name}'"
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise WorkshopError(f"{label} could not be read. {_FFMPEG_HINT}")
    with tempfile.TemporaryDirectory() as scratch:
        wav = Path(scratch) / "decoded.wav"
        result = subprocess.run(
            [
                ffmpeg,
                "-nostdin",
                "-v",
                "error",
                "-i",
                str(path),
                "-vn",
                "-c:a",
                "pcm_f32le",
                str(wav),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not wav.exists():
            said = result.stderr.strip().splitlines()
            detail = said[-1].replace(f"{path}: ", "") if said else "no audio found"
            raise WorkshopError(
                f"{label} could not be read as audio (ffmpeg: {detail}). "
                "Try a .wav, .mp3 or .flac file, or upload it again."
            )
        return _read_with_soundfile(wav)


def load_audio(
    source: AudioSource, *, sample_rate: int | None = None, mono: bool = False
) -> tuple[np.ndarray, int]:
    """Load a sound from a file, bytes, or an array, as float32 samples and their sample rate.

    WAV, FLAC, OGG and MP3 are read directly; M4A, AAC, WebM and other formats go through
    ffmpeg when it is installed. The result can be resampled and mixed down to one channel.

    Parameters
    ----------
    source : str, path, bytes, or (array, sample_rate)
        The audio file, its contents, or samples you already have with their sample rate.
    sample_rate : int, optional
        Resample to this many samples per second. None keeps the file's own rate.
    mono : bool
        True mixes all channels into one and returns shape ``(samples,)``.

    Returns
    -------
    samples : numpy.ndarray
        float32, shape ``(channels, samples)`` (or ``(samples,)`` with ``mono=True``).
    sample_rate : int
        Samples per second.

    Raises
    ------
    WorkshopError
        For a missing, empty, or unreadable file.

    Examples
    --------
    >>> samples, rate = load_audio((np.zeros(8000), 8000), sample_rate=16000, mono=True)
    >>> samples.shape, rate
    ((16000,), 16000)
    """
    samples, rate = _load_any(source)
    if samples.shape[-1] == 0:
        raise WorkshopError(
            f"{_describe(source)} holds no sound at all (zero length). Record or choose another file."
        )
    if not np.all(np.isfinite(samples)):
        raise WorkshopError(f"{_describe(source)} contains invalid samples (NaN or infinity).")
    if mono:
        samples = samples.mean(axis=0)
    if sample_rate is not None and sample_rate != rate:
        samples, rate = resample(samples, rate, sample_rate), sample_rate
    return np.ascontiguousarray(samples, dtype=np.float32), rate


def _load_any(source) -> tuple[np.ndarray, int]:
    if isinstance(source, tuple) and len(source) == 2:
        samples, rate = source
        return as_channels_first(samples), _check_rate(rate)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if not data:
            raise WorkshopError("The audio you gave is empty (0 bytes). Record or upload it again.")
        try:
            return _read_with_soundfile(io.BytesIO(data))
        except Exception:  # not a format libsndfile knows: let ffmpeg try from a file
            with tempfile.TemporaryDirectory() as scratch:
                path = Path(scratch) / "audio"
                path.write_bytes(data)
                return _read_with_ffmpeg(path, label="The audio you gave")
    if isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        if not path.is_file():
            raise WorkshopError(f"There is no file '{path}'. Check the name and the folder.")
        if path.stat().st_size == 0:
            raise WorkshopError(f"'{path.name}' is empty (0 bytes). Record or upload it again.")
        if path.suffix.lower() in _SOUNDFILE_FORMATS:
            try:
                return _read_with_soundfile(path)
            except Exception as err:
                if shutil.which("ffmpeg") is None:
                    raise WorkshopError(
                        f"'{path.name}' could not be read as audio ({err}). Try a .wav, .mp3 "
                        "or .flac file, or upload it again."
                    ) from err
        return _read_with_ffmpeg(path)
    raise WorkshopError(
        f"load_audio() takes a file path, the file's bytes, or (samples, sample_rate); "
        f"it got {type(source).__name__}."
    )


def _check_rate(sample_rate) -> int:
    if not isinstance(sample_rate, int | np.integer) or sample_rate <= 0:
        raise WorkshopError(
            f"The sample rate must be a positive whole number of samples per second, "
            f"such as 44100; it was {sample_rate!r}."
        )
    return int(sample_rate)


def as_channels_first(samples: np.ndarray) -> np.ndarray:
    """Return samples as float32 ``(channels, samples)``; a 1-D array becomes one channel.

    A ``(samples, channels)`` array with 2 to 8 columns (as soundfile returns) is turned around.
    """
    try:
        array = np.asarray(samples)
    except Exception as err:  # ragged lists and other shapes numpy cannot hold
        raise WorkshopError(f"These samples are not an array of numbers ({err}).") from err
    if array.dtype.kind not in "biuf":
        raise WorkshopError(
            f"Audio samples must be plain numbers (whole or decimal), not {array.dtype} values."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        array = array.astype(np.float32)
    if array.ndim == 1:
        return array[np.newaxis, :]
    if array.ndim != 2:
        raise WorkshopError(
            f"Audio must be 1-D (mono) or 2-D (channels, samples); this has shape {array.shape}."
        )
    if array.shape[0] > array.shape[1] and array.shape[1] <= 8:
        array = array.T
    if array.shape[0] == 0:
        raise WorkshopError(f"This audio has no channels at all (shape {array.shape}).")
    return array


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Change the sample rate with soxr's high-quality resampler; the last axis is time.

    Examples
    --------
    >>> resample(np.zeros(44100, dtype=np.float32), 44100, 16000).shape
    (16000,)
    """
    import soxr

    from_rate, to_rate = _check_rate(from_rate), _check_rate(to_rate)
    if from_rate == to_rate:
        return np.asarray(samples, dtype=np.float32)
    array = np.asarray(samples, dtype=np.float32)
    # soxr wants (samples, channels).
    result = soxr.resample(array.T, from_rate, to_rate, quality="HQ").T
    return np.ascontiguousarray(result, dtype=np.float32)


def audio_duration(samples: np.ndarray, sample_rate: int) -> float:
    """Length in seconds of samples at a sample rate."""
    return np.asarray(samples).shape[-1] / sample_rate


_ENCODINGS = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG", "mp3": "MP3"}


def _write(target, samples, sample_rate: int, kind: str) -> None:
    """Write samples to a file or a file-like object in one of the formats of ``_ENCODINGS``."""
    import soundfile

    data = np.clip(as_channels_first(samples), -1.0, 1.0).T
    subtype = "PCM_16" if kind == "wav" else None
    soundfile.write(
        target, data, _check_rate(sample_rate), format=_ENCODINGS[kind], subtype=subtype
    )


def encode_audio(samples: np.ndarray, sample_rate: int, *, format: str = "wav") -> bytes:
    """Encode samples as the bytes of a sound file, in memory: what a widget sends a browser.

    This is the one encoder for players in widgets and web pages. MP3 is smaller; where the
    installed libsndfile cannot write MP3 the result is WAV instead (browsers play both).

    Parameters
    ----------
    samples : numpy.ndarray
        Mono ``(samples,)`` or ``(channels, samples)`` floats in [-1, 1] (clipped).
    sample_rate : int
        Samples per second.
    format : {"wav", "mp3", "flac", "ogg"}
        The file format.

    Returns
    -------
    bytes

    Examples
    --------
    >>> encode_audio(np.zeros(100, dtype=np.float32), 8000)[:4]
    b'RIFF'
    """
    import soundfile

    kind = str(format).lower().lstrip(".")
    if kind not in _ENCODINGS:
        raise WorkshopError(f"Cannot encode audio as '{format}'. Use wav, mp3, flac or ogg.")
    buffer = io.BytesIO()
    try:
        _write(buffer, samples, sample_rate, kind)
    except (soundfile.LibsndfileError, TypeError, ValueError):
        if kind != "mp3":
            raise
        buffer = io.BytesIO()  # an old libsndfile without MP3
        _write(buffer, samples, sample_rate, "wav")
    return buffer.getvalue()


def save_audio(path: str | os.PathLike, samples: np.ndarray, sample_rate: int) -> Path:
    """Save samples to a sound file: ``.wav`` and ``.flac`` directly, ``.mp3`` and ``.ogg`` too.

    The file is written under a temporary name first and renamed at the end, so an interrupted
    save never leaves a file that looks complete. Samples outside [-1, 1] are clipped.

    Returns
    -------
    pathlib.Path
        The saved file.
    """
    import soundfile

    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in _ENCODINGS:
        raise WorkshopError(f"Cannot save audio as '{path.suffix}'. Use .wav, .flac, .mp3 or .ogg.")
    _check_rate(sample_rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        _write(part, samples, sample_rate, kind)
        part.replace(path)
    except (soundfile.LibsndfileError, OSError) as err:
        raise WorkshopError(f"Could not save {path.name}: {err}") from err
    finally:
        part.unlink(missing_ok=True)
    return path


def play(samples: np.ndarray, sample_rate: int, *, normalize: bool = False) -> Audio:
    """Return an audio player for a notebook (IPython's ``Audio``), for mono or stereo samples."""
    from IPython.display import Audio

    data = as_channels_first(samples)
    return Audio(
        data if data.shape[0] > 1 else data[0], rate=_check_rate(sample_rate), normalize=normalize
    )


def draw_waveform(
    axes: Axes, samples: np.ndarray, sample_rate: int, *, columns: int = 2000, **style: Any
) -> None:
    """Draw a waveform (the sound's level over time, in seconds) on ``axes``.

    A long sound is drawn as its highest and lowest sample in each of ``columns`` slices (its
    outline), so an hour-long song draws as quickly and as reliably as one word. ``style`` goes
    to matplotlib (``color``, ``linewidth``, ``alpha``).
    """
    mono = np.nan_to_num(np.asarray(samples, dtype=np.float32).reshape(-1))
    style = {"linewidth": 0.5, "color": "tab:blue", **style}
    if mono.size <= 2 * columns:
        axes.plot(np.arange(mono.size) / sample_rate, mono, **style)
        return
    per_column = -(-mono.size // columns)
    padded = np.pad(mono, (0, -mono.size % per_column), mode="edge").reshape(-1, per_column)
    starts = np.arange(padded.shape[0]) * per_column
    seconds = np.minimum(starts + per_column / 2, mono.size - 1) / sample_rate
    axes.fill_between(seconds, padded.min(axis=1), padded.max(axis=1), **style)


def plot_audio(
    samples: np.ndarray, sample_rate: int, *, title: str = "", axes: Sequence[Axes] | None = None
) -> Figure | SubFigure:
    """Draw the waveform above its spectrogram (frequencies over time), and return the figure.

    Parameters
    ----------
    samples : numpy.ndarray
        Mono or multi-channel samples; channels are averaged for the picture.
    sample_rate : int
        Samples per second.
    title : str
        Shown above the waveform.
    axes : pair of matplotlib Axes, optional
        Draw into these instead of a new figure (for side-by-side comparisons).
    """
    import matplotlib.pyplot as plt

    mono = as_channels_first(samples).mean(axis=0)
    figure: Figure | SubFigure
    if axes is None:
        figure, axes = plt.subplots(2, 1, figsize=(8, 4), sharex=True, height_ratios=(1, 2))
    else:
        figure = axes[0].figure
    wave_ax, spec_ax = axes
    draw_waveform(wave_ax, mono, sample_rate)
    wave_ax.set_ylim(-1.05, 1.05)
    wave_ax.set_ylabel("amplitude")
    if title:
        wave_ax.set_title(title)
    window = 1024 if sample_rate >= 22050 else 512
    if mono.size >= window:
        spec_ax.specgram(
            mono, NFFT=window, Fs=sample_rate, noverlap=window * 3 // 4, cmap="magma", vmin=-120
        )
    spec_ax.set_ylabel("frequency (Hz)")
    spec_ax.set_xlabel("time (s)")
    return figure


# --- long files: look before loading, and read in blocks ----------------------------------------


def audio_info(source: str | os.PathLike) -> tuple[int, int, int]:
    """Return a file's ``(sample_rate, channels, samples)`` without loading its samples.

    WAV, FLAC, OGG and MP3 are asked through soundfile; other formats through ``ffprobe``
    (part of ffmpeg). ``samples`` may be an estimate for compressed files.

    Raises
    ------
    WorkshopError
        For a missing, empty or unreadable file.
    """
    path = Path(source).expanduser()
    if not path.is_file():
        raise WorkshopError(f"There is no file '{path}'. Check the name and the folder.")
    if path.stat().st_size == 0:
        raise WorkshopError(f"'{path.name}' is empty (0 bytes). Record or upload it again.")
    import soundfile

    try:
        info = soundfile.info(str(path))
        return int(info.samplerate), int(info.channels), int(info.frames)
    except Exception as err:
        if shutil.which("ffprobe") is None:
            raise WorkshopError(
                f"'{path.name}' could not be read as audio ({err}). {_FFMPEG_HINT}"
            ) from err
    return _ffprobe_info(path)


def _ffprobe_info(path: Path) -> tuple[int, int, int]:
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=sample_rate,channels:format=duration",
            "-of",
            "default=noprint_wrappers=1",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    fields = dict(
        line.split("=", 1) for line in result.stdout.splitlines() if "=" in line and line.strip()
    )
    try:
        rate, channels = int(fields["sample_rate"]), int(fields["channels"])
        duration = float(fields.get("duration", "nan"))
    except (KeyError, ValueError) as err:
        raise WorkshopError(
            f"'{path.name}' could not be read as audio (no sound stream found). Try a .wav, "
            ".mp3 or .flac file, or upload it again."
        ) from err
    samples = round(duration * rate) if np.isfinite(duration) else 0
    return rate, channels, samples


def stream_audio(
    source: str | os.PathLike, *, sample_rate: int | None = None, block_seconds: float = 10.0
) -> Iterator[np.ndarray]:
    """Read a long sound file in blocks, so a 2-hour file never has to fit in memory at once.

    Yields float32 blocks of shape ``(channels, samples)``, resampled on the way when
    ``sample_rate`` differs from the file's (soxr's streaming resampler). WAV, FLAC, OGG and MP3
    are read by soundfile; other formats are decoded by ffmpeg through a pipe.

    Parameters
    ----------
    source : str or path
        The audio file.
    sample_rate : int, optional
        Resample to this rate; None keeps the file's rate.
    block_seconds : float
        Length of each block read from the file, in seconds of the file's audio.

    Raises
    ------
    WorkshopError
        For a missing or unreadable file.
    """
    path = Path(source).expanduser()
    rate, channels, _ = audio_info(path)
    frames = max(1, int(block_seconds * rate))
    resampler = None
    if sample_rate is not None and _check_rate(sample_rate) != rate:
        import soxr

        resampler = soxr.ResampleStream(rate, sample_rate, channels, dtype="float32", quality="HQ")
    for block, last in _mark_last(_raw_blocks(path, rate, channels, frames)):
        if resampler is not None:
            block = resampler.resample_chunk(np.ascontiguousarray(block.T), last=last).T
        if block.shape[1]:
            yield np.ascontiguousarray(block, dtype=np.float32)


def _mark_last(blocks):
    """Yield (block, is_last) pairs, looking one block ahead; an empty last block ends it."""
    previous = None
    for block in blocks:
        if previous is not None:
            yield previous, False
        previous = block
    if previous is not None:
        yield previous, True


def _raw_blocks(path: Path, rate: int, channels: int, frames: int):
    import soundfile

    if path.suffix.lower() in _SOUNDFILE_FORMATS:
        try:
            stream = soundfile.SoundFile(str(path))
        except Exception:
            stream = None
        if stream is not None:
            with stream:
                read = 0
                while True:
                    try:
                        block = stream.read(frames, dtype="float32", always_2d=True)
                    except Exception as err:  # libsndfile's errors for damage inside the file
                        raise WorkshopError(
                            f"'{path.name}' is damaged {read / rate:.0f} seconds in and cannot be "
                            f"read further ({str(err)[:120]}). Export or download it again."
                        ) from err
                    if not len(block):
                        return
                    read += len(block)
                    yield block.T
    yield from _ffmpeg_blocks(path, channels, frames)


def _ffmpeg_blocks(path: Path, channels: int, frames: int):
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise WorkshopError(f"'{path.name}' could not be read. {_FFMPEG_HINT}")
    command = [ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-vn", "-f", "f32le", "pipe:1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None  # asked for with stdout=PIPE
        try:
            size = frames * channels * 4
            while True:
                data = process.stdout.read(size)
                if not data:
                    break
                usable = len(data) - len(data) % (channels * 4)
                yield np.frombuffer(data[:usable], dtype="<f4").reshape(-1, channels).T
        finally:
            process.kill()


# --- recordings: cut the silence off, even out the loudness ------------------------------------


def trim_silence(
    samples: np.ndarray, sample_rate: int, *, threshold_db: float = -40.0, margin: float = 0.15
) -> np.ndarray:
    """Cut the quiet parts off the start and end of a sound, keeping a short margin.

    A 20-millisecond stretch counts as quiet when its loudness (RMS) is ``threshold_db`` decibels
    or more below the loudest stretch. Channels are kept; the last axis is time.

    Parameters
    ----------
    samples : numpy.ndarray
        Mono ``(samples,)`` or ``(channels, samples)``.
    sample_rate : int
        Samples per second.
    threshold_db : float
        How far below the loudest part counts as silence, in decibels (negative).
    margin : float
        Seconds of the quiet kept before the first and after the last sound.

    Returns
    -------
    numpy.ndarray
        The trimmed samples; empty (length 0) when everything is silent.

    Examples
    --------
    >>> quiet_loud_quiet = np.concatenate([np.zeros(8000), np.ones(8000) * 0.5, np.zeros(8000)])
    >>> trim_silence(quiet_loud_quiet, 8000, margin=0).shape
    (8000,)
    """
    array = np.asarray(samples, dtype=np.float32)
    rate = _check_rate(sample_rate)
    mono = array if array.ndim == 1 else array.mean(axis=0)
    frame = max(1, rate // 50)
    frames = mono.size // frame
    if frames == 0:
        return array[..., :0]
    rms = np.sqrt(np.mean(mono[: frames * frame].reshape(frames, frame) ** 2, axis=1))
    loudest = float(rms.max())
    if loudest <= 1e-6:
        return array[..., :0]
    loud = np.flatnonzero(rms >= loudest * 10 ** (threshold_db / 20))
    keep = int(margin * rate)
    start = max(0, loud[0] * frame - keep)
    end = min(mono.size, (loud[-1] + 1) * frame + keep)
    return np.ascontiguousarray(array[..., start:end])


def normalize(samples: np.ndarray, *, peak: float = 0.9) -> np.ndarray:
    """Scale a sound so its loudest sample reaches ``peak`` (0.9 is about 1 dB below full scale).

    Silence (all zeros) is returned unchanged.

    Examples
    --------
    >>> normalize(np.array([0.1, -0.2], dtype=np.float32), peak=1.0).tolist()
    [0.5, -1.0]
    """
    array = np.asarray(samples, dtype=np.float32)
    loudest = float(np.max(np.abs(array))) if array.size else 0.0
    if loudest <= 0.0:
        return array
    return (array * (peak / loudest)).astype(np.float32)
