"""Face mapping, the idea behind photo filters: find faces, place the eyes, draw something fun on them.

Faces are found with scikit-image's LBP frontal-face detector (a cascade of simple pattern
tests that ships inside scikit-image, so it needs no download; OpenCV 5 no longer ships its own
face files). The detector finds face boxes only; the eyes are placed where they sit in an
upright face, about 38 % down the box and 30 % in from each side, and the records say so.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from .. import runtime
from ..assets import bundled
from ..errors import WorkshopError

if TYPE_CHECKING:
    from ..media.images import ImageSource

__all__ = [
    "SAMPLE_FACE",
    "Face",
    "add_party_look",
    "draw_face_map",
    "find_faces",
    "photo_or_webcam",
    "webcam_snapshot",
]

SAMPLE_FACE = "images/astronaut.jpg"
"""The bundled portrait (astronaut Eileen Collins, NASA, public domain) used when no photo is given."""

_EYE_DOWN = 0.38  # eyes sit this far down an upright face box ...
_EYE_IN = 0.30  # ... and this far in from its left and right sides
_MAX_SIDE = 1024  # photos are shrunk to this before the search, which keeps it under a second


@dataclass(frozen=True)
class Face:
    """One face found in a picture: its box and its eyes, in pixels.

    Parameters
    ----------
    left, top, width, height : int
        The face box; (left, top) is its upper-left corner, measured from the picture's
        upper-left corner.
    left_eye, right_eye : tuple of (int, int)
        (x, y) of the eye on the picture's left and on its right.
    eyes_estimated : bool
        True when the eyes were placed from the box (the usual proportions of a face) rather
        than found by looking.
    """

    left: int
    top: int
    width: int
    height: int
    left_eye: tuple[int, int]
    right_eye: tuple[int, int]
    eyes_estimated: bool = True

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom), as Pillow draws boxes."""
        return self.left, self.top, self.left + self.width, self.top + self.height


def _photo(photo) -> Image.Image:
    from ..media.images import load_image

    if photo is None:
        photo = bundled(SAMPLE_FACE)
    return load_image(photo, max_side=_MAX_SIDE)


