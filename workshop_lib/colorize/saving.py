"""Saving and resuming colouring work: the labelled picture, the hints file, the photo's fingerprint.

A saved hints file is JSON tied to its photo by a fingerprint (a SHA-256 hash of the photo in
grey), so hints are not put on the wrong photo by mistake. :func:`read_hints` checks a file and
scales its positions to the photo at hand; :func:`label` writes "Colours added by AI" on a
picture, so nobody takes the colours for the real ones.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PIL import Image, ImageDraw

from ..errors import WorkshopError
from ..media.names import safe_stem

if TYPE_CHECKING:
    from .hints import Hint

__all__ = ["HINTS_FORMAT", "fingerprint", "hints_record", "label", "read_hints", "save_files"]

HINTS_FORMAT = "workshop_lib colorize hints"
"""The ``format`` field of every hints file the workshop writes."""


class _Colorizer(Protocol):
    """What saving needs of a :class:`~workshop_lib.colorize.Colorizer` (named so to avoid an import circle)."""

    name: str
    fingerprint: str
    model_name: str

    @property
    def size(self) -> tuple[int, int]: ...

    @property
    def hints(self) -> tuple[Hint, ...]: ...

    def result(self) -> Image.Image: ...


def fingerprint(image: Image.Image) -> str:
    """SHA-256 of the photo in 8-bit grey (Pillow's integer conversion, the same on every
    computer) and its size: ties saved hints to the photo."""
    digest = hashlib.sha256(f"{image.width}x{image.height}:".encode())
    digest.update(image.convert("L").tobytes())
    return digest.hexdigest()


def hints_record(colorizer: _Colorizer) -> dict:
    """A Colorizer's hints as a JSON-ready dict, with the photo's name, size and fingerprint."""
    width, height = colorizer.size
    return {
        "format": HINTS_FORMAT,
        "version": 1,
        "photo": colorizer.name,
        "fingerprint": colorizer.fingerprint,
        "width": width,
        "height": height,
        "model": colorizer.model_name,
        "saved": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "hints": [asdict(hint) for hint in colorizer.hints],
    }


def save_files(
    colorizer: _Colorizer, folder: str | os.PathLike, *, name: str | None, with_label: bool
) -> dict[str, Path]:
    """Write ``<name>_colorized.png`` and ``<name>_hints.json`` into ``folder`` (see Colorizer.save)."""
    folder = Path(folder).expanduser()
    stem = safe_stem(name or Path(colorizer.name).stem, default="photo")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        image_path = folder / f"{stem}_colorized.png"
        hints_path = folder / f"{stem}_hints.json"
        picture = colorizer.result()
        if with_label:
            picture = label(picture, colorizer.model_name)
        picture.save(image_path)
        hints_path.write_text(json.dumps(hints_record(colorizer), indent=1), "utf-8")
    except OSError as err:
        raise WorkshopError(
            f"Could not save into {folder} ({err.strerror or err}). Choose a folder you can "
            "write to. Your hints are still here; nothing was lost."
        ) from err
    return {"image": image_path, "hints": hints_path}


def _read_record(path: Path) -> dict:
    """The JSON of a hints file, checked to be one."""
    try:
        record = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as err:
        raise WorkshopError(f"There is no hints file '{path.as_posix()}'.") from err
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise WorkshopError(
            f"'{path.name}' is not a hints file saved by the workshop (it could not be read "
            "as JSON). Your current hints are unchanged."
        ) from err
    if not isinstance(record, dict) or record.get("format") != HINTS_FORMAT:
        raise WorkshopError(
            f"'{path.name}' is not a hints file saved by the workshop. Your current hints "
            "are unchanged."
        )
    return record


def read_hints(
    path: str | os.PathLike, colorizer: _Colorizer, *, force: bool = False
) -> list[dict]:
    """The hints of a saved file as dicts (x, y, color, size), scaled to ``colorizer``'s photo.

    Raises
    ------
    WorkshopError
        Not a hints file, a damaged one, or hints for another photo (unless ``force``).
    """
    path = Path(path)
    record = _read_record(path)
    width, height = colorizer.size
    if record.get("fingerprint") != colorizer.fingerprint and not force:
        raise WorkshopError(
            f"The hints in '{path.name}' belong to another photo ('{record.get('photo')}', "
            f"{record.get('width')} × {record.get('height')} pixels), not to "
            f"'{colorizer.name}' ({width} × {height}). Open that photo, or use "
            "load_hints(..., force=True) to place them here anyway. Your current hints are "
            "unchanged."
        )
    try:
        scale_x = width / max(int(record.get("width") or width), 1)
        scale_y = height / max(int(record.get("height") or height), 1)
        return [
            {
                "x": min(round(item["x"] * scale_x), width - 1),
                "y": min(round(item["y"] * scale_y), height - 1),
                "color": item["color"],
                "size": item.get("size", 5),
            }
            for item in record.get("hints", [])
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise WorkshopError(
            f"'{path.name}' is damaged (a hint lacks {err}). Your current hints are unchanged."
        ) from err


def label(picture: Image.Image, model: str) -> Image.Image:
    """Write a small "Colours added by AI (model)" note in the bottom-left corner of a copy."""
    picture = picture.copy()
    draw = ImageDraw.Draw(picture, "RGBA")
    text = f"Colours added by AI ({model})"
    height = max(12, picture.height // 30)
    try:
        from PIL import ImageFont

        font = ImageFont.load_default(size=height)
    except (TypeError, OSError):  # an old Pillow without scalable default font
        font = None
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(3, height // 4)
    box = (
        pad,
        picture.height - (bottom - top) - 3 * pad,
        right - left + 3 * pad,
        picture.height - pad,
    )
    draw.rectangle(box, fill=(0, 0, 0, 120))
    draw.text((box[0] + pad, box[1] + pad - top), text, fill=(255, 255, 255, 230), font=font)
    return picture
