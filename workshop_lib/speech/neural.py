"""Neural text-to-speech through coqui-tts: a curated list of models, one engine class for all of them.

Loading goes registry → files → ``TTS(model_path=..., config_path=...)`` → device, the same way
for every model:

- online, coqui-tts's own ``ModelManager`` downloads the model into the workshop's cache folder
  (``<cache>/coqui/tts/...``; Hugging Face models such as XTTS-v2 go to Hugging Face's cache);
- offline (``WORKSHOP_OFFLINE=1``), a tiny random-weight model of the same architecture that ships
  with the package is copied into the same cache layout instead of downloaded;
- with ``folder=``, a model folder you have (a fine-tuned model, a test model) is used in place.

After that step the code is the same: coqui's path fix-up, ``TTS(...)``, ``.to(device)`` with the
device from :func:`workshop_lib.runtime.pick_device`, and synthesis one sentence at a time. The
offline models make noise, not speech: nothing in them was trained.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import shutil
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from .. import runtime
from ..errors import WorkshopError
from .engine import Engine, Sentence, Voice, join_sentences
from .pipeline import PipelineSteps

__all__ = [
    "MODELS",
    "XTTS_TERMS",
    "ClonedVoice",
    "CoquiEngine",
    "NeuralModel",
    "XttsEngine",
    "accept_xtts_terms",
    "model_table",
    "xtts_terms_accepted",
]

_PHONEME_STAND_INS = ("vits-phonemes", "vits-speakers")  # offline models that call espeak-ng
_INSTALL = (
    "Neural voices need the coqui-tts package. On Colab the notebook's setup cell installs it; "
    'on your own computer run: pip install "workshop_lib[speech]" (or bash workshop.sh install).'
)


@dataclass(frozen=True)
class NeuralModel:
    """One neural model in the workshop's list: what it is, its licence and size, what it needs.

    Attributes
    ----------
    name : str
        Short engine name, such as ``"vits"``.
    coqui_name : str
        coqui-tts's model name (``"tts_models/en/ljspeech/vits"``), as in its model list.
    title, technique, summary : str
        For people.
    year : int
        Year of the paper.
    licence : str
        Licence of the trained weights (the coqui-tts code itself is MPL-2.0).
    download_mb : int
        Approximate download size in megabytes (model plus vocoder).
    languages : tuple of str
        Language codes it speaks.
    speakers : int
        Built-in voices (1 for a single-speaker model).
    needs_espeak : bool
        True when it turns text into phonemes with the espeak-ng program first.
    can_clone : bool
        True when it copies a voice from a short recording.
    supports_speed : bool
        True when speed can be changed.
    paper : str
        Where to read about it.
    offline : str or None
        The tiny stand-in model (folder in ``workshop_lib/speech/offline/``) used offline.
    vocoder : str or None
        coqui-tts's vocoder model used with it, if any.
    """

    name: str
    coqui_name: str
    title: str
    technique: str
    year: int
    licence: str
    download_mb: int
    languages: tuple[str, ...]
    speakers: int
    needs_espeak: bool
    can_clone: bool
    supports_speed: bool
    paper: str
    summary: str
    offline: str | None = None
    vocoder: str | None = None


MODELS: dict[str, NeuralModel] = {
    model.name: model
    for model in (
        NeuralModel(
            name="tacotron2",
            coqui_name="tts_models/en/ljspeech/tacotron2-DDC",
            title="Tacotron 2 (DDC) + HiFi-GAN, LJSpeech",
            technique="neural: letters → spectrogram (attention) → vocoder",
            year=2017,
            licence="Apache-2.0",
            download_mb=120,
            languages=("en",),
            speakers=1,
            needs_espeak=False,
            can_clone=False,
            supports_speed=False,
            paper="Shen et al., arXiv:1712.05884; vocoder HiFi-GAN, arXiv:2010.05646",
            summary=(
                "Reads letters, predicts a mel spectrogram frame by frame while an attention "
                "mechanism decides which letter it is saying, then a separate vocoder network "
                "(HiFi-GAN) turns the spectrogram into sound."
            ),
            offline="vits-characters",
            vocoder="vocoder_models/en/ljspeech/hifigan_v2",
        ),
        NeuralModel(
            name="vits",
            coqui_name="tts_models/en/ljspeech/vits",
            title="VITS, LJSpeech",
            technique="neural, end to end: phonemes → waveform",
            year=2021,
            licence="Apache-2.0",
            download_mb=150,
            languages=("en",),
            speakers=1,
            needs_espeak=True,
            can_clone=False,
            supports_speed=True,
            paper="Kim, Kong, Son, arXiv:2106.06103 (ICML 2021)",
            summary=(
                "One network from phonemes straight to the waveform: it predicts how long each "
                "sound lasts, then generates the sound (a variational autoencoder with flows, "
                "trained like a GAN). One voice: Linda Johnson reading books (LJSpeech)."
            ),
            offline="vits-phonemes",
        ),
        NeuralModel(
            name="vits-vctk",
            coqui_name="tts_models/en/vctk/vits",
            title="VITS, VCTK (109 speakers)",
            technique="neural, end to end, many speakers",
            year=2021,
            licence="Apache-2.0",
            download_mb=150,
            languages=("en",),
            speakers=109,
            needs_espeak=True,
            can_clone=False,
            supports_speed=True,
            paper="Kim, Kong, Son, arXiv:2106.06103 (ICML 2021); VCTK corpus (Edinburgh)",
            summary=(
                "The same VITS network trained on 109 speakers with English accents: pick a "
                "speaker (p225, p226, ...) and the same text comes out in that person's voice."
            ),
            offline="vits-speakers",
        ),
        NeuralModel(
            name="your_tts",
            coqui_name="tts_models/multilingual/multi-dataset/your_tts",
            title="YourTTS (zero-shot voice cloning)",
            technique="neural: VITS steered by a speaker encoder",
            year=2021,
            licence="CC BY-NC-ND 4.0 (non-commercial, no derivatives)",
            download_mb=200,
            languages=("en", "fr-fr", "pt-br"),
            speakers=0,
            needs_espeak=False,
            can_clone=True,
            supports_speed=True,
            paper="Casanova et al., arXiv:2112.02418 (ICML 2022)",
            summary=(
                "A speaker encoder turns a few seconds of a recording into a vector (a voice "
                "fingerprint) that steers a VITS: a lighter cloning model that runs on a CPU."
            ),
            offline="vits-cloning",
        ),
        NeuralModel(
            name="xtts_v2",
            coqui_name="tts_models/multilingual/multi-dataset/xtts_v2",
            title="XTTS-v2 (voice cloning, 17 languages)",
            technique="neural: GPT-style language model over audio tokens + HiFi-GAN decoder",
            year=2023,
            licence="Coqui Public Model License (CPML): non-commercial only",
            download_mb=1900,
            languages=(
                "en",
                "es",
                "fr",
                "de",
                "it",
                "pt",
                "pl",
                "tr",
                "ru",
                "nl",
                "cs",
                "ar",
                "zh-cn",
                "ja",
                "hu",
                "ko",
                "hi",
            ),
            speakers=58,
            needs_espeak=False,
            can_clone=True,
            supports_speed=True,
            paper="Casanova et al., arXiv:2406.04904 (Interspeech 2024)",
            summary=(
                "Like a chatbot that writes sound instead of words: a GPT-style model predicts "
                "audio tokens from the text and a voice sample (about 6 seconds), and a decoder "
                "turns them into speech. Best quality here; wants a GPU."
            ),
        ),
    )
}
"""The neural models the workshop offers, by engine name."""


def model_table():
    """Show the neural models as a table: licence, size, languages, needs espeak-ng, can clone."""
    from IPython.display import HTML

    rows = "".join(
        f"<tr><td><b>{m.name}</b><br><small>{m.coqui_name}</small></td><td>{m.technique}</td>"
        f"<td>{m.year}</td><td>{m.licence}</td><td>~{m.download_mb:,} MB</td>"
        f"<td>{', '.join(m.languages)}</td><td>{'yes' if m.needs_espeak else 'no'}</td>"
        f"<td>{'yes' if m.can_clone else 'no'}</td></tr>"
        for m in MODELS.values()
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "model",
            "technique",
            "year",
            "licence",
            "download",
            "languages",
            "needs espeak-ng",
            "clones a voice",
        )
    )
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


# --- XTTS terms -------------------------------------------------------------------------------

XTTS_TERMS = """\
XTTS-v2 comes with the Coqui Public Model License (CPML): https://tts-hub.github.io/cpml

