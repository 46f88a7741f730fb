"""The upload box: both FileUpload value shapes, safe names, no overwriting, the size limit.

The front end is played by hand: ipywidgets 8 receives an upload through ``set_state``, the way
the browser's message arrives. Only ipywidgets 8 is installed here, so the ipywidgets 7 (Colab)
shape is checked through ``uploaded_files``.
"""

import datetime as dt

import ipywidgets
import pytest

from workshop_lib.assets import bundled
from workshop_lib.errors import WorkshopError
from workshop_lib.media import UploadBox, preview, show_folder, uploaded_files
from workshop_lib.media.upload import safe_name


def value_8(*files):
    """FileUpload.value as ipywidgets 8 holds it: a tuple of dicts, content a memoryview."""
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return tuple(
        {
            "name": name,
            "type": "image/jpeg",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": moment,
        }
        for name, content in files
    )


def value_7(*files):
    """FileUpload.value as ipywidgets 7.7 (Colab) holds it: a dict by file name."""
    return {
        name: {
            "metadata": {"name": name, "type": "image/jpeg", "size": len(content)},
            "content": content,
        }
        for name, content in files
    }


def upload(box, *files):
    """Send files to the box's button the way the browser does (a state update with buffers)."""
    state = [
        {
            "name": name,
            "type": "application/octet-stream",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": 1767225600000,
        }
        for name, content in files
    ]
    box.button.set_state({"value": state})


@pytest.mark.parametrize("make_value", [value_8, value_7], ids=["ipywidgets8", "ipywidgets7"])
def test_uploaded_files_reads_both_widget_versions(make_value):
    value = make_value(("cat.jpg", b"meow"), ("dog.png", b"woof"))

    files = uploaded_files(value)

    assert files == [("cat.jpg", b"meow"), ("dog.png", b"woof")]


@pytest.mark.parametrize("empty", [(), {}, None], ids=["ipywidgets8", "ipywidgets7", "none"])
def test_uploaded_files_is_empty_before_an_upload(empty):
    assert uploaded_files(empty) == []


def test_uploaded_files_accepts_the_widget_itself():
    widget = ipywidgets.FileUpload()
    widget.value = value_8(("cat.jpg", b"meow"))

    assert uploaded_files(widget) == [("cat.jpg", b"meow")]


def test_upload_is_saved_and_reported(tmp_path):
    box = UploadBox(tmp_path / "uploads")

    upload(box, ("cat.jpg", b"x" * 52_000))

    saved = tmp_path / "uploads" / "cat.jpg"
    assert saved.read_bytes() == b"x" * 52_000
    assert box.paths == [saved]
    assert box.latest == saved
    assert "Saved 'cat.jpg' (52 kB)" in box.message.value
    assert "uploads/cat.jpg" in box.message.value


def test_setting_the_value_in_python_saves_too(tmp_path):
    box = UploadBox(tmp_path)

    box.button.value = value_8(("notes.txt", b"hello"))

    assert (tmp_path / "notes.txt").read_bytes() == b"hello"


def test_second_upload_with_the_same_name_keeps_the_first(tmp_path):
    box = UploadBox(tmp_path)

    upload(box, ("cat.jpg", b"first"))
    upload(box, ("cat.jpg", b"second"))

    assert (tmp_path / "cat.jpg").read_bytes() == b"first"
    assert (tmp_path / "cat-2.jpg").read_bytes() == b"second"
    assert box.paths == [tmp_path / "cat.jpg", tmp_path / "cat-2.jpg"]
    assert "cat-2.jpg" in box.message.value


def test_file_already_in_the_folder_is_not_overwritten(tmp_path):
    (tmp_path / "photo.png").write_bytes(b"from yesterday")
    box = UploadBox(tmp_path)

    upload(box, ("photo.png", b"today"))

    assert (tmp_path / "photo.png").read_bytes() == b"from yesterday"
    assert box.latest == tmp_path / "photo-2.png"


