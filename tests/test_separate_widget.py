"""The separation widget, driven from Python as its JavaScript would drive it."""

import numpy as np
import pytest

from workshop_lib.separate import SeparateWidget, load_sample_song

RATE = 44100


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def song():
    return load_sample_song()


@pytest.mark.slow
def test_run_fills_players_karaoke_mix_and_scores(song):
    widget = SeparateWidget(song.mix, sample_rate=RATE, stems=4, references=song.references)

    result = widget.run()

    assert widget.error == ""
    assert widget.names == ["vocals", "drums", "bass", "other"]
    assert set(widget.stem_audio) == set(widget.names)
    assert all(len(data) > 1000 for data in widget.stem_audio.values())
    assert widget.karaoke_audio and widget.mix_audio
    assert set(widget.scores) == set(widget.names)
    assert widget.progress == 1.0 and not widget.busy
    assert result is widget.result


def test_moving_a_slider_remixes(song):
    widget = SeparateWidget(song.mix[:, : 3 * RATE], sample_rate=RATE, stems=2)
    widget.run()
    before = widget.mix_audio

    widget.volumes = {**widget.volumes, "vocals": 0.0}

    assert widget.mix_audio != before


def test_browser_upload_of_a_bad_file_shows_the_message_in_the_widget(song):
    widget = SeparateWidget(song.mix, sample_rate=RATE)

    # As the browser sends it: the file's bytes arrive as a memoryview.
    data = b"PK\x03\x04 this is a zip file, not music" * 10
    widget.set_state({"upload_name": "holiday.mp3", "upload": memoryview(data)})
    widget.set_state({"action": {"name": "upload", "serial": 1}})

    assert "'holiday.mp3' could not be read as audio" in widget.error
    assert widget.names == []
    widget.run()
    assert "no song yet" in widget.error


def test_browser_upload_of_a_wav_file_is_used(tmp_path):
    import soundfile

    path = tmp_path / "hum.wav"
    soundfile.write(path, 0.2 * np.sin(np.arange(RATE) / 20.0), 22050)
    widget = SeparateWidget()

    widget.set_state({"upload_name": "hum.wav", "upload": memoryview(path.read_bytes())})
    widget.set_state({"action": {"name": "upload", "serial": 1}})
    widget.set_state({"action": {"name": "run", "serial": 2}})
    widget.wait()

    assert widget.error == ""
    assert widget.song_name == "hum.wav"
    assert widget.names == ["vocals", "accompaniment"]
    assert "Resampled from 22050 Hz" in widget.status


def test_cancel_stops_a_long_run_and_keeps_the_song():
    ten_minutes = 0.2 * np.sin(np.arange(600 * 8000) / 10.0).astype(np.float32)
    widget = SeparateWidget(ten_minutes, sample_rate=8000, name="lecture")

    widget.action = {"name": "run", "serial": 1}
    widget.action = {"name": "cancel", "serial": 2}
    widget.wait()

    assert "cancelled" in widget.error
    assert widget.names == [] and not widget.busy
    assert widget.song_name == "lecture"


def test_saved_notebooks_get_a_still_picture_of_the_stems(song):
    widget = SeparateWidget(song.mix[:, : 2 * RATE], sample_rate=RATE, stems=4)
    assert widget.still_picture() is None

    widget.run()
    bundle = widget._repr_mimebundle_()

    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert widget.still_picture().startswith(b"\x89PNG")
    assert "image/png" in data


@pytest.fixture()
def mixed(song):
    """A widget with a finished separation and the learner's own mix settings."""
    widget = SeparateWidget(song.mix[:, : 2 * RATE], sample_rate=RATE, stems=4)
    widget.run()
    widget.volumes = {**widget.volumes, "vocals": 0.0, "drums": 0.4}
    return widget


def test_an_unexpected_failure_shows_a_sentence_with_details_and_keeps_the_mix(mixed, monkeypatch):
    from workshop_lib.separate import Separator

    mix, result = dict(mixed.volumes), mixed.result

    def broken(*args, **kwargs):
        raise RuntimeError("a fault deep inside")

    monkeypatch.setattr(Separator, "separate", broken)
    mixed.action = {"name": "run", "serial": 7}
    mixed.wait()

    assert mixed.error.startswith("Something went wrong while separating the song")
    assert "RuntimeError: a fault deep inside" in mixed.error_details
    assert mixed.volumes == mix and mixed.result is result and not mixed.busy
    assert mixed.names == ["vocals", "drums", "bass", "other"]


def test_a_learner_mistake_shows_its_sentence_and_keeps_the_mix(mixed):
    mix = dict(mixed.volumes)

    mixed.stems = 3

    assert mixed.error == "Spleeter has 2, 4 or 5 stems." and mixed.error_details == ""
    assert mixed.stems == 4 and mixed.volumes == mix and mixed.result is not None


def test_a_failing_remix_is_shown_and_the_sliders_stay(mixed, monkeypatch):
    from workshop_lib.separate import Separation

    monkeypatch.setattr(Separation, "mix", lambda self, volumes=None: 1 / 0)

    mixed.volumes = {**mixed.volumes, "bass": 0.2}

    assert mixed.error.startswith("Something went wrong while mixing the stems")
    assert "ZeroDivisionError" in mixed.error_details
    assert mixed.volumes["bass"] == 0.2 and mixed.volumes["vocals"] == 0.0


def test_a_stand_in_model_says_so_in_the_status(song):
    widget = SeparateWidget(song.mix[:, :RATE], sample_rate=RATE, stems=4)
    assert "stand-in with random weights" in widget.status

    widget.run()

    assert "stand-in with random weights" in widget.status
