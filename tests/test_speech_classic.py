"""The classic engines, run for real through their command-line programs (workshop_lib.speech.classic).

CI installs every program and voice (see workshop_lib/system_programs.txt); a missing one fails
test_every_classic_engine_is_installed_here with the install command, rather than being skipped.
"""

import numpy as np
import pytest

from workshop_lib.errors import WorkshopError
from workshop_lib.speech import get_engine, phonemes
from workshop_lib.speech.evaluate import transcribe, word_error_rate
from workshop_lib.speech.registry import CLASSIC

SENTENCE = "Daisy, Daisy, give me your answer do. Welcome to the library machine learning workshop."
RATES = {
    "espeak-ng": 22050,
    "mbrola": 16000,
    "festival": 16000,
    "festival-hts": 32000,
    "flite": 16000,
    "pico": 16000,
}
SPEED_ENGINES = [name for name in CLASSIC if get_engine(name).supports_speed]


def _engine(name):
    engine = get_engine(name)
    if not engine.is_available():
        pytest.fail(f"{name} is not installed here: {engine.problem()}")
    return engine


def test_every_classic_engine_is_installed_here():
    problems = {name: get_engine(name).problem() for name in CLASSIC}

    assert {name: p for name, p in problems.items() if p} == {}


@pytest.mark.parametrize("name", CLASSIC)
def test_engine_speaks_a_sentence_as_mono_samples(name):
    samples, sample_rate = _engine(name).speak(SENTENCE)

    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert sample_rate == RATES[name]
    assert 2.5 < samples.size / sample_rate < 10
    assert 0.05 < np.abs(samples).max() <= 1.0


@pytest.mark.parametrize("name", SPEED_ENGINES)
def test_faster_speed_gives_shorter_speech(name):
    engine = _engine(name)

    slow, _ = engine.speak("Welcome to the library workshop.", speed=0.7)
    fast, _ = engine.speak("Welcome to the library workshop.", speed=1.6)

    assert fast.size < 0.8 * slow.size


def test_pico_says_it_cannot_change_speed():
    with pytest.raises(WorkshopError, match="cannot change how fast"):
        _engine("pico").speak("Hello.", speed=1.5)


@pytest.mark.parametrize("name", ["mbrola", "festival", "flite", "pico"])
def test_every_voice_speaks(name):
    engine = _engine(name)

    durations = {
        v.name: engine.speak("Hello there.", voice=v.name)[0].size for v in engine.voices()
    }

    assert len(durations) >= 1
    assert all(size > 0 for size in durations.values())


def test_mbrola_offers_the_four_english_voices_clearest_first():
    names = [voice.name for voice in _engine("mbrola").voices()]

    assert names[:4] == ["mb-us1", "mb-us2", "mb-us3", "mb-en1"]


@pytest.mark.parametrize("name", ["festival-hts", "flite", "pico"])
def test_recogniser_understands_the_clearest_engines(name):
    samples, rate = _engine(name).speak(SENTENCE)

    heard = transcribe(samples, rate)

    assert word_error_rate(SENTENCE, heard) <= 0.3, heard


def test_espeak_speaks_russian_with_a_russian_voice():
    samples, rate = _engine("espeak-ng").speak("Привет, библиотека!", voice="ru")

    assert samples.size / rate > 0.5


def test_english_only_engine_points_to_espeak_for_other_alphabets():
    with pytest.raises(WorkshopError, match="espeak-ng"):
        _engine("flite").speak("Привет, библиотека!")


@pytest.mark.parametrize("name", CLASSIC)
def test_shell_metacharacters_are_spoken_not_run(name, tmp_path):
    marker = tmp_path / "ran"
    text = f'-v x; touch {marker}; $(touch {marker}) `touch {marker}` | echo "quote" & done'

    samples, _ = _engine(name).speak(text)

    assert samples.size > 0
    assert not marker.exists()


def test_unknown_voice_lists_the_voices():
    with pytest.raises(WorkshopError, match=r"no voice called 'nobody'.*slt"):
        _engine("flite").speak("Hello.", voice="nobody")


@pytest.mark.parametrize("speed", [0.1, 5, "fast"])
def test_speed_out_of_range_is_refused(speed):
    with pytest.raises(WorkshopError, match="speed"):
        _engine("espeak-ng").speak("Hello.", speed=speed)


def test_missing_program_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without the programs

    engine = type(get_engine("espeak-ng"))()

    assert "apt-get install espeak-ng" in engine.problem()
    with pytest.raises(WorkshopError, match="not installed"):
        engine.speak("Hello.")


def test_sentences_come_one_at_a_time_in_order():
    sentences = list(_engine("espeak-ng").speak_sentences("One. Two! Three?"))

    assert [s.text for s in sentences] == ["One.", "Two!", "Three?"]
    assert all(s.duration > 0.1 for s in sentences)


def test_phonemes_are_written_in_ipa():
    assert phonemes("Hello there") == "həlˈoʊ ðˈɛɹ"


# --- hostile text: programs get argument lists, and text is never read as an option -----------


@pytest.mark.parametrize("name", CLASSIC)
@pytest.mark.parametrize("text", ["--help", "-v xx -w /tmp/elsewhere.wav", "--version"])
def test_text_that_looks_like_an_option_is_spoken(name, text):
    # Were the text parsed as options, the program would print help (or write elsewhere) and
    # make no sound at all, and the engine would say so.
    samples, rate = _engine(name).speak(text)

    assert samples.size > 0.1 * rate


def test_phonemes_of_text_that_looks_like_an_option():
    assert phonemes("--help") == phonemes("help")


def _subprocess_calls(tree):
    import ast

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in ("subprocess", "os"):
                yield node


def test_every_program_is_started_with_an_argument_list_never_a_shell():
    import ast
    from pathlib import Path

    import workshop_lib

    problems, checked = [], 0
    for path in sorted(Path(workshop_lib.__file__).parent.rglob("*.py")):
        for call in _subprocess_calls(ast.parse(path.read_text("utf-8"))):
            checked += 1
            where = f"{path.name}:{call.lineno}"
            if call.func.attr in ("system", "popen", "spawnl", "execl"):
                problems.append(f"{where} os.{call.func.attr}")
            for keyword in call.keywords:
                if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    problems.append(f"{where} shell=")
            first = call.args[0] if call.args else None
            if isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp):
                problems.append(f"{where} a command line as one string")

    assert checked >= 5  # the classic engines, phonemes, ffmpeg, the handout's wheel
    assert problems == []
