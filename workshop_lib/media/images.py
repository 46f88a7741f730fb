"""Every picture enters the workshop here: any file, address, bytes or array -> an upright RGB image.

:func:`open_image` reads what a learner may bring: a file path, a web address, the bytes of a
file, a ``PIL.Image`` or a numpy array, in JPEG, PNG, WebP, TIFF, BMP or GIF. Phone photos are
turned upright (EXIF rotation), see-through parts are put on white, palette, 16-bit and
greyscale pictures are converted, and very large pictures are shrunk to a size the notebooks
handle, with a note. Broken, tiny or absurdly large files give a clear message instead of a
traceback. :func:`side_by_side` puts pictures next to each other with titles, for showing.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from .. import net, runtime
from ..errors import WorkshopError

ImageSource: TypeAlias = "str | os.PathLike | bytes | np.ndarray | Image.Image"
"""What :func:`open_image` reads: a file, a web address, its contents, an array or a picture."""

__all__ = [
    "MAX_SIDE",
    "MIN_SIDE",
    "LoadedImage",
    "is_greyscale",
    "load_image",
    "open_image",
    "side_by_side",
]

MAX_SIDE = 4096
"""Pictures whose longest side is larger are shrunk to this many pixels (with a note)."""
MIN_SIDE = 8
"""Pictures with a side shorter than this are refused: there is nothing to work with."""
_MAX_DECODED_PIXELS = (
    120_000_000  # larger pictures that cannot be decoded at reduced size are refused
)
_MAX_DOWNLOAD_BYTES = 60_000_000
_URL_TIMEOUT = (10, 30)  # seconds to connect, and to wait for data
_FORMATS = "JPEG, PNG, WebP, TIFF, BMP or GIF"
_OPEN_LOCK = threading.Lock()  # guards Pillow's global decompression-bomb limit while we open
_GREY_CHANNEL_DIFFERENCE = 6  # RGB pictures whose channels differ less than this are grey


@dataclass(frozen=True)
class LoadedImage:
    """A picture read by :func:`open_image`, with what we learned on the way.

    Attributes
    ----------
    image : PIL.Image.Image
        The picture, upright, in RGB (a grey picture has R = G = B).
    name : str
        How to call it in messages: the file name, the address's last part, or "your picture".
    original_size : tuple of int
        Width and height in the file, after turning it upright, before any shrinking.
    greyscale : bool
        True when the picture has no colour (a black-and-white photo).
    note : str or None
        What was changed on the way that a learner should know (such as shrinking), or None.
    """

    image: Image.Image
    name: str
    original_size: tuple[int, int]
    greyscale: bool
    note: str | None = None


def load_image(source: ImageSource, *, max_side: int = MAX_SIDE) -> Image.Image:
    """Read a picture from a file, web address, bytes, ``PIL.Image`` or array, as upright RGB.

    This is :func:`open_image` for when you want only the picture; a note (such as "shrunk to
    4096 pixels") is printed.

    Parameters
    ----------
    source : str, Path, bytes, PIL.Image.Image or numpy.ndarray
        See :func:`open_image`.
    max_side : int
        Pictures with a longer side are shrunk to this size.

    Returns
    -------
    PIL.Image.Image
        An RGB picture.

    Raises
    ------
    WorkshopError
        When the picture cannot be read; the message says why and what to try.

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> load_image(bundled("images/coffee.jpg")).size
    (600, 400)
    """
    loaded = open_image(source, max_side=max_side)
    if loaded.note:
        print(loaded.note)
    return loaded.image


def open_image(
    source: ImageSource, *, max_side: int = MAX_SIDE, min_side: int = MIN_SIDE
) -> LoadedImage:
    """Read any picture a learner brings and return it upright in RGB, with notes.

    Files and addresses are opened with Pillow; JPEG, PNG, WebP, TIFF, BMP and GIF (first frame)
    work. The picture is turned upright as the camera recorded (EXIF), see-through parts are put
    on a white background, palette and 16-bit pictures are converted, and greyscale is kept grey
    (in RGB). A picture with a side over ``max_side`` is shrunk (huge JPEG files are decoded at
    reduced size right away, so they fit in memory); the note says so. Web addresses are
    downloaded with a time limit, and not at all when the offline switch is on.

    Parameters
    ----------
    source : str, Path, bytes, file object, PIL.Image.Image or numpy.ndarray
        A path, an ``http(s)://`` address, the bytes of an image file, an open file, a Pillow
        picture, or an array of shape (height, width), (height, width, 3) or (height, width, 4):
        uint8 0..255, uint16 0..65535, or floats 0..1.
    max_side : int
        Longest side, in pixels, of the picture returned; larger ones are shrunk.
    min_side : int
        Pictures with a shorter side than this are refused.

    Returns
    -------
    LoadedImage
        The picture (``.image``) with its name, original size, whether it is grey, and a note.

    Raises
    ------
    WorkshopError
        Missing file, not a picture, damaged file, too small, too large to open safely, or a
        web address that cannot be fetched.

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> photo = open_image(bundled("images/coffee.jpg"))
    >>> photo.image.size, photo.greyscale
    ((600, 400), False)
    """
    if isinstance(source, Image.Image):
        name = "your picture"
        picture = _from_pillow(source)
        file_size = picture.size
    elif isinstance(source, np.ndarray):
        name = "your array"
        picture = _from_array(source)
        file_size = picture.size
    else:
        name, data = _read_bytes(source)
        picture, file_size = _decode(data, name, max_side)
    before = picture.size
    try:
        greyscale, picture = _normalise(picture, name)
    except WorkshopError:
        raise
    except Exception as err:  # damaged EXIF or palette data shows up only here
        raise _damaged(name, err) from err
    turned = picture.size != before  # EXIF rotation by a quarter turn swaps width and height
    original_size = (file_size[1], file_size[0]) if turned else file_size
    width, height = picture.size
    if min(width, height) < min_side:
        raise WorkshopError(
            f"{_quote(name, capital=True)} is only {width} × {height} pixels, too small to work "
            f"with (at least {min_side} pixels a side). Use the full-size photo rather than a "
            "thumbnail or icon."
        )
    note = None
    if max(original_size) > max_side:
        scale = max_side / max(width, height)
        if scale < 1:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        note = (
            f"{_quote(name, capital=True)} is {original_size[0]} × {original_size[1]} pixels; we "
            f"work on a copy shrunk to {picture.size[0]} × {picture.size[1]} (at most {max_side} "
            "pixels a side), so it fits in memory and stays quick. Your file is unchanged."
        )
    return LoadedImage(picture, name, original_size, greyscale, note)


def is_greyscale(image: Image.Image) -> bool:
    """True when a picture has no colour: a grey mode, or RGB whose three channels (almost) agree.

    Small differences, such as JPEG compression leaves in a scanned black-and-white photo, do
    not count as colour.
    """
    if image.mode in ("1", "L", "LA", "I", "F") or image.mode.startswith("I;16"):
        return True
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    spread = rgb.max(axis=-1) - rgb.min(axis=-1)
    return float(np.percentile(spread, 99.5)) <= _GREY_CHANNEL_DIFFERENCE


def side_by_side(
    *images: Image.Image,
    titles: Sequence[str] | None = None,
    height: int = 320,
    gap: int = 8,
) -> Image.Image:
    """Put pictures next to each other at the same height, with a title above each.

    Parameters
    ----------
    *images : PIL.Image.Image
        The pictures, left to right.
    titles : sequence of str, optional
        One title per picture.
    height : int
        Height of each picture in pixels (widths follow their shapes).
    gap : int
        Pixels of white between pictures.

    Returns
    -------
    PIL.Image.Image
        One RGB picture; a notebook shows it when it is the last line of a cell.

    Examples
    --------
    >>> from PIL import Image
    >>> side_by_side(Image.new("RGB", (20, 10)), Image.new("L", (10, 10)), height=50).size
    (158, 50)
    """
    if not images:
        raise WorkshopError("side_by_side() needs at least one picture.")
    if titles is not None and len(titles) != len(images):
        raise WorkshopError(
            f"Give one title per picture: {len(images)} pictures, {len(titles)} titles."
        )
    scaled = [
        image.convert("RGB").resize(
            (max(1, round(image.width * height / image.height)), height),
            Image.Resampling.LANCZOS,
        )
        for image in images
    ]
    top = 22 if titles else 0
    width = sum(image.width for image in scaled) + gap * (len(scaled) - 1)
    canvas = Image.new("RGB", (width, height + top), "white")
    draw = ImageDraw.Draw(canvas)
    x = 0
    for index, image in enumerate(scaled):
        canvas.paste(image, (x, top))
        if titles:
            draw.text((x + 2, 4), str(titles[index]), fill=(30, 30, 30))
        x += image.width + gap
    return canvas


# --- reading ----------------------------------------------------------------------------------


def _quote(name: str, *, capital: bool = False) -> str:
    """A name as it appears in a sentence: 'photo.jpg', or 'your picture' without quotes."""
    if name.startswith("your "):
        return name[0].upper() + name[1:] if capital else name
    return f"'{name}'"


def _read_bytes(source) -> tuple[str, bytes]:
    """The name and the bytes of a path, web address, bytes object or open file."""
    if isinstance(source, bytes | bytearray | memoryview):
        return "your picture", bytes(source)
    if hasattr(source, "read"):
        name = Path(getattr(source, "name", "your picture") or "your picture").name
        return name, source.read()
    if isinstance(source, str) and source.strip().lower().startswith(("http://", "https://")):
        return _download(source.strip())
    if not isinstance(source, str | os.PathLike):
        raise WorkshopError(
            f"A picture can be a file path, a web address, bytes, a PIL image or a numpy array, "
            f"not a {type(source).__name__}."
        )
    path = Path(source).expanduser()
    if not path.exists():
        raise WorkshopError(
            f"There is no file '{path.as_posix()}'. Check the name and the folder (upload the "
            "photo first if it is on your own computer)."
        )
    if path.is_dir():
        raise WorkshopError(f"'{path.as_posix()}' is a folder, not a picture. Name a file in it.")
    try:
        return path.name, path.read_bytes()
    except OSError as err:
        raise WorkshopError(f"'{path.name}' could not be read ({err.strerror or err}).") from err


def _download(url: str) -> tuple[str, bytes]:
    """Fetch a picture from the web, with a time and size limit."""
    name = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or url
    if runtime.is_offline():
        raise WorkshopError(
            f"The offline switch is on ({runtime.OFFLINE_VARIABLE}=1), so the picture at {url} "
            "is not downloaded. Save it from your browser and upload the file instead, or turn "
            "the offline switch off."
        )
    import requests

    headers = {"User-Agent": "workshop_lib (image loader)"}
    try:
        with requests.get(url, timeout=_URL_TIMEOUT, stream=True, headers=headers) as response:
            response.raise_for_status()
            kind = response.headers.get("Content-Type", "")
            if kind.startswith("text/html"):
                raise WorkshopError(
                    f"{url} is a web page, not a picture. In the browser, right-click the picture "
                    "and choose 'Copy image address', then use that address."
                )
            data = bytearray()
            for chunk in response.iter_content(256 * 1024):
                data += chunk
                if len(data) > _MAX_DOWNLOAD_BYTES:
                    raise WorkshopError(
                        f"The picture at {url} is over {_MAX_DOWNLOAD_BYTES // 1_000_000} MB, too "
                        "big for this notebook. Save a smaller copy and upload it."
                    )
    except requests.RequestException as err:
        raise WorkshopError(
            f"The picture at {url} could not be downloaded: {net.failure_reason(err)}. Check the "
            "address, or save the picture from your browser and upload it."
        ) from err
    return name, bytes(data)


class _NoBombLimit:
    """Open a picture without Pillow's global pixel limit; we check the size ourselves."""

    def __enter__(self):
        _OPEN_LOCK.acquire()
        self._saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None

    def __exit__(self, *exc):
        Image.MAX_IMAGE_PIXELS = self._saved
        _OPEN_LOCK.release()


def _decode(data: bytes, name: str, max_side: int) -> tuple[Image.Image, tuple[int, int]]:
    """Decode image bytes safely: size checked before decoding, huge JPEGs decoded reduced.

    Returns the picture and its size in the file.
    """
    if not data:
        raise WorkshopError(f"{_quote(name, capital=True)} is empty (0 bytes). Upload it again.")
    try:
        with _NoBombLimit():
            picture = Image.open(io.BytesIO(data))
        width, height = picture.size
        if max(width, height) > max_side and picture.format == "JPEG":
            scale = max_side / max(width, height)
            picture.draft(picture.mode, (int(width * scale) + 1, int(height * scale) + 1))
        if picture.size[0] * picture.size[1] > _MAX_DECODED_PIXELS:
            raise WorkshopError(
                f"{_quote(name, capital=True)} is {width} × {height} pixels "
                f"({width * height / 1e6:.0f} megapixels), too large to open safely here. Save a "
                f"smaller copy (at most {max_side} pixels a side is plenty) or a JPEG, and try again."
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            picture.load()
    except WorkshopError:
        raise
    except UnidentifiedImageError as err:
        raise WorkshopError(
            f"{_quote(name, capital=True)} is not a picture we can read. Use a {_FORMATS} file; "
            "if it is one, it may be damaged: upload it again."
        ) from err
    except MemoryError as err:
        raise WorkshopError(
            f"{_quote(name, capital=True)} needs more memory than this computer has free. Save a "
            "smaller copy and try again."
        ) from err
    except Exception as err:  # Pillow's decoders raise many types for damaged files
        raise _damaged(name, err) from err
    return picture, (width, height)


def _damaged(name: str, err: Exception) -> WorkshopError:
    return WorkshopError(
        f"{_quote(name, capital=True)} could not be read: the file looks damaged or "
        f"incomplete ({type(err).__name__}: {str(err)[:200]}). Upload it again, or save it "
        "again as a JPEG or PNG."
    )


def _from_pillow(picture: Image.Image) -> Image.Image:
    """A Pillow picture given directly: make sure its pixels are read."""
    try:
        picture.load()
    except (OSError, SyntaxError, ValueError) as err:
        raise WorkshopError(f"Your picture could not be read ({err}).") from err
    return picture


def _from_array(array: np.ndarray) -> Image.Image:
    """A numpy array -> Pillow picture (grey, RGB or RGBA), scaled to 8 bits."""
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise WorkshopError(
            f"An array picture needs the shape (height, width), (height, width, 3) or (height, "
            f"width, 4); this one is {array.shape}."
        )
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif array.dtype == np.uint16:
        array = (array // 257).astype(np.uint8)
    elif array.dtype.kind == "f":
        finite = np.nan_to_num(array.astype(np.float64), nan=0.0)
        top = 1.0 if finite.size == 0 or finite.max() <= 1.0 else 255.0
        array = np.clip(np.rint(finite / top * 255.0), 0, 255).astype(np.uint8)
    elif array.dtype.kind in "iu":
        if array.size and (array.min() < 0 or array.max() > 255):
            raise WorkshopError(
                "An array picture of whole numbers must hold 0..255 (or be uint16); this one "
                f"goes from {array.min()} to {array.max()}."
            )
        array = array.astype(np.uint8)
    else:
        raise WorkshopError(f"An array of {array.dtype} is not a picture.")
    return Image.fromarray(np.ascontiguousarray(array))


def _sixteen_bit_to_grey(picture: Image.Image) -> Image.Image:
    """A 16- or 32-bit grey picture -> 8-bit grey, keeping its full range (Pillow would clip)."""
    values = np.asarray(picture, dtype=np.float64)
    if picture.mode == "F":
        top = 1.0 if values.size and np.nanmax(values) <= 1.0 else 255.0
    else:
        top = 65535.0 if values.size and values.max() > 255 else 255.0
    scaled = np.clip(np.rint(np.nan_to_num(values) / top * 255.0), 0, 255).astype(np.uint8)
    return Image.fromarray(scaled, mode="L")


def _on_white(picture: Image.Image) -> Image.Image:
    """Put a picture with see-through parts on a white background."""
    rgba = picture.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _normalise(picture: Image.Image, name: str) -> tuple[bool, Image.Image]:
    """Upright, first frame, RGB on white; also say whether it is grey."""
    try:
        if getattr(picture, "n_frames", 1) > 1:
            picture.seek(0)
        picture = ImageOps.exif_transpose(picture) or picture
    except (OSError, SyntaxError, ValueError) as err:
        raise WorkshopError(f"{_quote(name, capital=True)} could not be read ({err}).") from err
    mode = picture.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        picture = _sixteen_bit_to_grey(picture)
    elif mode == "P":
        transparent = "transparency" in picture.info
        picture = _on_white(picture) if transparent else picture.convert("RGB")
    elif mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        picture = _on_white(picture)
    elif mode != "RGB":
        picture = picture.convert("RGB")
    greyscale = is_greyscale(picture)
    return greyscale, picture.convert("RGB")
