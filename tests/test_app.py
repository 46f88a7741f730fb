"""The web app, over real HTTP: every tab through gradio_client, the queue, limits and privacy.

One app runs for the module on 127.0.0.1 (a free port) with the offline models, a concurrency
limit of 2 and small limits, so that the refusals need only small files.
"""

import hashlib
import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from workshop_lib import app
from workshop_lib.assets import bundled
from workshop_lib.media.audio import audio_info, load_audio, save_audio
from workshop_lib.speech import registry

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402
from ports import free_port  # noqa: E402

LIMITS = app.Limits(
    photo_megabytes=1, song_megabytes=5, song_seconds=30, text_characters=200, results_minutes=10
)
SENT: list[Path] = []  # every file the tests upload, to check that none stays on the server


@pytest.fixture(scope="module")
def running():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_OFFLINE", "1")
        made = app.create_app(concurrency=2, limits=LIMITS)
        made.launch(port=free_port(), inline=False)
        yield made
        made.close()


@pytest.fixture(scope="module")
def client(running, tmp_path_factory):
    return running.client(download_folder=tmp_path_factory.mktemp("downloads"))


@pytest.fixture
def upload(tmp_path):
    """Save bytes or a picture as a file to upload, and remember it for the privacy check."""

    def make(name: str, content) -> Path:
        path = tmp_path / name
        if isinstance(content, Image.Image):
            content.save(path)
        else:
            path.write_bytes(content)
        SENT.append(path)
        return path

    return make


def grey_photo(side: int = 320) -> Image.Image:
    return Image.open(bundled("images/astronaut.jpg")).convert("L").resize((side, side))


# --- every tab, over HTTP -------------------------------------------------------------------------


def test_colorize_returns_the_coloured_photo_and_the_hints(client, upload):
    photo = upload("street.png", grey_photo())

    picture, files, note = client.predict(
        handle_file(photo),
        json.dumps([{"x": 100, "y": 120, "color": "red", "size": 5}]),
        False,
        api_name="/colorize",
    )

    shown = Image.open(picture)
    assert shown.size == (320, 320) and shown.mode == "RGB"
    assert [Path(f).suffix for f in files] == [".png", ".json"]
    hints = json.loads(Path(files[1]).read_text())["hints"]
    assert [(h["x"], h["y"]) for h in hints] == [(100, 120)]
    assert "Cost:" in note and "assumed price" in note


def test_colorize_hint_changes_the_colours_near_it(client, upload):
    photo = upload("hinted.png", grey_photo())
    hint = json.dumps([{"x": 160, "y": 160, "color": "blue", "size": 9}])

    automatic, _, _ = client.predict(handle_file(photo), hint, True, api_name="/colorize")
    photo = upload("hinted_again.png", grey_photo())
    hinted, _, _ = client.predict(handle_file(photo), hint, False, api_name="/colorize")

    near = (slice(150, 170), slice(150, 170))
    difference = np.abs(
        np.asarray(Image.open(hinted), float)[near] - np.asarray(Image.open(automatic), float)[near]
    )
    assert difference.mean() > 1


@pytest.mark.parametrize("engine, voice", [("espeak-ng", None), ("vits-vctk", "p226")])
def test_speak_returns_a_sound_with_the_licence(client, engine, voice):
    sound, note = client.predict("Welcome to the library.", engine, voice, 1.0, api_name="/speak")

    rate, channels, frames = audio_info(sound)
    assert channels == 1 and frames / rate > 0.2
    assert "Licence:" in note


def test_speak_refuses_a_non_commercial_voice_and_says_why(client):
    with pytest.raises(AppError) as refused:
        client.predict("Hello.", "your_tts", None, 1.0, api_name="/speak")

    assert "non-commercial" in refused.value.message


def test_speak_refuses_text_over_the_limit(client):
    with pytest.raises(AppError) as refused:
        client.predict("word " * 49 + "words", "espeak-ng", None, 1.0, api_name="/speak")

    assert "250 characters" in refused.value.message and "200" in refused.value.message


@pytest.fixture(scope="module")
def short_song(tmp_path_factory):
    samples, rate = load_audio(bundled("music/sample_mix.ogg"))
    path = tmp_path_factory.mktemp("song") / "short_song.wav"
    save_audio(path, samples[:, : 6 * rate], rate)
    SENT.append(path)
    return path


@pytest.mark.parametrize(
    "stems, names",
    [
        (2, ["vocals", "accompaniment"]),
        (4, ["vocals", "drums", "bass", "other"]),
        (5, ["vocals", "piano", "drums", "bass", "other"]),
    ],
)
def test_separate_returns_one_player_per_stem(client, short_song, stems, names):
    *players, note = client.predict(handle_file(short_song), stems, api_name="/separate")

    sounds = [player for player in players if player is not None]
    assert [Path(sound).stem for sound in sounds] == names
    assert players[len(names) :] == [None] * (5 - len(names))
    for sound in sounds:
        rate, channels, frames = audio_info(sound)
        assert channels == 2 and abs(frames / rate - 6.0) < 0.1
    assert "MIT" in note and "Cost:" in note


# --- limits -----------------------------------------------------------------------------------------


def test_an_oversized_photo_gets_a_clear_message(running, client, upload):
    noise = np.random.default_rng(1).integers(0, 256, (700, 700, 3), dtype=np.uint8)
    photo = upload("huge.png", Image.fromarray(noise))
    assert photo.stat().st_size > 1_000_000

    with pytest.raises(AppError) as refused:
        client.predict(handle_file(photo), "[]", True, api_name="/colorize")

    message = refused.value.message
    assert "'huge.png' is 1.5 MB" in message and "up to 1 MB" in message
    assert running.meter.refused[-1] == ("colorize", "huge.png", message)


