"""Fuzzing text to speak: Unicode edge cases, control characters, right-to-left text, a million
characters, SSML-looking markup, and options in disguise."""

import shutil

import pytest
from fuzzing import LONG_INPUTS, examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workshop_lib.speech.text import check_text, split_sentences

TRICKY = st.sampled_from(
    [
        "",
        " \n\t ",
        "\u202eevil\u202c right-to-left override",
        "مرحبا بالعالم",
        "שלום עולם",
        "<speak><prosody rate='x-fast'>Hello</prosody></speak>",
        "<break time='100000s'/>",
        "-v xx --stdout",
        "--help",
        "\x00\x07\x1b[31mred",
        "e\u0301\u0301\u0301\u0301",
        "\ud800 lone surrogate",
        "🙂" * 3,
        "A" * 10**6,
        ".\n" * 5000,
    ]
)

SETTINGS = settings(
    max_examples=examples(LONG_INPUTS),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(
    text=st.one_of(
        TRICKY,
        st.text(),
        st.text(alphabet=st.characters(codec="utf-8")),
        st.binary(max_size=64),
        st.integers(),
        st.none(),
    )
)
@example(text="A" * 10**6)
def test_check_text(fuzzer, text):
    def both():
        tidy = check_text(text, engine="espeak-ng", max_characters=5000)
        split_sentences(tidy)
        check_text(text, engine="flite", max_characters=5000, latin_only=True)

    fuzzer.check(both, repr(text)[:2000])


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.one_of(TRICKY, st.text(max_size=80)))
@example(text="--help")
@example(text="-w /tmp/owned.wav")
def test_speak(fuzzer, text):
    from workshop_lib.speech import speak

    fuzzer.check(lambda: speak(text, engine="espeak-ng"), repr(text)[:2000])
