"""Fuzzing the notebook recorder's stored recordings: damaged WAV files and consent notes."""

import json
import random

import numpy as np
from fuzzing import examples, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop_lib.speech.recorder import RecordingStore


def _store(folder) -> RecordingStore:
    store = RecordingStore(folder)
    t = np.linspace(0, 3, 48000)
    voice = (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    store.add((voice, 16000), source="microphone", name="mine")
    return store


def _use(store: RecordingStore):
    for recording in store.recordings():
        recording.load()
    assert store.latest is None or store.latest.name
    store.get("mine-1").load()


def test_recordings_damaged_files(fuzzer, tmp_path):
    rng = random.Random(fuzzer.seed)
    store = _store(tmp_path / "cache" / "recordings")
    wav = store.folder / "mine-1.wav"
    good = wav.read_bytes()
    for _ in fuzzer.rounds():
        wav.write_bytes(mutate(good, rng))
        fuzzer.check(lambda: _use(store), wav.read_bytes(), name=".wav")
    wav.write_bytes(good)


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    note=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["source", "consent", "speaker", "own_voice", "no_deception", "given_at", "x"]
            ),
            children,
            max_size=4,
        ),
        max_leaves=8,
    )
)
def test_recordings_damaged_notes(fuzzer, tmp_path_factory, note):
    store = _store(tmp_path_factory.mktemp("cache") / "recordings")
    (store.folder / "mine-1.json").write_text(json.dumps(note), "utf-8")
    fuzzer.check(lambda: _use(store), json.dumps(note))
    consent = store.get("mine-1").consent
    assert consent is None or consent.speaker, "a damaged note never becomes consent"
