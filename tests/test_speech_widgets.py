"""The speech widgets, driven from Python as a learner's clicks would drive them (workshop_lib.speech.widget)."""

import io

import numpy as np
import pytest
import soundfile

from workshop_lib.speech import ConsentBox, HistoryPlayer, RecordingStore, SpeakWidget
from workshop_lib.speech.widget import RecorderWidget


@pytest.fixture
def store(tmp_path):
    return RecordingStore(tmp_path / "recordings")


def sample_bytes(store):
    return store.sample().path.read_bytes()


def test_speak_button_speaks_and_shows_the_sound():
    widget = SpeakWidget("Hello, library!", engine="espeak-ng")

    widget.button.click()

    samples, rate = widget.result
    assert rate == 22050 and samples.size > 0
    assert "22050 Hz" in widget.message.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no text to speak"),
        ("x" * 10_000, "10,000 characters"),
        ("Hi 🤖!", "cannot say these characters"),
    ],
)
def test_mistakes_are_shown_inside_the_widget(text, expected):
    widget = SpeakWidget(text, engine="flite")

    spoke = widget.speak()

    assert not spoke and widget.result is None
    assert expected in widget.message.value
    assert "⚠" in widget.message.value and "workshop-error" in widget.message.value


def test_a_missing_engine_is_marked_and_explained(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")  # XTTS-v2 has no offline stand-in
    widget = SpeakWidget("Hello.", engines=["espeak-ng", "xtts_v2"])

    widget.engine.value = "xtts_v2"
    spoke = widget.speak()

    assert "(not available here)" in dict((v, k) for k, v in widget.engine.options)["xtts_v2"]
    assert not spoke and "stand-in" in widget.message.value


def test_choosing_an_engine_lists_its_voices_and_speed():
    widget = SpeakWidget("Hello.", engine="espeak-ng")

    widget.engine.value = "mbrola"
    mbrola_voice = widget.voice.value
    widget.engine.value = "pico"

    assert mbrola_voice == "mb-us1"
    assert widget.voice.value == "en-US"
    assert widget.speed.disabled


def test_voice_and_speed_reach_the_engine():
    widget = SpeakWidget("Welcome to the library workshop.", engine="flite")
    widget.voice.value = "kal16"
    widget.speed.value = 0.5
    widget.speak()
    slow = widget.result[0].size

    widget.speed.value = 2.0
    widget.speak()

    assert widget.result[0].size < 0.7 * slow


def test_history_player_has_a_listen_button_per_engine_era():
    player = HistoryPlayer("Hello, library.")

    heard = player.listen("festival-hts")

    assert {"espeak-ng", "mbrola", "festival", "festival-hts", "flite", "pico", "vits"} <= set(
        player.rows
    )
    assert heard


def test_recorder_keeps_what_the_browser_sends(store):
    widget = RecorderWidget(store)

    # What widget.js does: send the bytes, then count the take (one update from the browser).
    widget.set_state(
        {"audio": memoryview(sample_bytes(store)), "audio_kind": "microphone", "takes": 1}
    )

    assert widget.message.startswith("Kept 'recording-1'")
    assert widget.waveform[:4] == b"\x89PNG"
    assert widget.playback[:4] == b"RIFF"
    assert widget.audio == b""
    assert [r.source for r in store.recordings()] == ["microphone"]


def test_recorder_shows_a_silent_recording_as_a_message(store):
    widget = RecorderWidget(store)
    silence = io.BytesIO()
    soundfile.write(silence, np.zeros(48000, dtype=np.float32), 16000, format="WAV")

    widget.set_state(
        {"audio": memoryview(silence.getvalue()), "audio_kind": "microphone", "takes": 1}
    )

    assert widget.message.startswith("⚠") and "silent" in widget.message
    assert store.recordings() == []


def test_recorder_takes_an_uploaded_file_under_its_name(store):
    widget = RecorderWidget(store)

    widget.set_state(
        {
            "audio": memoryview(sample_bytes(store)),
            "audio_kind": "upload",
            "file_name": "Grandma.wav",
            "takes": 1,
        }
    )

    assert store.latest.name == "Grandma-1" and store.latest.source == "upload"


def test_consent_box_needs_the_promise(store):
    store.add(sample_bytes(store), source="microphone")
    box = ConsentBox(store)
    box.speaker.value = "Ada"

    refused = box.give()
    box.promise.value = True
    given = box.give()

    assert not refused and given
    assert store.latest.consent.speaker == "Ada" and store.latest.consent.own_voice


def test_consent_box_without_recordings_says_to_record_first(store):
    box = ConsentBox(store)

    assert not box.give()
    assert "No recording yet" in box.message.value


# --- the one error guard: a learner's mistake and a fault in the library, in every widget ---------


class _Broken:
    """Stands in for a library fault: any call raises a plain Python error."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("a bug in the library")


def test_speak_widget_shows_a_fault_plainly_and_keeps_the_text(monkeypatch, caplog):
    widget = SpeakWidget("My own sentence.", engine="espeak-ng")
    engine = widget._current()
    monkeypatch.setattr(engine, "_synthesize", lambda *a: _Broken())

    spoke = widget.speak()

    assert not spoke and widget.text.value == "My own sentence."
    assert "Something went wrong while speaking the text" in widget.message.value
    assert "<details>" in widget.message.value and "a bug in the library" in widget.message.value
    assert "is speaking" not in widget.message.value
    assert "a bug in the library" in caplog.text


def test_speak_widget_starts_with_the_real_neural_voice():
    pytest.importorskip("piper")
    widget = SpeakWidget("Hello.")

    assert widget.engine.value == "piper"
    assert widget.voice.value == "en_US-joe-medium"


def test_history_player_shows_both_kinds_of_error_in_its_row(monkeypatch):
    from workshop_lib.speech.registry import get_engine

    player = HistoryPlayer("Hello 🤖.")
    assert not player.listen("espeak-ng")
    assert "cannot say these characters" in player.messages["espeak-ng"].value

    monkeypatch.setattr(get_engine("flite"), "_synthesize", lambda *a: _Broken())
    player.sentence = "Hello."
    assert not player.listen("flite")
    assert "Something went wrong" in player.messages["flite"].value


def test_recorder_shows_a_fault_and_keeps_the_recordings(store, monkeypatch):
    widget = RecorderWidget(store)
    widget.set_state({"audio": memoryview(sample_bytes(store)), "takes": 1})
    monkeypatch.setattr(store, "add", _Broken)

    widget.set_state({"audio": memoryview(sample_bytes(store)), "takes": 2})

    assert widget.message.startswith("⚠ Something went wrong while keeping the recording")
    assert [r.name for r in store.recordings()] == ["recording-1"]
    assert widget.audio == b""


def test_consent_box_shows_a_fault_and_keeps_what_was_typed(store, monkeypatch):
    store.add(sample_bytes(store), source="microphone")
    box = ConsentBox(store)
    box.speaker.value, box.promise.value = "Ada", True
    monkeypatch.setattr(store, "give_consent", _Broken)

    assert not box.give()
    assert "Something went wrong while recording the consent" in box.message.value
    assert box.speaker.value == "Ada" and box.promise.value
    assert store.latest.consent is None
