"""Neural voices through coqui-tts, offline, with the tiny random-weight models (workshop_lib.speech.coqui).

The models load through exactly the code a learner's download goes through after the download:
coqui's file layout and path fix-up, ``TTS(model_path=..., config_path=...)``, the device from
pick_device(). They make noise, not speech, so the tests check shapes, rates, timing, voices,
speed, cloning and errors, and that our wrapper returns what coqui-tts itself returns.
"""

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from workshop_lib.errors import WorkshopError
from workshop_lib.runtime import pick_device
from workshop_lib.speech import RecordingStore
from workshop_lib.speech.coqui import ClonedVoice, CoquiEngine
from workshop_lib.speech.coqui_models import MODELS
from workshop_lib.speech.xtts import XttsEngine, accept_xtts_terms, xtts_terms_accepted

pytest.importorskip("TTS", reason="coqui-tts is part of the speech extra")

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = ROOT / "workshop_lib" / "speech" / "offline"


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """Offline mode with a fresh cache folder, for the whole module."""
    patch = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("cache")
    patch.setenv("WORKSHOP_OFFLINE", "1")
    patch.setenv("WORKSHOP_CACHE", str(cache))
    yield cache
    patch.undo()


@pytest.fixture(scope="module")
def vits(offline):
    engine = CoquiEngine("vits")
    engine.load()
    return engine


@pytest.fixture(scope="module")
def vctk(offline):
    return CoquiEngine("vits-vctk")


@pytest.fixture(scope="module")
def cloner(offline):
    return CoquiEngine("your_tts")


@pytest.fixture
def store(tmp_path):
    return RecordingStore(tmp_path / "recordings")


def test_every_packaged_model_is_under_two_megabytes():
    sizes = {
        folder.name: sum(f.stat().st_size for f in folder.iterdir())
        for folder in OFFLINE.iterdir()
        if folder.is_dir()
    }

    assert set(sizes) == {"vits-characters", "vits-phonemes", "vits-speakers", "vits-cloning"}
    assert all(size < 2_000_000 for size in sizes.values()), sizes


def test_catalogue_has_the_required_models_with_their_facts():
    names = {model.coqui_name for model in MODELS.values()}

    assert {
        "tts_models/en/ljspeech/vits",
        "tts_models/en/ljspeech/tacotron2-DDC",
        "tts_models/en/vctk/vits",
        "tts_models/multilingual/multi-dataset/xtts_v2",
    } <= names
    assert MODELS["xtts_v2"].licence.startswith("Coqui Public Model License")
    assert MODELS["vits"].needs_espeak and not MODELS["tacotron2"].needs_espeak
    assert [m.name for m in MODELS.values() if m.can_clone] == ["your_tts", "xtts_v2"]


def test_offline_model_is_laid_out_like_a_coqui_download(vctk, offline):
    vctk.load()

    folder = offline / "coqui" / "tts" / "offline--vits-speakers"
    config = json.loads((folder / "config.json").read_text())
    assert Path(config["speakers_file"]) == folder / "speaker_ids.json"
    assert vctk.device == pick_device()


def test_vits_speaks_float_samples_at_its_rate(vits):
    samples, rate = vits.speak("Hello, library!")

    assert rate == 22050
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert samples.size > 0.2 * rate
    assert np.abs(samples).max() <= 1.0


def test_wrapper_returns_what_coqui_returns_without_its_padding(vits):
    from TTS.utils.synthesizer import PAD_SILENCE_SAMPLES

    text = "The same sentence, twice."

    torch.manual_seed(0)
    ours, _ = vits.speak(text)
    torch.manual_seed(0)
    direct = np.asarray(vits.load().tts(text), dtype=np.float32)

    assert direct.size == ours.size + PAD_SILENCE_SAMPLES
    assert not direct[ours.size :].any()
    np.testing.assert_allclose(ours, np.clip(direct[: ours.size], -1, 1), atol=1e-6)


def test_long_text_comes_sentence_by_sentence(vits):
    sentences = vits.speak_sentences("First sentence. Second one! And a third?")

    first = next(sentences)
    rest = list(sentences)

    assert first.text == "First sentence."
    assert [s.text for s in rest] == ["Second one!", "And a third?"]
    assert first.sample_rate == 22050 and first.seconds > 0


def test_speaking_faster_makes_shorter_sound(vits):
    slow, _ = vits.speak("Welcome to the workshop.", speed=0.5)
    fast, _ = vits.speak("Welcome to the workshop.", speed=2.0)

    assert fast.size < 0.8 * slow.size  # at least one frame per symbol, so not exactly 4x


@pytest.mark.slow
def test_explain_keeps_every_step(vits):
    steps = vits.explain("Dr. Smith paid $5.")

    assert "five dollars" in steps.cleaned
    assert steps.uses_phonemes and "ˈ" in steps.symbols
    assert len(steps.tokens) == len(steps.token_ids) == steps.alignment.shape[0]
    assert steps.alignment.shape[1] * steps.hop_length == pytest.approx(
        steps.samples.size, rel=0.01
    )


@pytest.mark.parametrize("text", ["Hello 😀", "你好，世界"])
def test_english_model_refuses_what_it_cannot_say(vits, text):
    with pytest.raises(WorkshopError, match=r"cannot say|another writing system"):
        vits.speak(text)


