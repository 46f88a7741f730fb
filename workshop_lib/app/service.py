"""What the web app does for each request, without the web page: checks, models, files, costs.

:class:`Service` holds the app's limits, its meter and its private folder, and calls the same
objects the notebooks use: :class:`~workshop_lib.colorize.Colorizer`, the speech engines of
:mod:`workshop_lib.speech`, and :class:`~workshop_lib.separate.Separator`. Every upload is
checked and read into the request's own memory, then released (deleted once no other request
that sent the same file needs it, see :mod:`~workshop_lib.app.uploads`); results are written
into the private folder, from where the web page serves them for a few minutes. Mistakes raise
:class:`WorkshopError` with a plain message, which the web page shows to the visitor. Names and
texts from visitors are escaped before they reach a page (:func:`shown`).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import ImageDraw

from .. import runtime
from ..errors import WorkshopError
from .costs import BENCHMARKS, cost_of
from .licences import speech_verdict
from .limits import Limits, check_size, check_song
from .meter import Meter
from .uploads import Uploads

if TYPE_CHECKING:
    import torch

    from ..colorize import Colorizer

__all__ = ["Service", "shown"]

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


def _picker_color(color):
    """A colour from Gradio's colour picker ("#rrggbb", a name, or "rgba(r, g, b, a)") as RGB 0..1."""
    from ..colorize.colors import parse_color

    text = str(color or "").strip() or "red"
    numbers = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if numbers:  # the picker's own format; parse_color takes the numbers
        try:
            text = tuple(round(float(v)) for v in numbers.group(1).split(",")[:3])
        except ValueError:
            pass  # parse_color says plainly what is wrong
    return parse_color(text)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~-])")


def shown(value: object) -> str:
    r"""A visitor's name or text, made safe to show on a page: HTML and Markdown shown as text.

    Examples
    --------
    >>> print(shown("<img src=x onerror=alert(1)>_1.png"))
    &lt;img src=x onerror=alert\(1\)&gt;\_1.png
    """
    return _MARKDOWN.sub(r"\\\1", html.escape(str(value), quote=False))


class Service:
    """The app's work, one method per kind of request.

    Parameters
    ----------
    folder : Path
        The app's private folder: uploads arrive here and results are written here.
    limits : Limits
        What one request may send.
    device : str, torch.device or None
        Where the models run (see :func:`workshop_lib.runtime.pick_device`); None picks the GPU
        when there is one.

    Attributes
    ----------
    meter : Meter
        Counts every model request.
    uploads : Uploads
        The uploads in the private folder, counted, so each is deleted once read.
    """

    def __init__(
        self,
        folder: Path,
        *,
        limits: Limits | None = None,
        device: str | torch.device | None = None,
    ) -> None:
        self.folder = Path(folder).resolve()
        self.limits = limits or Limits()
        self.device = runtime.pick_device(device)
        self.meter = Meter()
        self.uploads = Uploads(self.folder)
        self._separators: dict[int, object] = {}
        self._lock = threading.Lock()

    # --- colorize --------------------------------------------------------------------------------

    def open_photo(self, upload: dict | str | Path) -> Colorizer:
        """Check and read an uploaded photo into a :class:`Colorizer`; the upload is released.

        Raises
        ------
        WorkshopError
            Too large a file, or not a picture.
        """
        from ..colorize import Colorizer

        with self._reading(upload) as (path, name), self._refusals("colorize", name):
            check_size(
                path,
                limit_megabytes=self.limits.photo_megabytes,
                what="photos",
                name=name,
                advice="Make it smaller (save it as JPEG, or at a smaller size) and upload it "
                "again.",
            )
            colorizer = Colorizer(path, max_side=self.limits.photo_side, device=self.device)
            colorizer.name = name  # the visitor's own file name (the server's copy is renamed)
            return colorizer

    def colour(self, colorizer: Colorizer | None) -> tuple[list[Path], str]:
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
        lines = [
            f"Coloured '{shown(colorizer.name)}' ({kind}).",
            self._cost_line(record, "colorize"),
        ]
        if colorizer.note:
            lines.insert(1, shown(colorizer.note))
        return [saved["image"], saved["hints"]], "\n\n".join(lines)

    def hint_picture(self, colorizer: Colorizer | None) -> Path | None:
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

    def colorize_request(
        self, upload: dict | str | Path, hints: str | list = "[]", automatic: bool = False
    ) -> tuple[list[Path], str]:
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

    def add_hint(
        self, colorizer: Colorizer | None, x: float, y: float, color: str, size: int = 5
    ) -> None:
        """Place a hint at pixel (x, y) of the photo."""
        if colorizer is None:
            raise WorkshopError("Upload a photo first, then click on it to place a hint.")
        colorizer.add_hint(x, y, _picker_color(color), size=int(size))

    # --- speak ----------------------------------------------------------------------------------

    def voices(self, engine_name: str) -> list[str]:
        """The voice names of an offered engine (the first is its default)."""
        engine = self._engine(engine_name)
        return [voice.name for voice in engine.voices()]

    def speak(
        self, text: str, engine_name: str, voice: str | None = None, speed: float = 1.0
    ) -> tuple[Path, str]:
        """Speak text with an offered engine; returns the sound file and a note."""
        from ..speech.text import check_text

        with self._refusals("speak", str(text or "")[:40]):
            engine = self._engine(engine_name)
            text = check_text(
                "" if text is None else text,
                engine=engine.name,
                max_characters=self.limits.text_characters,
            )
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
            raise WorkshopError(f"This app does not offer '{shown(name)}': {verdict.reason}")
        engine = speech.get_engine(name, device=self.device)
        engine.require()  # not installed here: the message says how to install it
        return engine

    # --- separate ---------------------------------------------------------------------------------

    def separate(
        self,
        upload: dict | str | Path | None,
        stems: int | str = 2,
        *,
        progress: Callable | None = None,
    ) -> tuple[list[tuple[str, Path]], str]:
        """Split an uploaded song into stems; the upload is released. ``upload`` None: the sample.

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
            from ..media.audio import load_audio

            with self._reading(upload) as (path, name), self._refusals("separate", name):
                check_song(path, limits=self.limits, name=name)
                audio, rate = load_audio(path)
        with self.meter.request("separate", name, device=self.device.type) as record:
            parts = separator.separate(audio, rate, progress=progress or False)
            files = [
                (stem, self._save_sound(parts[stem], parts.sample_rate, stem))
                for stem in parts.names
            ]
        lines = [
            f"Separated '{shown(name)}' ({parts.seconds:.1f} s) into {len(files)} stems with Spleeter "
            f"{parts.model}. Licence: MIT (Deezer).",
            self._cost_line(record, "separate", f"{stems}stems", parts.seconds),
            *(shown(note) for note in parts.notes),
        ]
        return files, "\n\n".join(lines)

    def _separator(self, stems: int):
        from ..separate import Separator

        with self._lock:
            if stems not in self._separators:
                self._separators[stems] = Separator(stems, device=self.device)
            return self._separators[stems]

    # --- shared -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self, upload) -> Iterator[tuple[Path, str]]:
        """The upload's path and name while the request reads it; then the upload is released.

        An upload that did not arrive (or was deleted) is still released, so that its count
        never keeps a file.
        """
        try:
            path, name = _upload_path(upload)
        except WorkshopError:
            if isinstance(upload, dict) and upload.get("path"):
                self.uploads.release(upload["path"])
            raise
        try:
            yield path, name
        finally:
            self.uploads.release(path)

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
        return self.uploads.left()

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
    from ..speech.registry import NEURAL

    return NEURAL
