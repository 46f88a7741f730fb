"""Neural voices through coqui-tts: one engine class for every coqui model, and cloned voices.

The model loads through its bundle (:mod:`workshop_lib.speech.bundles`, which uses
:mod:`workshop_lib.speech.coqui_files`): downloaded once online, a tiny random-weight stand-in
offline, or, with ``folder=``, a model folder you have (a fine-tuned model, a test model). It runs
on the device from :func:`workshop_lib.runtime.pick_device` and speaks one sentence at a time. The
offline models make noise, not speech: nothing in them was trained.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import runtime
from ..errors import WorkshopError
from .bundles import bundle
from .coqui_files import INSTALL, folder_files, load_tts
from .coqui_models import MODELS, NeuralModel
from .engine import Engine, PipelineSteps, Voice, join_sentences

if TYPE_CHECKING:
    import torch

    from .recorder import Recording

__all__ = ["ClonedVoice", "CoquiEngine"]

_PHONEME_STAND_INS = ("vits-phonemes", "vits-speakers")  # offline models that call espeak-ng


def _coqui_pad() -> int:
    """The silence (in samples) coqui-tts appends to every sentence it speaks."""
    from TTS.utils import synthesizer

    return int(getattr(synthesizer, "PAD_SILENCE_SAMPLES", 0))


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
        self._tts: Any = None
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
            return INSTALL
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

    def load(self) -> Any:
        """Load the model (downloading it the first time) and return coqui-tts's ``TTS`` object.

        The model comes through its bundle (:mod:`workshop_lib.speech.bundles`), or from
        ``folder`` when one was given.

        Raises
        ------
        WorkshopError
            When coqui-tts is missing or broken, the download fails, or the files are not a model.
        """
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

    def speak(
        self, text: str, *, voice: str | ClonedVoice | None = None, speed: float = 1.0
    ) -> tuple[np.ndarray, int]:
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

    def clone(self, recording: Recording, *, name: str | None = None) -> ClonedVoice:
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

    def forget(self, path: str | Path) -> list[str]:
        """Forget every voice cloned from the recording at ``path``; return their names."""
        path = Path(path).resolve()
        gone = [n for n, v in self._cloned.items() if Path(v.reference).resolve() == path]
        for name in gone:
            voice = self._cloned.pop(name)
            voice.data.clear()  # the embedding or latents learnt from the recording
        return gone

    # --- the pipeline, step by step ------------------------------------------------------------

    def explain(self, text: str, *, voice: str | ClonedVoice | None = None) -> PipelineSteps:
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
