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