In plain words:
  • You may use XTTS-v2 and the audio it makes only for NON-COMMERCIAL purposes:
    learning, personal projects, research. Not in anything that is sold or earns money.
  • Coqui, the company that made it, closed in early 2024, so a commercial licence can no
    longer be bought. Coqui's own download prompt still asks you to confirm either
    "I have purchased a commercial license from Coqui" or "Otherwise, I agree to the terms
    of the non-commercial CPML". Accepting here means the second: non-commercial use only.
  • The licence comes with the model (about 1.9 GB), which is downloaded from Hugging Face.

The workshop adds one rule of its own: clone only your own voice, or the voice of someone who
gave you permission, and never use a copied voice to deceive anyone.
"""
"""Coqui's terms for XTTS-v2, in plain words; the notebook shows them before asking for acceptance."""

_COQUI_TOS_SENTENCE = "I have read, understood and agreed to the Terms and Conditions."


def _coqui_folder(coqui_name: str) -> Path:
    """Where coqui-tts keeps a model inside the workshop cache (its own naming)."""
    from ..assets import cache_dir

    return cache_dir() / "coqui" / "tts" / coqui_name.replace("/", "--")


def xtts_terms_accepted() -> bool:
    """True when the XTTS-v2 terms were accepted on this computer (see :func:`accept_xtts_terms`)."""
    return (_coqui_folder(MODELS["xtts_v2"].coqui_name) / "tos_agreed.txt").is_file()