def _merge(
    boxes: list[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
    """Join boxes that mark the same face (one's centre lies in the other) by averaging them."""
    groups: list[list[tuple[float, float, float, float]]] = []
    for box in sorted(boxes, key=lambda b: -b[2]):
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        for group in groups:
            g = group[0]
            if g[0] <= cx <= g[0] + g[2] and g[1] <= cy <= g[1] + g[3]:
                group.append(box)
                break
        else:
            groups.append([box])
    means = [[float(np.mean([b[i] for b in group])) for i in range(4)] for group in groups]
    return [(m[0], m[1], m[2], m[3]) for m in means]


def find_faces(photo: ImageSource | None = None, *, smallest: float = 0.12) -> list[Face]:
    """Find the faces in a photo and place their eyes.

    Parameters
    ----------
    photo : path, PIL.Image, numpy array or None
        Any picture the workshop can open; None uses the bundled portrait.
    smallest : float
        The smallest face to look for, as a fraction of the picture's shorter side (0.05 to
        0.9). Smaller values find smaller faces but take longer and find more false faces.

    Returns
    -------
    list of Face
        Largest first; empty when no face was found.

    Examples
    --------
    >>> faces = find_faces()  # the bundled portrait
    >>> len(faces)
    1
    """
    from skimage.color import rgb2gray
    from skimage.data import lbp_frontal_face_cascade_filename
    from skimage.feature import Cascade

    if not 0.05 <= smallest <= 0.9:
        raise WorkshopError(f"smallest must be between 0.05 and 0.9, not {smallest!r}.")
    picture = _photo(photo)
    pixels = rgb2gray(np.asarray(picture))
    short = min(pixels.shape)
    low = max(24, int(short * smallest))
    detector = Cascade(lbp_frontal_face_cascade_filename())
    found = detector.detect_multi_scale(
        img=pixels,
        scale_factor=1.15,
        step_ratio=1,
        min_size=(low, low),
        max_size=(int(short * 0.95), int(short * 0.95)),
        min_neighbor_number=3,
    )
    boxes = _merge([(d["c"], d["r"], d["width"], d["height"]) for d in found])
    faces = []
    for left, top, width, height in sorted(boxes, key=lambda b: -b[2] * b[3]):
        eye_y = round(top + _EYE_DOWN * height)
        faces.append(
            Face(
                left=round(left),
                top=round(top),
                width=round(width),
                height=round(height),
                left_eye=(round(left + _EYE_IN * width), eye_y),
                right_eye=(round(left + (1 - _EYE_IN) * width), eye_y),
            )
        )
    return faces


def draw_face_map(photo: ImageSource | None = None, faces: list[Face] | None = None) -> Image.Image:
    """Draw what the computer "sees": a box round each face and a dot on each eye.

    Parameters
    ----------
    photo : path, PIL.Image, numpy array or None
        The picture (None: the bundled portrait).
    faces : list of Face, optional
        From :func:`find_faces`; found here when not given.

    Returns
    -------
    PIL.Image.Image
    """
    picture = _photo(photo).copy()
    faces = find_faces(picture) if faces is None else faces
    draw = ImageDraw.Draw(picture)
    line = max(2, picture.width // 250)
    for number, face in enumerate(faces, start=1):
        draw.rectangle(face.box, outline=(255, 221, 0), width=line)
        radius = max(3, face.width // 25)
        for x, y in (face.left_eye, face.right_eye):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(230, 30, 30))
        label = f"face {number}" + (" (eyes estimated)" if face.eyes_estimated else "")
        draw.text((face.left, max(0, face.top - 12 - line)), label, fill=(255, 221, 0))
    if not faces:
        draw.text((10, 10), "No face found", fill=(255, 60, 60))
    return picture


def add_party_look(
    photo: ImageSource | None = None, faces: list[Face] | None = None, *, hat: bool = True
) -> Image.Image:
    """Put sunglasses on every face, and a party hat on top: a photo filter in a few lines.

    The glasses are drawn at the eyes and scaled with the face, so they follow the face
    wherever it is in the picture and however big it is.

    Parameters
    ----------
    photo : path, PIL.Image, numpy array or None
        The picture (None: the bundled portrait).
    faces : list of Face, optional
        From :func:`find_faces`; found here when not given.
    hat : bool
        Also draw a party hat.

    Returns
    -------
    PIL.Image.Image
        A new picture; the original is not changed.
    """
    picture = _photo(photo).convert("RGBA")
    faces = find_faces(picture.convert("RGB")) if faces is None else faces
    layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for face in faces:
        w = face.width
        lens_w, lens_h = 0.34 * w, 0.22 * w
        for x, y in (face.left_eye, face.right_eye):
            lens = (x - lens_w / 2, y - lens_h / 2, x + lens_w / 2, y + lens_h / 2)
            draw.rounded_rectangle(
                lens,
                radius=lens_h / 3,
                fill=(20, 20, 30, 235),
                outline=(230, 40, 140, 255),
                width=max(2, w // 40),
            )
            draw.line(
                (
                    lens[0] + lens_w * 0.2,
                    lens[1] + lens_h * 0.3,
                    lens[0] + lens_w * 0.45,
                    lens[1] + lens_h * 0.3,
                ),
                fill=(255, 255, 255, 160),
                width=max(1, w // 60),
            )
        (lx, ly), (rx, ry) = face.left_eye, face.right_eye
        draw.line(
            (lx + lens_w / 2, ly, rx - lens_w / 2, ry),
            fill=(230, 40, 140, 255),
            width=max(2, w // 35),
        )
        draw.line(
            (lx - lens_w / 2, ly, face.left, ly - 0.04 * w),
            fill=(230, 40, 140, 255),
            width=max(2, w // 40),
        )
        draw.line(
            (rx + lens_w / 2, ry, face.left + w, ry - 0.04 * w),
            fill=(230, 40, 140, 255),
            width=max(2, w // 40),
        )
        if hat:
            _party_hat(draw, face)
    return Image.alpha_composite(picture, layer).convert("RGB")


def _party_hat(draw: ImageDraw.ImageDraw, face: Face) -> None:
    w = face.width
    base_y = face.top + 0.02 * w
    left, right, tip = (
        face.left + 0.15 * w,
        face.left + 0.85 * w,
        (face.left + 0.5 * w, base_y - 0.8 * w),
    )
    draw.polygon([(left, base_y), (right, base_y), tip], fill=(60, 140, 255, 235))
    for step in range(1, 4):  # stripes
        t = step / 4
        y = base_y + (tip[1] - base_y) * t
        half = (right - left) / 2 * (1 - t)
        draw.line(
            (tip[0] - half, y, tip[0] + half, y), fill=(255, 221, 0, 255), width=max(2, w // 25)
        )
    r = 0.07 * w
    draw.ellipse((tip[0] - r, tip[1] - r, tip[0] + r, tip[1] + r), fill=(255, 80, 80, 255))


# --- a webcam picture on Colab --------------------------------------------------------------------

_WEBCAM_JS = """
async function workshopTakePhoto(quality) {
  const box = document.createElement('div');
  const button = document.createElement('button');
  button.textContent = '📸 Take the photo';
  button.style.cssText = 'font-size:16px;padding:6px 14px;margin:6px 0';
  const video = document.createElement('video');
  video.style.display = 'block';
  video.style.maxWidth = '480px';
  box.appendChild(button);
  box.appendChild(video);
  document.body.appendChild(box);
  const stream = await navigator.mediaDevices.getUserMedia({video: true});
  video.srcObject = stream;
  await video.play();
  google.colab.output.setIframeHeight(document.documentElement.scrollHeight, true);
  await new Promise((resolve) => { button.onclick = resolve; });
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  stream.getTracks().forEach((track) => track.stop());
  box.remove();
  return canvas.toDataURL('image/jpeg', quality);
}
"""


def webcam_snapshot(filename: str | Path = "webcam.jpg", *, quality: float = 0.9) -> Path:
    """Take one photo with the webcam, in Google Colab, and save it as a JPEG file.

    A live picture and a "Take the photo" button appear under the cell; the browser first asks
    whether the page may use the camera. The photo stays on the Colab computer (in the file
    named ``filename``) and is deleted with the runtime.

    Parameters
    ----------
    filename : str or Path
        Where to save the photo.
    quality : float
        JPEG quality, 0.1 to 1.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    WorkshopError
        Outside Colab, or when the camera cannot be used (no camera, permission refused).
    """
    if runtime.where() != "colab":
        raise WorkshopError(
            "The webcam snapshot works in Google Colab only. Here, take a photo with your phone "
            "or camera and upload it with the upload box instead."
        )
    from google.colab import output
    from IPython.display import Javascript, display

    display(Javascript(_WEBCAM_JS))
    try:
        data_url = output.eval_js(f"workshopTakePhoto({float(quality)})")
    except Exception as err:  # the browser refused the camera, or there is none
        raise WorkshopError(
            "The webcam could not be used: the browser may have blocked the camera, or there is "
            "none. Allow the camera for colab.research.google.com (the camera icon in the "
            "address bar) and run the cell again, or upload a photo instead."
        ) from err
    if not isinstance(data_url, str) or "," not in data_url:
        raise WorkshopError("The webcam sent no picture. Run the cell again and press the button.")
    path = Path(filename)
    path.write_bytes(base64.b64decode(data_url.split(",", 1)[1]))
    return path


def photo_or_webcam(*, use_webcam: bool = False, filename: str | Path = "webcam.jpg") -> Path:
    """The webcam photo when asked for (Colab only), else the bundled portrait; it says which.

    Never stops a notebook: when the webcam cannot be used, the reason is printed and the
    bundled portrait is used instead.
    """
    if use_webcam:
        try:
            path = webcam_snapshot(filename)
            print(f"Using your webcam photo, saved as {path}.")
            return path
        except WorkshopError as err:
            print(f"{err}\nUsing the bundled portrait instead.")
    else:
        print("Using the bundled portrait (astronaut Eileen Collins, NASA, public domain).")
    return bundled(SAMPLE_FACE)
