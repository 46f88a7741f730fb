"""What the web app does for each request, without the web page: checks, models, files, costs.

:class:`Service` holds the app's limits, its meter and its private folder, and calls the same
objects the notebooks use: :class:`~workshop_lib.colorize.Colorizer`, the speech engines of
:mod:`workshop_lib.speech`, and :class:`~workshop_lib.separate.Separator`. Every upload is
checked, read, and deleted right away; results are written into the private folder, from where
the web page serves them for a few minutes. Mistakes raise :class:`WorkshopError` with a plain
message, which the web page shows to the visitor.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import uuid
from pathlib import Path

from PIL import ImageDraw

from .. import runtime
from ..errors import WorkshopError
from .costs import BENCHMARKS, cost_of
from .licences import speech_verdict
from .limits import Limits, check_size, check_song, check_text, forget
from .meter import Meter

__all__ = ["Service"]

STEM_CHOICES = (2, 4, 5)


def _upload_path(upload) -> tuple[Path, str]:
    """The server path and the visitor's file name of an upload (Gradio's file record or a path)."""
    if upload is None:
        raise WorkshopError("Nothing was uploaded. Choose a file first.")
    if isinstance(upload, dict):
        path = upload.get("path")
        name = upload.get("orig_name") or (Path(path).name if path else "your file")
    else:
        path, name = upload, Path(str(upload)).name
    if not path or not Path(path).is_file():
        raise WorkshopError(
            f"The upload of '{name}' did not arrive (or was already used and deleted). "
            "Upload it again."
        )
    return Path(path), str(name)


def _parse_color(color):
    """A colour from the colour picker: "#rrggbb", a name, or "rgba(r, g, b, a)"."""
    text = str(color or "").strip()
    numbers = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if numbers:
        values = [float(v) for v in numbers.group(1).split(",")[:3]]
        return tuple(round(v) for v in values)
    return text or "red"


class Service:
    """The app's work, one method per kind of request.

    Parameters
    ----------
    folder : Path
        The app's private folder: uploads arrive here and results are written here.
    limits : Limits
        What one request may send.
    device : str, optional
        Where the models run; None picks the GPU when there is one.

    Attributes
    ----------
    meter : Meter
        Counts every model request.
    """

    def __init__(self, folder: Path, *, limits: Limits | None = None, device=None):
        self.folder = Path(folder)
        self.limits = limits or Limits()
        self.device = runtime.pick_device(device)
        self.meter = Meter()
        self._separators: dict[int, object] = {}
        self._lock = threading.Lock()
        self.uploads: list[Path] = []  # every upload received, to check that none is left

    # --- colorize --------------------------------------------------------------------------------

    def open_photo(self, upload):
        """Check and read an uploaded photo into a :class:`Colorizer`; the upload is deleted.

        Raises
        ------
        WorkshopError
            Too large a file, or not a picture.
        """
        from ..colorize import Colorizer

        path, name = self._receive(upload)
        try:
            with self._refusals("colorize", name):
                check_size(
                    path,
                    limit_megabytes=self.limits.photo_megabytes,
                    what="photos",
                    name=name,
                    advice="Make it smaller (save it as JPEG, or at a smaller size) and upload it "
                    "again.",
                )
                return Colorizer(path, max_side=self.limits.photo_side, device=self.device)
        finally:
            forget(path, self.folder)

    def colour(self, colorizer):
        """Colour the photo with its hints (none: automatic); returns the files and a note.

        The picture is saved once, labelled "Colours added by AI" (as ``Colorizer.save`` does),
        with the hints beside it; the page shows that same file, so nobody mistakes the colours
        for the real ones.

        Returns
        -------
        files : list of Path
            The labelled PNG, then the hints file (JSON).
        note : str
            What the request cost, and any note about the photo.
        """
        if colorizer is None:
            raise WorkshopError("Upload a photo first.")
        with self.meter.request("colorize", colorizer.name, device=self.device.type) as record:
            saved = colorizer.save(self._results(), name=Path(colorizer.name).stem)
        count = len(colorizer.hints)
        kind = f"{count} hint(s)" if count else "automatic colours, no hints"
        lines = [f"Coloured '{colorizer.name}' ({kind}).", self._cost_line(record, "colorize")]
        if colorizer.note:
            lines.insert(1, colorizer.note)
        return [saved["image"], saved["hints"]], "\n\n".join(lines)

    def hint_picture(self, colorizer) -> Path | None:
        """The photo in grey with a square where each hint is, in its colour, saved as PNG."""
        if colorizer is None:
            return None
        picture = colorizer.grey.copy()
        draw = ImageDraw.Draw(picture)
        width, height = colorizer.size
        for hint in colorizer.hints:
            half_x = max(hint.size * width / 256 / 2, 3)
            half_y = max(hint.size * height / 256 / 2, 3)
            box = [hint.x - half_x, hint.y - half_y, hint.x + half_x, hint.y + half_y]
            draw.rectangle(box, fill=hint.color, outline="white", width=2)
            outer = [box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2]
            draw.rectangle(outer, outline="black")
        # Saved under a fresh name: Gradio would write equal pictures to one shared file name,
        # which a second visitor's identical request could rewrite while it is being sent.
        path = self._results() / "hints_on_photo.png"
        picture.save(path)
        return path

    def colorize_request(self, upload, hints="[]", automatic: bool = False):
        """One request with everything in it: photo, hints as JSON text, automatic or not.

        ``hints`` is a list of ``{"x": .., "y": .., "color": .., "size": ..}`` as JSON text
        (or a list). Returns what :meth:`colour` returns.
        """
        colorizer = self.open_photo(upload)
        if automatic:
            return self.colour(colorizer)
        if isinstance(hints, str):
            try:
                hints = json.loads(hints or "[]")
            except json.JSONDecodeError as err:
                raise WorkshopError(
                    'The hints are not readable JSON. Write them like [{"x": 100, "y": 80, '
                    '"color": "red"}], or leave them empty.'
                ) from err
        if not isinstance(hints, list) or not all(isinstance(h, dict) for h in hints):
            raise WorkshopError(
                'The hints must be a list like [{"x": 100, "y": 80, "color": "red"}].'
            )
        try:
            colorizer.set_hints(hints)
        except KeyError as err:
            raise WorkshopError(f"A hint lacks {err}; each needs x, y and color.") from err
        return self.colour(colorizer)

    def add_hint(self, colorizer, x, y, color, size: int = 5) -> None:
        """Place a hint at pixel (x, y) of the photo."""
        if colorizer is None:
            raise WorkshopError("Upload a photo first, then click on it to place a hint.")
        colorizer.add_hint(x, y, _parse_color(color), size=int(size))

    # --- speak ----------------------------------------------------------------------------------

    def voices(self, engine_name: str) -> list[str]:
        """The voice names of an offered engine (the first is its default)."""
        engine = self._engine(engine_name)
        return [voice.name for voice in engine.voices()]

    def speak(self, text, engine_name: str, voice=None, speed: float = 1.0):
        """Speak text with an offered engine; returns the sound file and a note."""
        with self._refusals("speak", str(text or "")[:40]):
            text = check_text(text, limits=self.limits)
            engine = self._engine(engine_name)
        label = " ".join(text.split()[:6])
        with self.meter.request("speak", label, device=self.device.type) as record:
            samples, sample_rate = engine.speak(text, voice=voice or None, speed=float(speed))
            path = self._save_sound(samples, sample_rate, "speech")
        seconds = samples.shape[-1] / sample_rate
        lines = [
            f"{engine.title}: {seconds:.1f} s of sound. Licence: {engine.licence}.",
            self._cost_line(record, "speak", engine.name, seconds),
        ]
        if runtime.is_offline() and engine.name in _neural_names():
            lines.insert(
                1, "Offline mode: this is the small untrained test model, so it makes noise."
            )
        return path, "\n\n".join(lines)

    def _engine(self, name: str):
        from .. import speech

        verdict = speech_verdict(str(name))
        if not verdict.offered:
            raise WorkshopError(f"This app does not offer '{name}': {verdict.reason}")
        engine = speech.get_engine(name)
        engine.require()  # not installed here: the message says how to install it
        return engine

    # --- separate ---------------------------------------------------------------------------------

    def separate(self, upload, stems=2, *, progress=None):
        """Split an uploaded song into stems; the upload is deleted. ``upload`` None: the sample.

        Returns
        -------
        stems : list of (str, Path)
            Stem name and its MP3 file, in the model's order.
        note : str
        """
        from ..separate import load_sample_song

        try:
            stems = int(stems)
        except (TypeError, ValueError):
            stems = 0
        if stems not in STEM_CHOICES:
            raise WorkshopError("Choose 2, 4 or 5 stems.")
        separator = self._separator(stems)
        if upload is None:
            song = load_sample_song()
            audio, rate, name = song.mix, song.sample_rate, "the sample song"
        else:
            path, name = self._receive(upload)
            try:
                with self._refusals("separate", name):
                    check_song(path, limits=self.limits, name=name)
                    from ..media.audio import load_audio

                    audio, rate = load_audio(path)
            finally:
                forget(path, self.folder)
        with self.meter.request("separate", name, device=self.device.type) as record:
            parts = separator.separate(audio, rate, progress=progress or False)
            files = [
                (stem, self._save_sound(parts[stem], parts.sample_rate, stem))
                for stem in parts.names
            ]
        lines = [
            f"Separated '{name}' ({parts.seconds:.1f} s) into {len(files)} stems with Spleeter "
            f"{parts.model}. Licence: MIT (Deezer).",
            self._cost_line(record, "separate", f"{stems}stems", parts.seconds),
            *parts.notes,
        ]
        return files, "\n\n".join(lines)

    def _separator(self, stems: int):
        from ..separate import Separator

        with self._lock:
            if stems not in self._separators:
                self._separators[stems] = Separator(stems, device=str(self.device))
            return self._separators[stems]

    # --- shared -----------------------------------------------------------------------------------

    def _receive(self, upload) -> tuple[Path, str]:
        """The upload's path and name; uploads into the private folder are remembered."""
        path, name = _upload_path(upload)
        if path.resolve().is_relative_to(self.folder.resolve()):
            with self._lock:
                self.uploads.append(path)
                del self.uploads[:-1000]
        return path, name

    @contextlib.contextmanager
    def _refusals(self, task: str, label: str):
        """Count a WorkshopError raised inside as a refused request, then let it through."""
        try:
            yield
        except WorkshopError as err:
            self.meter.refuse(task, label, str(err))
            raise

    def uploads_left(self) -> list[Path]:
        """Uploads still on the server (there should be none once their requests are done)."""
        with self._lock:
            return [path for path in self.uploads if path.exists()]

    def _results(self) -> Path:
        """A fresh folder for one request's results, inside the private folder."""
        folder = self.folder / "results" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder

    def _save_sound(self, samples, sample_rate: int, name: str) -> Path:
        from ..media.audio import save_audio

        folder = self._results()
        try:
            return save_audio(folder / f"{name}.mp3", samples, sample_rate)
        except WorkshopError:  # a libsndfile without MP3
            return save_audio(folder / f"{name}.wav", samples, sample_rate)

    def _cost_line(self, record, task: str, model: str = "siggraph17", amount: float = 1) -> str:
        cost = cost_of(record.seconds, record.device)
        line = f"**Cost:** {cost.text()}"
        figure = BENCHMARKS.get((task, model))
        if figure is not None:
            expected = figure.seconds_per_unit * amount
            line += (
                f" Our benchmark ({figure.measured_on}) expects about {expected:.2f} s for this."
            )
        return line


def _neural_names() -> tuple[str, ...]:
    from ..speech import NEURAL

    return NEURAL
