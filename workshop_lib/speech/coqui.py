"""Neural voices through coqui-tts: one engine class for every coqui model, and cloned voices.

Loading goes bundle → files → ``TTS(model_path=..., config_path=...)`` → device, the same way
for every model (see :mod:`workshop_lib.speech.bundles`):

- online, coqui-tts's own ``ModelManager`` downloads the model into the workshop's cache folder
  (``<cache>/coqui/tts/...``; Hugging Face models such as XTTS-v2 go to Hugging Face's cache).
  coqui publishes no checksums for its model archives, so they are not in the asset registry;
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
from typing import TYPE_CHECKING

import numpy as np

from .. import runtime
from ..errors import WorkshopError
from .coqui_models import MODELS, NeuralModel
from .engine import Engine, Voice, join_sentences
from .pipeline import PipelineSteps

if TYPE_CHECKING:
    import torch

__all__ = ["ClonedVoice", "CoquiEngine", "download", "load_tts", "model_files"]

_PHONEME_STAND_INS = ("vits-phonemes", "vits-speakers")  # offline models that call espeak-ng
_INSTALL = (
    "Neural voices need the coqui-tts package. On Colab the notebook's setup cell installs it; "
    'on your own computer run: pip install "workshop_lib[speech]" (or bash workshop.sh install).'
)


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


def model_files(model: NeuralModel) -> _Files:
    """A model's files: the packaged stand-in offline, else downloaded once through coqui-tts.

    Raises
    ------
    WorkshopError
        Offline for a model without a stand-in, or when the download fails.
    """
    if importlib.util.find_spec("TTS") is None:
        raise WorkshopError(_INSTALL)
    manager = _manager()
    if runtime.is_offline():
        if not model.offline:
            raise WorkshopError(
                f"{model.name} has no small stand-in model for offline mode "
                f"({runtime.OFFLINE_VARIABLE}=1). It needs the internet for its "
                f"{model.download_mb:,} MB download."
            )
        return _install_offline(manager, model)
    return _download(manager, model)


def download(name: str) -> Path:
    """Download a model (and its vocoder) into the cache now, without loading it; return its folder."""
    if importlib.util.find_spec("TTS") is None:
        raise WorkshopError(_INSTALL)
    return _download(_manager(), MODELS[name]).folder


def load_tts(files: _Files, device: torch.device):
    """coqui-tts's ``TTS`` object for a model's files, on ``device``.

    Raises
    ------
    WorkshopError
        When coqui-tts is missing or broken, or the files are not a model.
    """
    TTS = _import_tts()
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
    return tts


def folder_files(folder: Path) -> _Files:
    """The files of a coqui-tts model folder you have (a fine-tuned model, a test model)."""
    if not folder.is_dir():
        raise WorkshopError(f"There is no model folder {folder}. Check the path.")
    return _prepare_folder(_manager(), folder)


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
    device : str, torch.device or None
        ``"cuda"``, ``"mps"``, ``"cpu"`` or a ``torch.device``; None lets
        :func:`workshop_lib.runtime.pick_device` choose.
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

    def __init__(
        self,
        model: str | NeuralModel = "vits",
        *,
        device: str | torch.device | None = None,
        folder: str | Path | None = None,
        language: str | None = None,
    ) -> None:
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

        The model comes through its bundle (:mod:`workshop_lib.speech.bundles`), or from
        ``folder`` when one was given.

        Raises
        ------
        WorkshopError
            When coqui-tts is missing or broken, the download fails, or the files are not a model.
        """
        from .bundles import bundle

        if self._tts is not None:
            return self._tts
        self.require()
        started = time.perf_counter()
        if self.folder is not None:
            self._tts = load_tts(folder_files(self.folder), self.device)
        else:
            self._tts = bundle(self.name).load(self.device)
        self.load_seconds = time.perf_counter() - started
        return self._tts

    def stand_in_note(self) -> str:
        """One plain sentence when this engine uses its random-weight stand-in (offline), else ""."""
        from .bundles import bundle

        return "" if self.folder is not None else bundle(self.name).stand_in_note()

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
            if not Path(voice.reference).is_file():
                raise WorkshopError(
                    f"The recording the voice {voice.name!r} was copied from was deleted, so the "
                    "voice is gone too. Record (or choose) a voice and clone it again."
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

    def forget(self, path) -> list[str]:
        """Forget every voice cloned from the recording at ``path``; return their names."""
        path = Path(path).resolve()
        gone = [n for n, v in self._cloned.items() if Path(v.reference).resolve() == path]
        for name in gone:
            voice = self._cloned.pop(name)
            voice.data.clear()  # the embedding or latents learnt from the recording
        return gone

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