def accept_xtts_terms(accept: bool) -> bool:
    """Record that you read :data:`XTTS_TERMS` and accept them (non-commercial use only).

    The acceptance is written where coqui-tts looks for it (``tos_agreed.txt`` in the model's
    folder), so coqui-tts does not stop to ask again. Passing False withdraws it.

    Parameters
    ----------
    accept : bool
        True to accept, False to withdraw an earlier acceptance.

    Returns
    -------
    bool
        Whether the terms are accepted now.
    """
    path = _coqui_folder(MODELS["xtts_v2"].coqui_name) / "tos_agreed.txt"
    if accept is not True:
        path.unlink(missing_ok=True)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_COQUI_TOS_SENTENCE, "utf-8")
    return True


# --- finding the model files ------------------------------------------------------------------


@dataclass(frozen=True)
class _Files:
    model: Path
    config: Path
    folder: Path
    vocoder: Path | None = None
    vocoder_config: Path | None = None


def _manager():
    from TTS.utils.manage import ModelManager

    from ..assets import cache_dir

    return ModelManager(output_prefix=cache_dir() / "coqui", progress_bar=True)


def _offline_source(name: str) -> Path:
    return Path(str(resources.files("workshop_lib") / "speech" / "offline" / name))


def _prepare_folder(manager, folder: Path) -> _Files:
    """coqui's own post-download step: find the files, point the config at them."""
    try:
        model, config = manager._find_files(folder)
    except ValueError as err:
        raise WorkshopError(
            f"{folder} does not look like a coqui-tts model folder (it needs a model .pth file "
            "and config.json)."
        ) from err
    manager._update_paths(folder, config)
    return _Files(model=model, config=config, folder=folder)