def test_same_file_can_be_uploaded_again(tmp_path):
    box = UploadBox(tmp_path)

    upload(box, ("cat.jpg", b"meow"))
    upload(box, ("cat.jpg", b"meow"))

    assert [path.name for path in box.paths] == ["cat.jpg", "cat-2.jpg"]


def test_several_files_at_once_are_all_saved(tmp_path):
    box = UploadBox(tmp_path)

    upload(box, ("a.wav", b"1"), ("b.wav", b"2"))

    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.wav", "b.wav"]
    assert box.latest == tmp_path / "b.wav"


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("../../evil.txt", "evil.txt"),
        ("..\\..\\evil.txt", "evil.txt"),
        ("/etc/passwd", "passwd"),
        (".bashrc", "bashrc"),
        ("...", "upload"),
        ("my photo (1).jpg", "my photo (1).jpg"),
        ("café.jpg", "café.jpg"),
        ("a<b>:c|d?.png", "a_b_c_d_.png"),
    ],
)
def test_names_are_made_safe(sent, saved):
    assert safe_name(sent) == saved


def test_path_in_the_name_lands_inside_the_folder(tmp_path):
    folder = tmp_path / "uploads"
    box = UploadBox(folder)

    upload(box, ("../../evil.txt", b"nasty"))

    assert (folder / "evil.txt").read_bytes() == b"nasty"
    assert [p.name for p in tmp_path.iterdir()] == ["uploads"]
    assert box.latest.parent == folder


def test_very_long_name_is_shortened_but_keeps_its_type(tmp_path):
    name = safe_name("x" * 500 + ".jpeg")

    assert len(name) <= 120
    assert name.endswith(".jpeg")


def test_oversized_file_is_refused_with_a_message(tmp_path):
    box = UploadBox(tmp_path, max_megabytes=1)

    upload(box, ("film.mp4", b"x" * 1_500_000), ("cat.jpg", b"meow"))

    assert not (tmp_path / "film.mp4").exists()
    assert "'film.mp4' is 1.5 MB" in box.message.value
    assert "not saved" in box.message.value
    assert box.paths == [tmp_path / "cat.jpg"]


def test_nothing_uploaded_gives_the_sample_and_says_so(tmp_path, capsys):
    box = UploadBox(tmp_path)
    sample = bundled("images/coffee.jpg")

    chosen = box.latest_or(sample)

    assert chosen == sample
    assert "Nothing uploaded yet" in capsys.readouterr().out


def test_an_upload_is_chosen_over_the_sample(tmp_path, capsys):
    box = UploadBox(tmp_path)
    upload(box, ("cat.jpg", b"meow"))

    chosen = box.latest_or(bundled("images/coffee.jpg"))

    assert chosen == tmp_path / "cat.jpg"
    assert "Using your upload" in capsys.readouterr().out


def test_preview_shrinks_a_photo():
    picture = preview(bundled("images/coffee.jpg"), size=200)

    assert picture.size == (200, 133)
    assert picture.mode == "RGB"


def test_preview_of_a_file_that_is_not_a_picture_explains(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")

    with pytest.raises(WorkshopError, match=r"'notes.txt' is not a picture .* upload a \.jpg"):
        preview(notes)


def test_show_folder_lists_files_with_sizes(tmp_path, capsys):
    (tmp_path / "cat.jpg").write_bytes(b"x" * 52_000)
    (tmp_path / "song.mp3").write_bytes(b"x" * 3_400_000)

    show_folder(tmp_path)

    out = capsys.readouterr().out
    assert "2 file(s)" in out
    assert "cat.jpg" in out and "52 kB" in out
    assert "song.mp3" in out and "3.4 MB" in out


def test_show_folder_says_when_nothing_was_uploaded(tmp_path, capsys):
    show_folder(tmp_path / "uploads")

    assert "does not exist yet" in capsys.readouterr().out
