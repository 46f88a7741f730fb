"""Recordings: cleaning, keeping until deleted, consent, and the Colab microphone bridge (workshop_lib.speech.recorder)."""

import base64
import io
import shutil
import subprocess
import sys
import types

import numpy as np
import pytest
import soundfile

from workshop_lib.errors import WorkshopError
from workshop_lib.speech.recorder import (
    RecordingStore,
    clean_recording,
    ensure_consent,
    record_in_colab,
)

RATE = 16000


def speech_like(seconds, rate=RATE, silence=1.0):
    """A voiced, syllable-like test signal between stretches of silence."""
    t = np.arange(int(seconds * rate)) / rate
    voice = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    quiet = np.zeros(int(silence * rate))
    return np.concatenate([quiet, voice, quiet]).astype(np.float32)


def wav_bytes(samples, rate=RATE):
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV")
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path):
    return RecordingStore(tmp_path / "recordings")


def test_cleaning_trims_silence_and_normalises():
    cleaned, rate = clean_recording(speech_like(5), RATE)

    assert rate == RATE
    assert 5.0 <= cleaned.size / rate <= 5.4
    assert np.abs(cleaned).max() == pytest.approx(0.9, abs=1e-3)


def test_a_silent_recording_is_refused():
    with pytest.raises(WorkshopError, match="silent"):
        clean_recording(np.zeros(5 * RATE, dtype=np.float32), RATE)


def test_a_too_short_recording_asks_for_more():
    with pytest.raises(WorkshopError, match="at least 2 seconds"):
        clean_recording(speech_like(1), RATE)


def test_a_long_recording_is_cut_to_thirty_seconds():
    cleaned, rate = clean_recording(speech_like(45, rate=8000), 8000)

    assert cleaned.size / rate == pytest.approx(30.0)


def test_a_recording_over_ten_minutes_is_refused():
    with pytest.raises(WorkshopError, match="minutes long"):
        clean_recording(np.zeros(601 * 8000, dtype=np.float32), 8000)


def test_recordings_are_kept_until_deleted(store):
    first = store.add(wav_bytes(speech_like(4)), source="microphone")
    second = store.add(wav_bytes(speech_like(3)), source="upload", name="my voice.wav")

    again = RecordingStore(store.folder)  # a new kernel finds them again
    names = [r.name for r in again.recordings()]
    again.delete(first.name)

    assert names == ["recording-1", "my-voice-1"]
    assert second.source == "upload" and second.consent is None
    assert [r.name for r in store.recordings()] == ["my-voice-1"]
    assert not first.path.exists() and not first.path.with_suffix(".json").exists()


def test_unknown_recording_lists_the_names(store):
    store.add(wav_bytes(speech_like(3)))

    with pytest.raises(WorkshopError, match=r"no recording called 'nope'.*recording-1"):
        store.get("nope")


def test_an_unsupported_file_is_refused_and_nothing_is_kept(store):
    with pytest.raises(WorkshopError, match="could not be read"):
        store.add(b"this is a text file, not audio", source="upload", name="notes.mp3")

    assert store.recordings() == []


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_a_browser_recording_in_webm_is_read(store, tmp_path):
    wav, webm = tmp_path / "in.wav", tmp_path / "in.webm"
    soundfile.write(wav, speech_like(3, rate=48000), 48000)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "libopus", str(webm)], check=True
    )

    recording = store.add(webm.read_bytes(), source="microphone")

    assert recording.seconds == pytest.approx(3.0, abs=0.4)
    assert recording.sample_rate == 48000


def test_consent_needs_a_name_and_the_promise(store):
    recording = store.add(wav_bytes(speech_like(3)), source="microphone")

    with pytest.raises(WorkshopError, match="whose voice"):
        store.give_consent(recording.name, speaker=" ", own_voice=True, no_deception=True)
    with pytest.raises(WorkshopError, match="deceive"):
        store.give_consent(recording.name, speaker="Ada", own_voice=True, no_deception=False)
    with pytest.raises(WorkshopError, match="consent step"):
        ensure_consent(store.get(recording.name))


def test_consent_is_kept_with_the_recording(store):
    recording = store.add(wav_bytes(speech_like(3)), source="microphone")

    store.give_consent(recording.name, speaker="Ada", own_voice=False, no_deception=True)
    kept = RecordingStore(store.folder).get(recording.name)

    assert kept.consent.speaker == "Ada" and kept.consent.own_voice is False
    ensure_consent(kept)


def test_the_sample_voice_needs_no_consent(store, capsys):
    sample = store.choose()

    ensure_consent(sample)
    assert sample.source == "sample" and sample.seconds > 5
    assert "sample voice" in capsys.readouterr().out


def test_cloning_needs_a_recording_from_the_store():
    with pytest.raises(WorkshopError, match="recording store"):
        ensure_consent("my_voice.wav")


def test_record_in_colab_outside_colab_points_to_the_widget(store):
    with pytest.raises(WorkshopError, match="RecorderWidget"):
        record_in_colab(store, 5)


@pytest.fixture
def colab(monkeypatch):
    """A stand-in for Colab's google.colab.output (the outside world), answering eval_js."""
    answers = {}
    output = types.ModuleType("google.colab.output")
    output.eval_js = lambda script, timeout_sec=None: answers["data_url"]
    colab = types.ModuleType("google.colab")
    colab.output = output
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    return answers


def test_record_in_colab_keeps_what_the_browser_sends(store, colab):
    colab["data_url"] = (
        "data:audio/wav;base64," + base64.b64encode(wav_bytes(speech_like(4))).decode()
    )

    recording = record_in_colab(store, 5)

    assert recording.source == "microphone"
    assert store.latest == recording


def test_record_in_colab_reports_an_empty_answer(store, colab):
    colab["data_url"] = None

    with pytest.raises(WorkshopError, match="Allow the microphone"):
        record_in_colab(store, 5)
