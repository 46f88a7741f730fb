"""XTTS-v2: voice cloning in 17 languages, and its terms (non-commercial use only), in plain words.

The model loads only after the learner accepted :data:`XTTS_TERMS` with
:func:`accept_xtts_terms`; the acceptance is written where coqui-tts looks for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import WorkshopError
from .coqui import ClonedVoice, CoquiEngine
from .engine import PipelineSteps, Sentence, Voice
from .xtts_terms import XTTS_TERMS, accept_xtts_terms, require_terms, xtts_terms_accepted

if TYPE_CHECKING:
    import torch


__all__ = ["XTTS_TERMS", "XttsEngine", "accept_xtts_terms", "require_terms", "xtts_terms_accepted"]


class XttsEngine(CoquiEngine):
    """XTTS-v2: copies a voice from about 6 seconds of speech, in 17 languages.

    Its licence allows non-commercial use only: it loads only after :func:`accept_xtts_terms`.
    The learner's recording is read with the workshop's own audio loader and handed to XTTS as
    numbers, so no extra audio libraries are needed. A GPU is strongly recommended: on a CPU a
    sentence takes many seconds.
    """

    max_characters = 2000
    latin_only = False

    def __init__(
        self,
        *,
        device: str | torch.device | None = None,
        folder: str | Path | None = None,
        language: str = "en",
    ) -> None:
        super().__init__("xtts_v2", device=device, folder=folder, language=language)
        self.latin_only = False

    def problem(self) -> str | None:
        problem = super().problem()
        if problem is None:
            try:
                require_terms()
            except WorkshopError as err:
                return str(err)
        return problem

    def _language(self) -> str:
        languages = (self._tts.languages if self._tts is not None else None) or list(
            self.model.languages
        )
        if self.language not in languages:
            raise WorkshopError(
                f"XTTS-v2 does not speak {self.language!r}. Its languages: {', '.join(languages)}."
            )
        return str(self.language)

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

    def stream(
        self, text: str, *, voice: str | ClonedVoice | None = None, speed: float = 1.0
    ) -> Iterator[Sentence]:
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

    def explain(self, text: str, *, voice: str | ClonedVoice | None = None) -> PipelineSteps:
        raise WorkshopError("explain() shows the VITS models step by step; XTTS works differently.")
