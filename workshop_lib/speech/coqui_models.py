"""The neural models the workshop offers through coqui-tts: what each is, its licence, size and needs.

:data:`MODELS` is the table (one :class:`NeuralModel` per engine name); :func:`model_table` shows
it, with Piper's row first, for learners. How the models are loaded is in
:mod:`workshop_lib.speech.coqui`, their bundles in :mod:`workshop_lib.speech.bundles`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.display import HTML

__all__ = ["MODELS", "NeuralModel", "coqui_folder", "model_table"]


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


def model_table() -> HTML:
    """Show the neural models as a table: licence, size, languages, needs espeak-ng, can clone.

    Piper comes first: its three licences (program, voice, recordings) are written out.
    """
    import html

    from IPython.display import HTML

    piper = (
        "<tr><td><b>piper</b><br><small>en_US-joe-medium (+4 voices to download)</small></td>"
        "<td>neural, VITS (ONNX Runtime)</td><td>2023</td><td>program GPL-3.0-or-later; voice "
        "network MIT; joe's recordings CC0</td><td>none offline (Python package); ~63 MB per "
        "other voice</td><td>en</td><td>no (built in)</td><td>no</td></tr>"
    )
    rows = "".join(
        f"<tr><td><b>{m.name}</b><br><small>{m.coqui_name}</small></td><td>{m.technique}</td>"
        f"<td>{m.year}</td><td>{html.escape(m.licence)}</td><td>~{m.download_mb:,} MB</td>"
        f"<td>{', '.join(m.languages)}</td><td>{'yes' if m.needs_espeak else 'no'}</td>"
        f"<td>{'yes' if m.can_clone else 'no'}</td></tr>"
        for m in MODELS.values()
    )
    heads = (
        "model",
        "technique",
        "year",
        "licence",
        "download",
        "languages",
        "needs espeak-ng",
        "clones a voice",
    )
    head = "".join(f"<th>{h}</th>" for h in heads)
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{piper}{rows}</tbody></table>")


def coqui_folder(name: str) -> Path:
    """Where coqui-tts keeps a downloaded model in the workshop cache (it may not exist yet)."""
    from ..assets import cache_dir

    return cache_dir(create=False) / "coqui" / "tts" / MODELS[name].coqui_name.replace("/", "--")