def _install_offline(manager, model: NeuralModel) -> _Files:
    """Copy the packaged tiny model into the cache, laid out like a coqui download."""
    source = _offline_source(model.offline)
    target = manager.output_prefix / f"offline--{model.offline}"
    stale = not (target / "model.pth").is_file() or (
        (target / "model.pth").stat().st_size != (source / "model.pth").stat().st_size
    )
    if stale:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
    return _prepare_folder(manager, target)


def _download(manager, model: NeuralModel) -> _Files:
    """Download (once) through coqui-tts's ModelManager; a vocoder too when the model uses one."""
    quiet = logging.getLogger("TTS.utils.manage")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # coqui logs a traceback on failure; we say it in words
    try:
        model_path, config_path, _item = manager.download_model(model.coqui_name)
        vocoder = vocoder_config = None
        if model.vocoder:
            vocoder, vocoder_config, _ = manager.download_model(model.vocoder)
    except Exception as err:  # requests, Hugging Face and zip errors all mean the same here
        raise WorkshopError(
            f"The model {model.coqui_name} (about {model.download_mb:,} MB) could not be "
            f"downloaded ({type(err).__name__}: {err}). Check the internet connection and run "
            "the cell again; a half-finished download is started afresh."
        ) from err
    finally:
        quiet.setLevel(level)
    folder = Path(model_path).parent if Path(model_path).is_file() else Path(model_path)
    return _Files(Path(model_path), Path(config_path), folder, vocoder, vocoder_config)


def _coqui_pad() -> int:
    """The silence (in samples) coqui-tts appends to every sentence it speaks."""
    from TTS.utils import synthesizer

    return int(getattr(synthesizer, "PAD_SILENCE_SAMPLES", 0))


