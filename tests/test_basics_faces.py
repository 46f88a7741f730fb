"""Face mapping of notebook 01: the bundled detector, eye placement, the party look, the webcam."""

import base64
import io
import sys
import types

import numpy as np
import pytest
from PIL import Image

from workshop_lib import WorkshopError
from workshop_lib.assets import bundled
from workshop_lib.basics import (
    SAMPLE_FACE,
    add_party_look,
    draw_face_map,
    find_faces,
    photo_or_webcam,
    webcam_snapshot,
)


@pytest.fixture(scope="module")
def portrait():
    return Image.open(bundled(SAMPLE_FACE)).convert("RGB")


def test_the_bundled_portrait_has_one_face_with_eyes_inside_it():
    faces = find_faces()

    assert len(faces) == 1
    face = faces[0]
    assert 190 <= face.left + face.width / 2 <= 250 and 90 <= face.top + face.height / 2 <= 150
    for x, y in (face.left_eye, face.right_eye):
        assert face.left < x < face.left + face.width and face.top < y < face.top + face.height / 2
    assert face.left_eye[0] < face.right_eye[0] and face.eyes_estimated


def test_the_face_is_found_where_it_is_moved_to(portrait):
    canvas = Image.new("RGB", (900, 700), (235, 235, 235))
    canvas.paste(portrait, (350, 150))
    before = find_faces(portrait)[0]

    after = find_faces(canvas)[0]

    assert abs(after.left - (before.left + 350)) <= 12 and abs(after.top - (before.top + 150)) <= 12


def test_a_photo_without_faces_gives_none():
    assert find_faces(bundled("images/coffee.jpg")) == []


def test_the_face_map_marks_the_face_and_keeps_the_size(portrait):
    mapped = draw_face_map(portrait)

    assert mapped.size == portrait.size
    assert np.abs(np.asarray(mapped, float) - np.asarray(portrait, float)).sum() > 0


def test_the_party_look_darkens_the_eyes_and_leaves_the_rest(portrait):
    face = find_faces(portrait)[0]

    fun = np.asarray(add_party_look(portrait, [face], hat=False), float)

    before = np.asarray(portrait, float)
    x, y = face.left_eye
    assert (
        fun[y - 2 : y + 3, x - 2 : x + 3].mean() < 60 < before[y - 2 : y + 3, x - 2 : x + 3].mean()
    )
    assert np.array_equal(fun[400:, :100], before[400:, :100])


def test_bad_smallest_face_is_refused():
    with pytest.raises(WorkshopError, match="smallest"):
        find_faces(smallest=2)


def test_webcam_outside_colab_says_so_and_the_portrait_is_used(capsys):
    with pytest.raises(WorkshopError, match="Colab only"):
        webcam_snapshot()

    path = photo_or_webcam(use_webcam=True)

    assert path == bundled(SAMPLE_FACE)
    assert "Colab only" in capsys.readouterr().out


def _stand_in_colab(monkeypatch, eval_js):
    output = types.ModuleType("google.colab.output")
    output.eval_js = eval_js
    colab = types.ModuleType("google.colab")
    colab.output = output
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)


def test_webcam_photo_from_colabs_browser_is_saved(monkeypatch, tmp_path, portrait):
    buffer = io.BytesIO()
    portrait.save(buffer, format="JPEG")
    data_url = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
    _stand_in_colab(
        monkeypatch, lambda script, **kwargs: data_url if "workshopTakePhoto" in script else None
    )

    path = webcam_snapshot(tmp_path / "me.jpg")

    assert path.read_bytes() == buffer.getvalue()
    assert len(find_faces(path)) == 1


def test_a_refused_camera_falls_back_to_the_portrait(monkeypatch, capsys):
    def refuse(script, **kwargs):
        raise RuntimeError("NotAllowedError: Permission denied")

    _stand_in_colab(monkeypatch, refuse)

    path = photo_or_webcam(use_webcam=True)

    assert path == bundled(SAMPLE_FACE)
    assert "blocked the camera" in capsys.readouterr().out