def test_multi_speaker_model_lists_and_uses_its_speakers(vctk):
    names = [voice.name for voice in vctk.voices()]

    samples, _ = vctk.speak("Hello.", voice="p227")

    assert names == ["p225", "p226", "p227", "p228"]
    assert samples.size > 0
    with pytest.raises(WorkshopError, match="no voice called 'p999'"):
        vctk.speak("Hello.", voice="p999")


def test_character_model_needs_no_espeak(offline, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on this PATH

    characters = CoquiEngine("tacotron2")
    phonemes = CoquiEngine("vits")

    assert characters.speak("Hello.")[0].size > 0
    assert "espeak-ng" in phonemes.problem()


def test_cloning_the_sample_voice_needs_no_consent(cloner, store):
    voice = cloner.clone(store.sample())

    samples, rate = cloner.speak("This is a copied voice.", voice=voice)

    assert isinstance(voice, ClonedVoice) and voice.engine == "your_tts"
    assert samples.size > 0 and rate == 22050
    assert voice.name in [v.name for v in cloner.voices()]


def test_cloning_a_recording_needs_consent_first(cloner, store):
    recording = store.add(store.sample().path.read_bytes(), source="microphone")

    with pytest.raises(WorkshopError, match="consent"):
        cloner.clone(recording)
    recording = store.give_consent(recording.name, speaker="Ada", own_voice=True, no_deception=True)
    voice = cloner.clone(recording, name="ada")

    assert cloner.speak("Hello.", voice="ada")[0].size > 0
    assert voice.reference == recording.path


def test_a_model_that_cannot_clone_says_which_can(vits, store):
    with pytest.raises(WorkshopError, match="your_tts, xtts_v2"):
        vits.clone(store.sample())


def test_multilingual_cloner_checks_the_language(cloner):
    cloner.language = "de"
    try:
        with pytest.raises(WorkshopError, match=r"does not speak 'de'.*fr-fr"):
            cloner.speak("Hallo.")
    finally:
        cloner.language = None


def test_xtts_has_no_offline_stand_in_and_asks_for_its_terms(offline):
    accept_xtts_terms(False)

    problem = XttsEngine().problem()

    assert "no small stand-in" in problem
    assert not xtts_terms_accepted()


def test_accepting_xtts_terms_writes_coquis_agreement_file(offline):
    accept_xtts_terms(True)

    agreed = offline / "coqui" / "tts" / "tts_models--multilingual--multi-dataset--xtts_v2"
    assert (agreed / "tos_agreed.txt").is_file()
    assert accept_xtts_terms(False) is False
    assert not (agreed / "tos_agreed.txt").exists()


def _tool():
    spec = importlib.util.spec_from_file_location(
        "make_tts", ROOT / "tools" / "make_tts_test_models.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def xtts(offline, tmp_path_factory):
    """A tiny random XTTS built by the tools script (about 100 MB, not packaged), terms accepted."""
    folder = _tool().make_xtts(tmp_path_factory.mktemp("xtts"))
    accept_xtts_terms(True)
    yield XttsEngine(folder=folder)
    accept_xtts_terms(False)
    shutil.rmtree(folder, ignore_errors=True)


def test_xtts_refuses_to_load_without_its_terms(offline, tmp_path):
    accept_xtts_terms(False)

    with pytest.raises(WorkshopError, match="non-commercial"):
        XttsEngine(folder=tmp_path).load()


@pytest.mark.slow
def test_xtts_clones_and_speaks_through_the_same_wrapper(xtts, store):
    voice = xtts.clone(store.sample())

    samples, rate = xtts.speak("Hello library.", voice=voice)
    first = next(xtts.stream("Hello library.", voice=voice))

    assert rate == 24000
    assert samples.size > 0 and first.samples.size > 0
    assert voice.data["speaker_embedding"].shape == (1, 512, 1)


def test_deleting_a_recording_deletes_everything_made_from_it(offline, store):
    from workshop_lib.speech.registry import get_engine

    cloner = get_engine("your_tts")  # engines made by the registry are the ones a notebook uses
    recording = store.add(store.sample().path.read_bytes(), source="microphone")
    recording = store.give_consent(recording.name, speaker="Ada", own_voice=True, no_deception=True)
    voice = cloner.clone(recording, name="ada")
    derived = recording.derived_folder()  # where files made from the recording belong
    derived.mkdir()
    (derived / "speaker-embedding.pt").write_bytes(b"a cache made from the voice")

    store.delete(recording.name)

    assert not recording.path.exists() and not recording.path.with_suffix(".json").exists()
    assert not derived.exists() and list(store.folder.iterdir()) == []
    assert "ada" not in [v.name for v in cloner.voices()]
    with pytest.raises(WorkshopError, match="was deleted"):
        cloner.speak("Hello.", voice=voice)
    with pytest.raises(WorkshopError, match="no voice called 'ada'"):
        cloner.speak("Hello.", voice="ada")


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu"), None])
def test_coqui_engines_take_every_form_of_device(offline, device):
    from workshop_lib.speech import speak
    from workshop_lib.speech.bundles import bundle

    samples, rate = speak("Hello.", engine="tacotron2", device=device)

    assert samples.size > 0 and rate == 22050
    assert CoquiEngine("tacotron2", device=device).device == pick_device(device)
    assert bundle("tacotron2").load(device).synthesizer.output_sample_rate == 22050


def test_coqui_engines_load_through_their_bundle(vits):
    from workshop_lib.speech.bundles import bundle

    item = bundle("vits")

    assert type(vits.load()) is type(item.load("cpu"))
    assert item.sample_rate == vits.sample_rate == 22050
    assert "random weights" in item.stand_in_note() and vits.stand_in_note()
