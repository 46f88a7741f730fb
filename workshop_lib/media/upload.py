"""Bring files from the learner's computer into the notebook: an upload button that saves them.

``ipywidgets.FileUpload`` hands over its files in two shapes: a dict on ipywidgets 7 (Colab) and
a tuple of dicts on ipywidgets 8 (JupyterLab 4). :func:`uploaded_files` reads both, and
:class:`UploadBox` saves every upload under a safe name, never over an earlier one.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets

from ..assets import format_size
from ..errors import WorkshopError

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["UploadBox", "preview", "safe_name", "show_folder", "uploaded_files"]

_UNSAFE = re.compile(r"[^\w.\- ()]+")  # keep letters (any language), digits, . - _ space ( )
_LONGEST_NAME = 120


def uploaded_files(widget: ipywidgets.FileUpload) -> list[tuple[str, bytes]]:
    """List the files a ``FileUpload`` widget holds, as (name, content) pairs.

    Works with both shapes of ``FileUpload.value``: ipywidgets 7 (Colab) keeps a dict
    ``{name: {"metadata": ..., "content": bytes}}``, ipywidgets 8 a tuple of dicts with
    ``name`` and ``content`` (a memoryview). The names are as the browser sent them: not yet safe.

    Parameters
    ----------
    widget : ipywidgets.FileUpload or its ``value``
        The upload widget, or the value itself.

    Returns
    -------
    list of (str, bytes)
        One pair per file, in upload order; empty when nothing was uploaded.

    Examples
    --------
    >>> uploaded_files({"a.txt": {"metadata": {"name": "a.txt"}, "content": b"hi"}})
    [('a.txt', b'hi')]
    """
    value = getattr(widget, "value", widget)
    if isinstance(value, dict):  # ipywidgets 7
        return [(name, bytes(item["content"])) for name, item in value.items()]
    return [(item["name"], bytes(item["content"])) for item in value or ()]  # ipywidgets 8


def safe_name(name: str) -> str:
    """Turn a file name from the browser into one that stays inside the upload folder."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip(" ._") or "upload"
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:16]
    stem = stem[: _LONGEST_NAME - len(suffix) - 1] or "upload"
    return f"{stem}.{suffix}" if suffix else stem


