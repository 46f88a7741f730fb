"""The one image loader: every kind of picture a learner may bring, and clear messages for bad ones."""

import functools
import http.server
import threading

import numpy as np
import pytest
from PIL import Image

from workshop_lib import WorkshopError
from workshop_lib.assets import bundled
from workshop_lib.media import load_image, open_image, side_by_side


def colour_picture(width=64, height=48) -> Image.Image:
    """Red left half, blue right half."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (220, 30, 30)
    pixels[:, width // 2 :] = (30, 30, 220)
    return Image.fromarray(pixels)


def saved(picture: Image.Image, path, **options):
    picture.save(path, **options)
    return path


@pytest.mark.parametrize("suffix", ["jpg", "png", "webp", "tif", "bmp", "gif"])
def test_common_formats_open_as_rgb(tmp_path, suffix):
    path = saved(colour_picture(), tmp_path / f"photo.{suffix}")

    loaded = open_image(path)

    assert loaded.image.mode == "RGB"
    assert loaded.image.size == (64, 48)
    assert loaded.name == f"photo.{suffix}"
    assert not loaded.greyscale
    assert loaded.note is None


def test_bytes_file_objects_and_pillow_pictures_open(tmp_path):
    path = saved(colour_picture(), tmp_path / "photo.png")

    from_bytes = open_image(path.read_bytes())
    with path.open("rb") as file:
        from_file = open_image(file)
    from_pillow = open_image(Image.open(path))

    for loaded in (from_bytes, from_file, from_pillow):
        assert loaded.image.size == (64, 48)
    assert from_file.name == "photo.png"


@pytest.mark.parametrize(
    ("array", "grey"),
    [
        (np.full((20, 30), 128, np.uint8), True),
        (np.full((20, 30, 1), 128, np.uint8), True),
        (np.dstack([np.full((20, 30), v, np.uint8) for v in (200, 20, 20)]), False),
        (np.full((20, 30, 3), 0.5, np.float32), True),
        (np.full((20, 30), 65535, np.uint16), True),
        (np.ones((20, 30), bool), True),
    ],
    ids=["grey", "grey-1-channel", "rgb", "float", "uint16", "bool"],
)
def test_arrays_open(array, grey):
    loaded = open_image(array)

    assert loaded.image.size == (30, 20)
    assert loaded.greyscale is grey


def test_float_and_16_bit_arrays_keep_their_brightness():
    half = open_image(np.full((10, 10), 0.5)).image
    full = open_image(np.full((10, 10), 65535, np.uint16)).image

    assert np.asarray(half)[0, 0, 0] in (127, 128)
    assert np.asarray(full)[0, 0, 0] == 255


def test_a_badly_shaped_array_is_explained():
    with pytest.raises(WorkshopError, match=r"\(height, width"):
        open_image(np.zeros((2, 3, 4, 5)))


def test_phone_photo_is_turned_upright(tmp_path):
    picture = colour_picture(60, 40)  # stored sideways; EXIF says "turn a quarter"
    exif = picture.getexif()
    exif[0x0112] = 6
    path = saved(picture, tmp_path / "phone.jpg", exif=exif.tobytes())

    loaded = open_image(path)

    assert loaded.image.size == (40, 60)
    assert loaded.original_size == (40, 60)


def test_see_through_parts_become_white(tmp_path):
    pixels = np.zeros((10, 10, 4), np.uint8)
    pixels[..., 0] = 255  # red, but fully see-through on the left
    pixels[:, 5:, 3] = 255
    path = saved(Image.fromarray(pixels), tmp_path / "logo.png")

    rgb = np.asarray(open_image(path).image)

    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert rgb[0, 9].tolist() == [255, 0, 0]


def test_palette_picture_with_transparency_is_put_on_white(tmp_path):
    picture = Image.new("P", (10, 10), 0)
    picture.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
    picture.paste(1, (5, 0, 10, 10))
    path = saved(picture, tmp_path / "icon.png", transparency=0)

    rgb = np.asarray(open_image(path).image)

    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert rgb[0, 9].tolist() == [0, 200, 0]


def test_sixteen_bit_greyscale_keeps_its_full_range(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (16, 1))
    path = saved(Image.fromarray(ramp), tmp_path / "scan.png")

    loaded = open_image(path)

    values = np.asarray(loaded.image)[..., 0]
    assert loaded.greyscale
    assert values.min() == 0 and values.max() == 255


def test_grey_photo_saved_in_rgb_counts_as_grey(tmp_path):
    grey = Image.fromarray(np.tile(np.arange(0, 256, 4, dtype=np.uint8), (64, 1))).convert("RGB")
    path = saved(grey, tmp_path / "old.jpg", quality=80)

    assert open_image(path).greyscale


def test_bundled_black_and_white_photo_is_grey_and_colour_photo_is_not():
    assert open_image(bundled("images/cameraman.jpg")).greyscale
    assert not open_image(bundled("images/astronaut.jpg")).greyscale


def test_large_picture_is_shrunk_with_a_note(tmp_path):
    path = saved(Image.new("L", (6000, 4000), 128), tmp_path / "big.jpg")

    loaded = open_image(path, max_side=1000)

    assert loaded.image.size == (1000, 667)
    assert loaded.original_size == (6000, 4000)
    assert "6000 × 4000" in loaded.note and "1000 × 667" in loaded.note


def test_load_image_prints_the_note(tmp_path, capsys):
    path = saved(Image.new("RGB", (300, 100)), tmp_path / "wide.png")

    picture = load_image(path, max_side=150)

    assert picture.size == (150, 50)
    assert "shrunk" in capsys.readouterr().out


def test_a_20000_pixel_picture_is_refused_before_it_fills_the_memory(tmp_path):
    path = saved(Image.new("1", (20000, 20000)), tmp_path / "poster.png")

    with pytest.raises(WorkshopError, match=r"20000 × 20000 pixels \(400 megapixels\)"):
        open_image(path)


def test_a_one_pixel_picture_is_too_small(tmp_path):
    path = saved(Image.new("RGB", (1, 1)), tmp_path / "dot.png")

    with pytest.raises(WorkshopError, match="1 × 1 pixels, too small"):
        open_image(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"this is a text file, not a photo", "not a picture we can read"),
    ],
    ids=["empty", "text"],
)
def test_files_that_are_not_pictures_are_explained(tmp_path, content, message):
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)

    with pytest.raises(WorkshopError, match=message):
        open_image(path)


def test_a_cut_off_file_is_called_damaged(tmp_path):
    whole = saved(colour_picture(200, 200), tmp_path / "whole.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(WorkshopError, match="damaged or incomplete"):
        open_image(path)


def test_a_missing_file_and_a_folder_are_explained(tmp_path):
    with pytest.raises(WorkshopError, match="There is no file"):
        open_image(tmp_path / "nowhere.jpg")
    with pytest.raises(WorkshopError, match="is a folder"):
        open_image(tmp_path)


def test_something_else_is_explained():
    with pytest.raises(WorkshopError, match="not a dict"):
        open_image({"photo": 1})


@pytest.fixture
def web_folder(tmp_path):
    """A local web server for "the internet": serves files from tmp_path."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_web_address_is_downloaded(web_folder, monkeypatch):
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    folder, base = web_folder
    saved(colour_picture(), folder / "photo.png")

    loaded = open_image(f"{base}/photo.png")

    assert loaded.image.size == (64, 48)
    assert loaded.name == "photo.png"


def test_a_missing_web_picture_names_the_server_answer(web_folder, monkeypatch):
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    _, base = web_folder

    with pytest.raises(WorkshopError, match="404"):
        open_image(f"{base}/gone.png")


def test_a_web_page_is_not_taken_for_a_picture(web_folder, monkeypatch):
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    folder, base = web_folder
    (folder / "page.html").write_text("<html><body>a photo gallery</body></html>")

    with pytest.raises(WorkshopError, match="Copy image address"):
        open_image(f"{base}/page.html")


def test_the_offline_switch_stops_downloads(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    with pytest.raises(WorkshopError, match="offline switch is on"):
        open_image("https://example.org/photo.jpg")


def test_side_by_side_gives_one_picture_with_titles():
    joined = side_by_side(
        Image.new("RGB", (100, 50)), Image.new("L", (50, 50)), titles=["a", "b"], height=100
    )

    assert joined.size == (200 + 8 + 100, 122)


def test_side_by_side_needs_one_title_per_picture():
    with pytest.raises(WorkshopError, match="one title per picture"):
        side_by_side(Image.new("RGB", (10, 10)), titles=["a", "b"])
