"""Measuring voices, the history data and the comparison tables (workshop_lib.speech.evaluate, .history)."""

import numpy as np
import pytest

from workshop_lib.errors import WorkshopError
from workshop_lib.speech import (
    measure,
    measurements_table,
    plot_side_by_side,
    speak_with_every_engine,
)
from workshop_lib.speech.evaluate import transcribe, word_error_rate
from workshop_lib.speech.history import (
    SERVICES,
    TIMELINE,
    plot_timeline,
    services_table,
    timeline_table,
)
from workshop_lib.speech.registry import CLASSIC, NEURAL


@pytest.mark.parametrize(
    ("reference", "heard", "expected"),
    [
        ("Give me your answer, do!", "give me your answer do", 0.0),
        ("Give me your answer, do!", "give me your answer to", 0.2),
        ("Give me your answer, do!", "give me answer do", 0.2),
        ("Give me your answer, do!", "", 1.0),
        ("one two", "one two three four", 1.0),
    ],
)
def test_word_error_rate_counts_swaps_gaps_and_extras(reference, heard, expected):
    assert word_error_rate(reference, heard) == pytest.approx(expected)


def test_word_error_rate_needs_a_reference():
    with pytest.raises(WorkshopError, match="no words"):
        word_error_rate("?!", "hello")


def test_silence_is_not_heard_as_the_sentence():
    heard = transcribe(np.zeros(16000, dtype=np.float32), 16000)

    assert word_error_rate("Welcome to the library machine learning workshop", heard) >= 0.8


def test_measure_times_and_checks_an_engine():
    result = measure("espeak-ng", "Hello. Welcome to the library.")

    assert result.engine == "espeak-ng" and result.voice == "en-us"
    assert 0 < result.first_audio_seconds <= result.compute_seconds
    assert result.real_time_factor == pytest.approx(result.compute_seconds / result.audio_seconds)
    assert 0 <= result.word_error_rate <= 2
    assert "espeak-ng" in measurements_table([result]).data


def test_every_engine_says_the_same_sentence_side_by_side():
    results = speak_with_every_engine("Hello, library.", engines=["espeak-ng", "pico"])

    figure = plot_side_by_side(results)

    assert list(results) == ["espeak-ng", "pico"]
    assert len(figure.axes) == 4


def test_timeline_covers_the_issue_milestones_with_sources():
    systems = " ".join(m.system for m in TIMELINE)

    for name in ("Voder", "Pattern Playback", "Daisy", "DECtalk", "Hawking", "MBROLA", "Festival",
                 "HTS", "WaveNet", "Tacotron", "VITS", "YourTTS", "XTTS", "Polly"):  # fmt: skip
        assert name in systems
    assert all(m.sources and m.why and m.who for m in TIMELINE)
    assert min(m.year for m in TIMELINE) == 1939


def test_timeline_engines_exist():
    engines = {m.engine for m in TIMELINE if m.engine}

    assert engines <= set(CLASSIC + NEURAL)
    assert set(CLASSIC) <= engines


def test_timeline_figure_and_table():
    figure = plot_timeline()

    assert "Voder" in timeline_table().data
    assert figure.axes[0].get_xlim()[0] < 1939


def test_services_compare_commercial_and_open_source():
    kinds = {s.kind for s in SERVICES}
    names = " ".join(s.name for s in SERVICES)

    assert {"commercial", "open source"} <= kinds
    for name in ("Google", "Amazon Polly", "Azure", "ElevenLabs", "eSpeak", "XTTS"):
        assert name in names
    assert "runs offline" in services_table().data
