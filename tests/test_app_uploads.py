"""SECURITY.md, "Identical uploads" and "Recordings": no visitor's request depends on another's.

Gradio stores an upload under a hash of its content, so visitors who send byte-identical files
share one copy on the server. Each visitor here is its own gradio_client (its own session), all
sending at once over 127.0.0.1; every request must be served, and the shared copy must still be
deleted once the last request has read it.
"""

import hashlib
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from workshop_lib import app, speech
from workshop_lib.assets import bundled
from workshop_lib.media.audio import load_audio, save_audio

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from ports import free_port  # noqa: E402

LIMITS = app.Limits(song_seconds=30, requests_per_visitor=3)


@pytest.fixture(scope="module")
def running():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_OFFLINE", "1")
        made = app.create_app(concurrency=2, limits=LIMITS, queue_size=60)
        made.launch(port=free_port(), inline=False)
        yield made
        made.close()


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def same_file_from(visitors: int, original: Path, folder: Path) -> list[Path]:
    """One byte-identical copy of ``original`` per visitor, each with the same name."""
    copies = []
    for number in range(visitors):
        place = folder / f"visitor_{number:02d}"
        place.mkdir()
        copies.append(Path(shutil.copy(original, place / original.name)))
    return copies


def all_at_once(running, endpoint: str, files: list[Path], *rest, downloads: Path) -> list:
    """Each file sent by its own visitor, all released at the same moment; their answers."""
    clients = [
        Client(
            running.url,
            verbose=False,
            download_files=str(downloads),
            analytics_enabled=False,
            httpx_kwargs={"timeout": 120},
        )
        for _ in files
    ]
    start = threading.Barrier(len(files))
    answers: list = [None] * len(files)

    def visit(number: int) -> None:
        start.wait()
        try:
            answers[number] = clients[number].predict(
                handle_file(files[number]), *rest, api_name=endpoint
            )
        except Exception as err:  # the test reports every failed visitor
            answers[number] = err

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return answers


def none_left(running, content: str) -> bool:
    return not any(digest(path) == content for path in running.files_left())


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> Path:
    samples, rate = load_audio(bundled("music/sample_mix.ogg"))
    path = tmp_path_factory.mktemp("song") / "song.wav"
    save_audio(path, samples[:, : 3 * rate], rate)
    return path


def test_two_visitors_sending_the_same_song_are_both_served(running, song, tmp_path):
    files = same_file_from(2, song, tmp_path)

    answers = all_at_once(running, "/separate", files, 2, downloads=tmp_path / "down")

    failed = [a for a in answers if isinstance(a, Exception) or a is None]
    assert not failed, failed
    assert all(Path(answer[0]).stem == "vocals" for answer in answers)
    assert none_left(running, digest(song)) and running.service.uploads_left() == []


@pytest.mark.slow
def test_twenty_visitors_sending_the_same_photo_are_all_served(running, tmp_path):
    photo = tmp_path / "photo.png"
    Image.open(bundled("images/astronaut.jpg")).convert("L").resize((96, 96)).save(photo)
    files = same_file_from(20, photo, tmp_path)

    answers = all_at_once(running, "/colorize", files, "[]", True, downloads=tmp_path / "down")

    failed = [a for a in answers if isinstance(a, Exception) or a is None]
    assert not failed, failed
    assert all(Image.open(answer[0]).size == (96, 96) for answer in answers)
    assert none_left(running, digest(photo)) and running.service.uploads_left() == []
    assert all(running.service.uploads.needed(path) == 0 for path in running.files_left())


@pytest.mark.slow
def test_twenty_visitors_sending_the_same_song_are_all_served(running, song, tmp_path):
    samples, rate = load_audio(song)
    short = tmp_path / "chorus.wav"
    save_audio(short, samples[:, :rate], rate)
    files = same_file_from(20, short, tmp_path)

    answers = all_at_once(running, "/separate", files, 2, downloads=tmp_path / "down")

    failed = [a for a in answers if isinstance(a, Exception) or a is None]
    assert not failed, failed
    assert none_left(running, digest(short)) and running.service.uploads_left() == []


def test_a_visitors_voice_is_deleted_after_use(running, tmp_path):
    samples, rate = speech.speak("This is my own voice, recorded for the app.")
    voice = tmp_path / "my_voice.wav"
    save_audio(voice, np.asarray(samples), rate)
    client = running.client(download_folder=tmp_path / "down")

    *players, note = client.predict(handle_file(voice), 2, api_name="/separate")

    assert "my_voice.wav" in note.replace("\\", "") and players[0]
    assert none_left(running, digest(voice))
    assert running.service.uploads_left() == []
    assert not [p for p in running.files_left() if "my_voice" in p.name]


def test_visitors_see_only_their_own_answers(running, tmp_path):
    made = []
    for number, (x, colour) in enumerate(((20, "red"), (70, "blue"))):
        photo = tmp_path / f"visitor_{number}_photo.png"
        Image.open(bundled("images/astronaut.jpg")).convert("L").resize((96 + number, 96)).save(
            photo
        )
        made.append((photo, json.dumps([{"x": x, "y": 30, "color": colour}])))
    clients = [running.client(download_folder=tmp_path / f"down_{n}") for n in range(2)]
    start = threading.Barrier(2)
    answers: list = [None, None]

    def visit(number: int) -> None:
        photo, hints = made[number]
        start.wait()
        answers[number] = clients[number].predict(
            handle_file(photo), hints, False, api_name="/colorize"
        )

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    for number, (picture, files, note) in enumerate(answers):
        other = 1 - number
        assert f"visitor\\_{number}\\_photo" in note and f"visitor\\_{other}" not in note
        saved = json.loads(Path(files[1]).read_text())
        assert [h["x"] for h in saved["hints"]] == [(20, 70)[number]]
        assert Image.open(picture).size == (96 + number, 96)
    assert Path(answers[0][1][0]).parent != Path(answers[1][1][0]).parent