def test_a_file_that_is_not_a_picture_gets_a_clear_message(client, upload):
    letter = upload("letter.png", b"Dear library, this is a letter, not a photo.")

    with pytest.raises(AppError) as refused:
        client.predict(handle_file(letter), "[]", True, api_name="/colorize")

    assert "'letter.png' is not a picture" in refused.value.message


def test_a_song_over_the_time_limit_gets_a_clear_message(client, upload, tmp_path):
    long_song = tmp_path / "long_song.wav"
    save_audio(long_song, np.zeros(31 * 8000, np.float32), 8000)
    SENT.append(long_song)

    with pytest.raises(AppError) as refused:
        client.predict(handle_file(long_song), 2, api_name="/separate")

    assert "0.5 minutes" in refused.value.message and "lasts 0.5 minutes" in refused.value.message


def test_the_server_refuses_an_upload_over_the_largest_limit_and_keeps_nothing(running, upload):
    import httpx

    too_large = upload("too_large.wav", bytes(5_100_000))

    answer = httpx.post(
        f"{running.url}gradio_api/upload",
        files={"files": (too_large.name, too_large.read_bytes(), "audio/wav")},
        timeout=60,
    )

    assert answer.status_code == 413
    assert "maximum allowed size of 5000000 bytes" in answer.text
    assert not any(path.name == too_large.name for path in running.files_left())


# --- the queue --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_twenty_requests_at_once_all_finish_in_queue_order_within_the_limit(running, tmp_path):
    photo = tmp_path / "queue.png"
    grey_photo(1024).save(photo)

    report = running.send_together(photo, count=20)

    assert [answer.ok for answer in report.answers] == [True] * 20
    assert sorted(record.label for record in report.records) == report.names
    assert report.started_in_order  # two handed out together may swap, never more
    assert max(record.running_with for record in report.records) <= 2
    assert report.most_at_once == 2  # both places were used: requests really ran side by side
    assert running.meter.running == 0


# --- privacy, last: after every other request of this module ---------------------------------------


def test_no_uploaded_file_remains_on_the_server(running):
    time.sleep(0.5)  # the last answers' files are being sent
    sent = {hashlib.sha256(path.read_bytes()).hexdigest() for path in SENT}
    sent_names = {path.name for path in SENT}

    kept = running.files_left()

    assert running.service.uploads.received and running.service.uploads_left() == []
    assert {hashlib.sha256(path.read_bytes()).hexdigest() for path in kept}.isdisjoint(sent)
    assert not sent_names & {path.name for path in kept}
    assert all(path.is_relative_to(running.folder) for path in kept)


# --- licences and costs ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", registry.CLASSIC + registry.NEURAL)
def test_every_speech_engine_has_a_licence_verdict(name):
    licence = registry.get_engine(name).licence.lower()

    verdict = app.speech_verdict(name)

    assert name in app.licences.SPEECH_POLICY
    if "non-commercial" in licence or "may not be sold" in licence:
        assert not verdict.offered


def test_offered_engines_are_installed_and_allowed():
    offered = app.offered_engines()

    assert "espeak-ng" in [engine.name for engine in offered]
    assert all(app.speech_verdict(engine.name).offered for engine in offered)
    assert all(engine.is_available() for engine in offered)


def test_cost_is_seconds_times_the_hourly_price():
    cost = app.cost_of(36, "cuda")

    assert cost.price is app.PRICES["gpu"]
    assert cost.dollars == pytest.approx(36 / 3600 * app.PRICES["gpu"].dollars_per_hour)
    assert "assumed price" in cost.text()


@pytest.mark.parametrize("workers, per_hour, last_waits", [(1, 7200, 4.5), (2, 14400, 2.0)])
def test_capacity_of_a_server(workers, per_hour, last_waits):
    found = app.capacity(0.5, workers=workers, people=10)

    assert (found.per_hour, found.last_waits) == (per_hour, last_waits)


# --- the command line --------------------------------------------------------------------------------


@pytest.mark.slow
def test_command_line_starts_the_app_and_ctrl_c_cleans_up(tmp_path):
    from test_app_stopping import CommandLineApp

    started = CommandLineApp(tmp_path)
    folder = started.folder()
    started.wait_until_serving()
    assert folder.is_dir()

    code = started.stop(signal.SIGINT)

    assert code == 0, started.output
    assert folder.name.startswith("workshop-app-") and not folder.exists()


# --- last: a new app stops the one running before (one app at a time per program) -----------


def test_a_new_app_stops_the_old_one_and_closing_deletes_its_folder(running):
    made = app.create_app(limits=LIMITS)
    assert running.url is None and not running.folder.exists()
    made.launch(port=free_port(), inline=False)
    folder = made.folder
    assert os.environ["GRADIO_TEMP_DIR"] == str(folder)

    made.close()

    assert not folder.exists()
    assert os.environ.get("GRADIO_TEMP_DIR") != str(folder)


@pytest.mark.slow
def test_with_one_at_a_time_requests_start_exactly_in_queue_order(tmp_path):
    made = app.create_app(concurrency=1, limits=LIMITS)
    made.launch(port=free_port(), inline=False)
    photo = tmp_path / "line.png"
    grey_photo(512).save(photo)

    try:
        report = made.send_together(photo, count=8)
    finally:
        made.close()

    assert [record.label for record in report.records] == report.names
    assert report.most_at_once == 1 and all(answer.ok for answer in report.answers)
