"""Make the bundled sample photos in workshop_lib/data/images/ from scikit-image's own photos.

    python tools/make_sample_images.py

Needs scikit-image (in the dev extra), whose bundled photos are public domain or CC0 (each
photo's licence is in its scikit-image function's docstring, quoted in workshop_lib/data/README.md).
The colour photos stay in colour: the Colorizer turns them grey and keeps the colours as the
truth to compare with. The cameraman photo is black and white to begin with.
"""

from pathlib import Path

from PIL import Image
from skimage import data

IMAGES = Path(__file__).resolve().parent.parent / "workshop_lib" / "data" / "images"

# file name -> (scikit-image function, JPEG quality)
SAMPLES = {
    "coffee.jpg": (data.coffee, 85),  # notebook 00's sample upload
    "astronaut.jpg": (
        data.astronaut,
        88,
    ),  # colour portrait: notebook 04's "wedding photo", 01's face
    "chelsea.jpg": (data.chelsea, 88),  # colour: a cat
    "rocket.jpg": (data.rocket, 88),  # colour: a rocket launch
    "cameraman.jpg": (data.camera, 88),  # black and white to begin with: a man with a camera
}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, (load, quality) in SAMPLES.items():
        path = IMAGES / name
        Image.fromarray(load()).save(path, quality=quality, optimize=True)
        print(f"{path}: {path.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
