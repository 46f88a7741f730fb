"""Make the bundled sample photos in workshop_lib/data/images/ from scikit-image's own sample data.

    python tools/make_sample_images.py

Needs scikit-image (in the dev extra). The sources and licences are listed in
workshop_lib/data/README.md; update that table when you add a picture here.
"""

from pathlib import Path

from PIL import Image
from skimage import data

IMAGES = Path(__file__).resolve().parent.parent / "workshop_lib" / "data" / "images"

# file name -> scikit-image function (the photo's licence is in that function's docstring)
SAMPLES = {"coffee.jpg": data.coffee}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, load in SAMPLES.items():
        path = IMAGES / name
        Image.fromarray(load()).save(path, quality=85, optimize=True)
        print(f"{path}: {path.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