class UploadBox(ipywidgets.VBox):
    """An upload button with a message line that saves each uploaded file into a folder.

    Displaying the box (make it the last line of a cell) shows a button; the files a learner
    picks are saved into ``folder`` under a safe name, and a message says where. A file whose
    name is taken gets a number (``cat-2.jpg``) rather than replacing the earlier upload.
    Works with ipywidgets 7 (Colab) and 8 (JupyterLab 4).

    Parameters
    ----------
    folder : str or Path
        Where uploads go; the default ``"uploads"`` is relative to the notebook's folder (on
        Colab that is ``/content/uploads``, which is deleted with the runtime).
    accept : str
        File types the browser offers, such as ``"image/*"`` or ``".wav,.mp3"``; ``""`` for all.
    multiple : bool
        True lets the learner pick several files at once.
    max_megabytes : float
        Larger files are refused with a message.

    Attributes
    ----------
    paths : list of Path
        Every file saved so far, oldest first.
    button : ipywidgets.FileUpload
        The upload button itself.
    message : ipywidgets.HTML
        The line under the button that says what happened.

    Examples
    --------
    >>> box = UploadBox("uploads", accept="image/*")
    >>> box.latest is None
    True
    """

    def __init__(
        self,
        folder: str | os.PathLike = "uploads",
        *,
        accept: str = "",
        multiple: bool = True,
        max_megabytes: float = 200,
    ) -> None:
        self.folder = Path(folder)
        self.max_bytes = int(max_megabytes * 1e6)
        self.paths: list[Path] = []
        self.button = ipywidgets.FileUpload(
            accept=accept, multiple=multiple, description="Choose file"
        )
        self.message = ipywidgets.HTML(
            html.escape(  # the folder name may hold < or &
                "Press the button and pick a file from your computer. "
                f"It is saved in the folder {self.folder.as_posix()}/"
            )
        )
        super().__init__(children=[self.button, self.message])
        # ipywidgets 7 counts uploads in _counter, so picking the same file again still counts.
        counted = "_counter" in self.button.trait_names()
        self.button.observe(self._on_upload, names="_counter" if counted else "value")

    @property
    def latest(self) -> Path | None:
        """The file saved last, or None before the first upload."""
        return self.paths[-1] if self.paths else None

    def latest_or(self, default: str | os.PathLike) -> Path:
        """Return the file uploaded last, or ``default`` when nothing was uploaded; say which.

        During "Run all" nobody presses the button, so a notebook passes a bundled sample here
        and carries on with it.

        Parameters
        ----------
        default : str or Path
            The file to use when nothing was uploaded yet, such as a bundled sample.

        Returns
        -------
        Path
        """
        if self.latest is not None:
            print(f"Using your upload: {self.latest.as_posix()}")
            return self.latest
        default = Path(default)
        print(f"Nothing uploaded yet, so we use the sample file '{default.name}'.")
        return default

    def save(self, name: str, content: bytes) -> Path:
        """Save one file into the folder under a safe, unused name and return its path.

        Raises
        ------
        WorkshopError
            When the file is larger than the box's limit.
        """
        if len(content) > self.max_bytes:
            raise WorkshopError(
                f"'{name}' is {format_size(len(content))}, more than this box takes "
                f"({format_size(self.max_bytes)}), so it was not saved. Pick a smaller file, "
                "or shorten or shrink it first."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        clean = safe_name(name)
        stem, dot, suffix = clean.rpartition(".")
        path, number = self.folder / clean, 1
        while True:
            try:
                with path.open("xb") as file:  # "x": fail rather than overwrite
                    file.write(content)
            except FileExistsError:
                number += 1
                path = self.folder / (f"{stem}-{number}.{suffix}" if dot else f"{clean}-{number}")
            else:
                self.paths.append(path)
                return path

    def _on_upload(self, _change) -> None:
        files = uploaded_files(self.button)
        if not files:
            return
        lines = []
        for name, content in files:
            try:
                path = self.save(name, content)
            except WorkshopError as err:
                lines.append(str(err))
            except OSError as err:
                lines.append(
                    f"'{name}' could not be saved ({err.strerror or err}). Please try again."
                )
            else:
                lines.append(f"Saved '{name}' ({format_size(len(content))}) to {path.as_posix()}")
        self.message.value = "<br>".join(html.escape(line, quote=False) for line in lines)
        if isinstance(self.button.value, tuple):
            # ipywidgets 8: empty the button, so the same file can be picked again; frees memory.
            self.button.value = ()


def preview(path: str | os.PathLike, *, size: int = 400) -> Image.Image:
    """Open a picture and shrink it to at most ``size`` pixels a side, for showing in a notebook.

    Photos from phones are turned upright (they store the rotation separately, in EXIF data).

    Parameters
    ----------
    path : str or Path
        A picture file (JPEG, PNG, WebP, GIF, ...).
    size : int
        The longest side of the preview, in pixels.

    Returns
    -------
    PIL.Image.Image
        An RGB picture; a notebook shows it when it is the last line of a cell.

    Raises
    ------
    WorkshopError
        When the file is not there or is not a picture.

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> preview(bundled("images/coffee.jpg"), size=200).size
    (200, 133)
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except FileNotFoundError as err:
        raise WorkshopError(f"There is no file '{path.as_posix()}'. Check the name.") from err
    except (UnidentifiedImageError, OSError) as err:
        raise WorkshopError(
            f"'{path.name}' is not a picture we can show (that is fine: it is saved in "
            f"{path.parent.as_posix()}/). To see a picture here, upload a .jpg or .png file."
        ) from err
    picture.thumbnail((size, size))
    return picture


def show_folder(folder: str | os.PathLike = "uploads") -> None:
    """Print the files in a folder with their sizes, like a file manager.

    Parameters
    ----------
    folder : str or Path
        The folder to list; relative to the notebook's folder unless it starts with ``/``.

    Examples
    --------
    >>> show_folder("no such folder")
    The folder 'no such folder' does not exist yet: nothing was saved there.
    """
    folder = Path(folder)
    if not folder.is_dir():
        print(f"The folder '{folder.as_posix()}' does not exist yet: nothing was saved there.")
        return
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if not files:
        print(f"The folder '{folder.as_posix()}' is empty.")
        return
    total = sum(p.stat().st_size for p in files)
    print(f"{folder.resolve().as_posix()}/ holds {len(files)} file(s), {format_size(total)}:")
    width = max(len(p.name) for p in files)
    for p in files:
        print(f"  {p.name:<{width}}  {format_size(p.stat().st_size):>9}")