def _quiet_coqui() -> None:
    for name in ("TTS", "trainer"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _import_tts():
    if importlib.util.find_spec("TTS") is None:
        raise WorkshopError(_INSTALL)
    try:
        from TTS.api import TTS
    except ImportError as err:
        raise WorkshopError(
            f"coqui-tts is installed but could not start ({err}). Usually torch, torchaudio "
            "and torchcodec come from different releases: install the matching set, for "
            "example torch 2.11 with torchaudio 2.11 and torchcodec 0.11 (see requirements.txt)."
        ) from err
    _quiet_coqui()
    return TTS


# --- cloned voices and the pipeline picture ---------------------------------------------------


@dataclass
class ClonedVoice:
    """A voice copied from a recording, ready to speak with the engine that made it.

    Attributes
    ----------
    name : str
        The name you gave it (also accepted as ``voice=``).
    engine : str
        The engine that made it, such as ``"your_tts"``.
    reference : Path
        The cleaned recording it was copied from.
    data : dict
        What the model needs (an embedding, or XTTS's conditioning latents).
    """

    name: str
    engine: str
    reference: Path
    data: dict = field(default_factory=dict, repr=False)


# --- the engine -------------------------------------------------------------------------------


class CoquiEngine(Engine):
    """A neural voice from coqui-tts, with the workshop's one engine interface.

    The model is loaded on first use and kept, so speaking again is quick. Speech is made one
    sentence at a time (:meth:`speak_sentences` hands each over as soon as it is ready).

    Parameters
    ----------
    model : str or NeuralModel
        A name from :data:`MODELS` (``"vits"``, ``"tacotron2"``, ``"vits-vctk"``, ``"your_tts"``).
    device : str, optional
        ``"cuda"``, ``"mps"`` or ``"cpu"``; None lets :func:`workshop_lib.runtime.pick_device` choose.
    folder : str or Path, optional
        Use the coqui-tts model folder you have here instead of downloading.
    language : str, optional
        For multilingual models: the language to speak (default: the first of the model's).

    Examples
    --------
    >>> engine = CoquiEngine("vits")
    >>> samples, sample_rate = engine.speak("Hello, library!")  # doctest: +SKIP
    """

    max_characters = 1000
    latin_only = True
    other_language_hint = "Try espeak-ng, which speaks over 100 languages, or XTTS-v2."

    def __init__(self, model="vits", *, device=None, folder=None, language=None):
        if isinstance(model, str):
            if model not in MODELS:
                raise WorkshopError(
                    f"There is no neural model called {model!r}. Choose one of: {', '.join(MODELS)}."
                )
            model = MODELS[model]
        self.model = model
        self.name = model.name
        self.title = model.title
        self.technique = model.technique
        self.year = model.year
        self.licence = model.licence
        self.summary = model.summary
        self.supports_speed = model.supports_speed
        self.latin_only = model.name != "xtts_v2"  # the others speak Latin-alphabet languages only
        self.folder = Path(folder) if folder is not None else None
        self.language = language
        super().__init__(device=device)
        self._tts = None
        self._cloned: dict[str, ClonedVoice] = {}
        self.load_seconds: float | None = None

    # --- state ---------------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        """True when this engine uses its tiny random-weight stand-in (offline mode)."""
        return self.folder is None and runtime.is_offline()

    @property
    def loaded(self) -> bool:
        """True once the model is in memory."""
        return self._tts is not None

    def problem(self) -> str | None:
        if importlib.util.find_spec("TTS") is None:
            return _INSTALL
        if self.offline and not self.model.offline:
            return (
                f"{self.name} has no small stand-in model for offline mode "
                f"({runtime.OFFLINE_VARIABLE}=1). It needs the internet for its "
                f"{self.model.download_mb:,} MB download."
            )
        if self.folder is not None:
            # Not known before loading; coqui-tts says so itself if espeak-ng is missing.
            uses_phonemes = False
        elif self.offline:
            uses_phonemes = self.model.offline in _PHONEME_STAND_INS
        else:
            uses_phonemes = self.model.needs_espeak
        if uses_phonemes and shutil.which("espeak-ng") is None:
            return (
                f"{self.name} turns text into phonemes with the program espeak-ng, which is not "
                "installed. On Debian/Ubuntu: sudo apt-get install espeak-ng (on Colab the "
                "setup cell installs it)."
            )
        return None

    def load(self):
        """Load the model (downloading it the first time) and return coqui-tts's ``TTS`` object.

        Raises
        ------
        WorkshopError
            When coqui-tts is missing or broken, the download fails, or the files are not a model.
        """
        if self._tts is not None:
            return self._tts
        self.require()
        started = time.perf_counter()
        TTS = _import_tts()
        files = self._files()
        device = self.device
        try:
            tts = TTS(
                model_path=str(files.model),
                config_path=str(files.config),
                vocoder_path=str(files.vocoder) if files.vocoder else None,
                vocoder_config_path=str(files.vocoder_config) if files.vocoder_config else None,
                progress_bar=False,
            )
            tts.to(device)
        except (OSError, RuntimeError, KeyError, ValueError) as err:
            raise WorkshopError(
                f"The model in {files.folder} could not be loaded ({type(err).__name__}: {err}). "
                "If a download was interrupted, delete that folder and run the cell again."
            ) from err
        self._tts = tts
        self.load_seconds = time.perf_counter() - started
        return tts

    def _files(self) -> _Files:
        manager = _manager()
        if self.folder is not None:
            if not self.folder.is_dir():
                raise WorkshopError(f"There is no model folder {self.folder}. Check the path.")
            return _prepare_folder(manager, self.folder)
        if self.offline:
            return _install_offline(manager, self.model)
        return _download(manager, self.model)

    @property
    def sample_rate(self) -> int:
        """The model's output sample rate (loads the model)."""
        return int(self.load().synthesizer.output_sample_rate)

    # --- voices and languages ------------------------------------------------------------------

    def voices(self) -> list[Voice]:
        """The built-in speakers (loads multi-speaker models) and the voices cloned so far."""
        voices = []
        if self.model.speakers > 1 or self.model.can_clone:
            tts = self.load()
            for speaker in tts.speakers or []:
                voices.append(Voice(speaker, "built-in speaker", self._language() or "en"))
        voices += [Voice(v.name, f"cloned from {v.reference.name}") for v in self._cloned.values()]
        return voices

    def known_voices(self) -> list[Voice]:
        """The voices known without loading the model (for menus): loaded speakers and cloned voices."""
        return (
            self.voices()
            if self.loaded
            else [Voice(v.name, f"cloned from {v.reference.name}") for v in self._cloned.values()]
        )

    def _language(self) -> str | None:
        if self._tts is None or not self._tts.is_multi_lingual:
            return None
        languages = self._tts.languages or []
        if self.language is None:
            return "en" if "en" in languages else (languages[0] if languages else None)
        if self.language not in languages:
            raise WorkshopError(
                f"{self.name} does not speak {self.language!r}. Its languages: {', '.join(languages)}."
            )
        return self.language

    def _check_voice(self, voice):
        if isinstance(voice, ClonedVoice):
            if voice.engine != self.name:
                raise WorkshopError(
                    f"The voice {voice.name!r} was cloned with {voice.engine}; clone it again with {self.name}."
                )
            return voice
        if isinstance(voice, str) and voice in self._cloned:
            return self._cloned[voice]
        return super()._check_voice(voice)

    # --- speaking ------------------------------------------------------------------------------

    def speak(self, text: str, *, voice=None, speed: float = 1.0):
        """Speak text, one sentence at a time, and return the whole sound (see :meth:`Engine.speak`)."""
        return join_sentences(self.speak_sentences(text, voice=voice, speed=speed))

    @contextlib.contextmanager
    def _speed(self, speed: float):
        model = self._tts.synthesizer.tts_model
        if speed == 1.0 or not hasattr(model, "length_scale"):
            yield
            return
        before = model.length_scale
        model.length_scale = before / speed  # VITS: longer durations mean slower speech
        try:
            yield
        finally:
            model.length_scale = before

    def _synthesize(self, text, voice, speed):
        tts = self.load()
        options = {}
        language = self._language()
        if language is not None:
            options["language"] = language
        if isinstance(voice, ClonedVoice):
            options["speaker_wav"] = str(voice.reference)
        elif voice is not None:
            options["speaker"] = voice
        elif tts.is_multi_speaker:
            options["speaker"] = (tts.speakers or [None])[0]
        with self._speed(speed):
            try:
                samples = tts.tts(text, split_sentences=False, **options)
            except (RuntimeError, ValueError, KeyError, IndexError) as err:
                raise WorkshopError(
                    f"{self.name} could not speak this sentence ({type(err).__name__}: {err}). "
                    "Try a shorter sentence with ordinary words."
                ) from err
        samples = np.asarray(samples, dtype=np.float32)
        # coqui-tts puts a fixed stretch of silence after every sentence; we add our own pause.
        pad = _coqui_pad()
        if pad and samples.size > pad and not samples[-pad:].any():
            samples = samples[:-pad]
        return samples, int(tts.synthesizer.output_sample_rate)

    # --- cloning -------------------------------------------------------------------------------

    def clone(self, recording, *, name: str | None = None) -> ClonedVoice:
        """Copy the voice in a recording, after checking that consent was given.

        Parameters
        ----------
        recording : Recording
            From a :class:`~workshop_lib.speech.recorder.RecordingStore` (your recording with
            consent given, or the bundled sample voice).
        name : str, optional
            A name for the voice; defaults to the recording's name.

        Returns
        -------
        ClonedVoice
            Pass it as ``voice=`` to :meth:`speak`.

        Raises
        ------
        WorkshopError
            When the model cannot clone, or consent was not given for this recording.
        """
        from .recorder import ensure_consent

        if not self.model.can_clone:
            cloners = ", ".join(m.name for m in MODELS.values() if m.can_clone)
            raise WorkshopError(f"{self.name} cannot copy voices. Use one of: {cloners}.")
        ensure_consent(recording)
        self.load()
        voice = ClonedVoice(name or recording.name, self.name, Path(recording.path))
        voice.data.update(self._voice_data(recording))
        self._cloned[voice.name] = voice
        return voice

    def _voice_data(self, recording) -> dict:
        return {}

    # --- the pipeline, step by step ------------------------------------------------------------

    def explain(self, text: str, *, voice=None) -> PipelineSteps:
        """Run one sentence through the model and keep each step: text, symbols, ids, timing, sound.

        Works with the VITS-family models (``vits``, ``vits-vctk``, ``your_tts`` and the offline
        stand-ins).
        """
        text, voice, _ = self.check(text, voice=voice)
        tts = self.load()
        model = tts.synthesizer.tts_model
        tokenizer = getattr(model, "tokenizer", None)
        if tokenizer is None or not hasattr(model, "length_scale"):
            raise WorkshopError(f"explain() works with VITS models; {self.name} is not one.")
        language = self._language()
        options = {"language": language}
        if isinstance(voice, ClonedVoice):
            options["speaker_wav"] = str(voice.reference)
        elif voice is not None or tts.is_multi_speaker:
            options["speaker"] = voice or (tts.speakers or [None])[0]
        outputs = model.synthesize(text, **options)
        names = model.language_manager.language_names if model.language_manager else []
        language = language or (names[0] if len(names) == 1 else None)  # as synthesize() does
        cleaned = tokenizer.text_cleaner(text, lang=language) if tokenizer.text_cleaner else text
        symbols = (
            tokenizer.phonemizer.phonemize(cleaned, separator="", language=language)
            if tokenizer.phonemizer
            else cleaned
        )
        ids = [int(i) for i in outputs["text_inputs"].detach().cpu().numpy().ravel()]
        characters = tokenizer.characters
        tokens = [
            "␣" if i == getattr(characters, "blank_id", None) else characters.id_to_char(i)
            for i in ids
        ]
        alignment = outputs["alignments"].detach().cpu().numpy().squeeze()
        if (
            alignment.ndim == 2
            and alignment.shape[0] != len(ids)
            and alignment.shape[1] == len(ids)
        ):
            alignment = alignment.T
        samples = np.asarray(outputs["wav"], dtype=np.float32).squeeze()
        frames = max(alignment.shape[-1], 1)
        return PipelineSteps(
            text=text,
            cleaned=cleaned,
            symbols=symbols,
            uses_phonemes=tokenizer.phonemizer is not None,
            token_ids=list(ids),
            tokens=tokens,
            alignment=alignment,
            samples=samples,
            sample_rate=int(tts.synthesizer.output_sample_rate),
            hop_length=max(1, round(samples.size / frames)),
        )


class XttsEngine(CoquiEngine):
    """XTTS-v2: copies a voice from about 6 seconds of speech, in 17 languages.

    Its licence allows non-commercial use only: it loads only after :func:`accept_xtts_terms`.
    The learner's recording is read with the workshop's own audio loader and handed to XTTS as
    numbers, so no extra audio libraries are needed. A GPU is strongly recommended: on a CPU a
    sentence takes many seconds.
    """

    max_characters = 2000
    latin_only = False

    def __init__(self, *, device=None, folder=None, language="en"):
        super().__init__("xtts_v2", device=device, folder=folder, language=language)
        self.latin_only = False

    def problem(self) -> str | None:
        problem = super().problem()
        if problem is None and not xtts_terms_accepted():
            return (
                "XTTS-v2 is licensed for non-commercial use only. Read the terms "
                "(print(speech.XTTS_TERMS)) and accept them with speech.accept_xtts_terms(True) "
                "before loading it."
            )
        return problem

    def _language(self) -> str:
        languages = (self._tts.languages if self._tts is not None else None) or list(
            self.model.languages
        )
        if self.language not in languages:
            raise WorkshopError(
                f"XTTS-v2 does not speak {self.language!r}. Its languages: {', '.join(languages)}."
            )
        return self.language

    def voices(self) -> list[Voice]:
        voices = []
        model = self.load().synthesizer.tts_model
        manager = getattr(model, "speaker_manager", None)
        for speaker in (manager.speakers if manager is not None else {}) or {}:
            voices.append(Voice(speaker, "built-in studio voice"))
        voices += [Voice(v.name, f"cloned from {v.reference.name}") for v in self._cloned.values()]
        return voices

    def _longest_sentence(self) -> int:
        # XTTS's tokenizer knows how much text per sentence each language can take.
        tokenizer = getattr(self.load().synthesizer.tts_model, "tokenizer", None)
        limits = getattr(tokenizer, "char_limits", {})
        return int(limits.get(self._language().split("-")[0], 250))

    def _voice_data(self, recording) -> dict:
        import torch

        from ..media.audio import load_audio

        model = self._tts.synthesizer.tts_model
        samples, _rate = load_audio(recording.path, sample_rate=22050, mono=True)
        audio = torch.from_numpy(samples[: 22050 * 30]).unsqueeze(0)
        try:
            latent = model.get_gpt_cond_latents(audio, 22050, length=6, chunk_length=6)
            embedding = model.get_speaker_embedding(audio, 22050)
        except RuntimeError as err:
            raise WorkshopError(
                f"XTTS-v2 could not learn the voice from this recording ({err}). Record at "
                "least 3 seconds of clear speech."
            ) from err
        return {"gpt_cond_latent": latent.cpu(), "speaker_embedding": embedding.cpu()}

    def _latents(self, voice):
        model = self._tts.synthesizer.tts_model
        if isinstance(voice, ClonedVoice):
            return voice.data["gpt_cond_latent"], voice.data["speaker_embedding"]
        speakers = model.speaker_manager.speakers if model.speaker_manager is not None else {}
        if voice is None:
            if not speakers:
                raise WorkshopError(
                    "This XTTS model has no built-in voices: clone one first with "
                    "engine.clone(recording), then speak with voice=<the cloned voice>."
                )
            voice = next(iter(speakers))
        data = speakers[voice]
        return data["gpt_cond_latent"], data["speaker_embedding"]

    def _synthesize(self, text, voice, speed):
        model = self.load().synthesizer.tts_model
        latent, embedding = self._latents(voice)
        try:
            outputs = model.inference(
                text,
                self._language(),
                latent.to(self.device),
                embedding.to(self.device),
                speed=speed,
            )
        except (RuntimeError, AssertionError, AttributeError) as err:
            raise WorkshopError(
                f"XTTS-v2 could not speak this sentence ({type(err).__name__}: {err}). If the "
                "message mentions 'get_seq_length', the installed transformers is too new: "
                'pip install "transformers<5.24".'
            ) from err
        return np.asarray(outputs["wav"], dtype=np.float32), int(model.args.output_sample_rate)

    def stream(self, text: str, *, voice=None, speed: float = 1.0):
        """Speak text in small chunks of sound, each handed over as soon as XTTS makes it.

        Yields
        ------
        Sentence
            A chunk (``text`` is the sentence it belongs to), float32 samples at 24 kHz.
        """
        text, voice, speed = self.check(text, voice=voice, speed=speed)
        from .text import split_sentences

        model = self.load().synthesizer.tts_model
        latent, embedding = self._latents(voice)
        rate = int(model.args.output_sample_rate)
        for sentence in split_sentences(text, longest=self._longest_sentence()):
            started = time.perf_counter()
            try:
                for chunk in model.inference_stream(
                    sentence, self._language(), latent, embedding, speed=speed
                ):
                    samples = chunk.detach().cpu().numpy().astype(np.float32)
                    yield Sentence(sentence, samples, rate, time.perf_counter() - started)
                    started = time.perf_counter()
            except (RuntimeError, AssertionError, AttributeError) as err:
                raise WorkshopError(
                    f"XTTS-v2 stopped while speaking ({type(err).__name__}: {err})."
                ) from err

    def explain(self, text: str, *, voice=None) -> PipelineSteps:
        raise WorkshopError("explain() shows the VITS models step by step; XTTS works differently.")
