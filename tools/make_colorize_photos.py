"""Make the sample photos of the colorization notebook in workshop_lib/data/images/.

    python tools/make_colorize_photos.py

Needs scikit-image (in the dev extra), whose bundled photos are public domain or CC0 (each
photo's licence is in its scikit-image function's docstring, quoted in workshop_lib/data/README.md).
The colour photos stay in colour: the Colorizer turns them grey and keeps the colours as the
truth to compare with. The cameraman photo is black and white to begin with.
"""

from pathlib import Path

from PIL import Image
from skimage import data

IMAGES = Path(__file__).resolve().parent.parent / "workshop_lib" / "data" / "images"

# file name -> scikit-image function
PHOTOS = {
    "astronaut.jpg": data.astronaut,  # colour portrait: the notebook's "wedding photo"
    "chelsea.jpg": data.chelsea,  # colour: a cat
    "rocket.jpg": data.rocket,  # colour: a rocket launch
    "cameraman.jpg": data.camera,  # black and white to begin with: a man with a camera
}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, load in PHOTOS.items():
        path = IMAGES / name
        Image.fromarray(load()).save(path, quality=88, optimize=True)
        print(f"{path}: {path.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
