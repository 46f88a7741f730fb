"""Machines that talk: classic and neural speech synthesizers behind one interface, and voice cloning.

Every engine takes text and returns ``(samples, sample_rate)``, and knows its name, technique,
year and licence. Classic engines run the programs Debian/Ubuntu ship (espeak-ng, MBROLA,
Festival, flite, SVOX Pico); neural ones run coqui-tts models (Tacotron 2, VITS, YourTTS,
XTTS-v2), downloaded once into the workshop cache, or tiny stand-ins offline.

Examples
--------
>>> from workshop_lib import speech
>>> engine = speech.get_engine("espeak-ng")
>>> engine.technique
'formant synthesis'
>>> samples, sample_rate = speech.speak("Hello, library!")  # doctest: +SKIP
"""

from .classic import phonemes
from .engine import Engine, Sentence, Voice, join_sentences
from .evaluate import (
    Measurement,
    measure,
    measure_engines,
    measurements_table,
    play_all,
    plot_side_by_side,
    speak_with_every_engine,
    transcribe,
    word_error_rate,
)
from .history import SERVICES, TIMELINE, plot_timeline, services_table, timeline_table
from .neural import (
    MODELS,
    XTTS_TERMS,
    ClonedVoice,
    CoquiEngine,
    XttsEngine,
    accept_xtts_terms,
    model_table,
    xtts_terms_accepted,
)
from .pipeline import plot_pipeline, plot_sv2tts, show_sentences
from .recorder import Recording, RecordingStore, record_in_colab
from .registry import (
    CLASSIC,
    NEURAL,
    available_engines,
    cloning_engine,
    engines,
    get_engine,
    speak,
)
from .text import check_text, split_sentences
from .widget import ConsentBox, HistoryPlayer, RecorderWidget, SpeakWidget, record_voice

__all__ = [
    "CLASSIC",
    "MODELS",
    "NEURAL",
    "SERVICES",
    "TIMELINE",
    "XTTS_TERMS",
    "ClonedVoice",
    "ConsentBox",
    "CoquiEngine",
    "Engine",
    "HistoryPlayer",
    "Measurement",
    "RecorderWidget",
    "Recording",
    "RecordingStore",
    "Sentence",
    "SpeakWidget",
    "Voice",
    "XttsEngine",
    "accept_xtts_terms",
    "available_engines",
    "check_text",
    "cloning_engine",
    "engines",
    "get_engine",
    "join_sentences",
    "measure",
    "measure_engines",
    "measurements_table",
    "model_table",
    "phonemes",
    "play_all",
    "plot_pipeline",
    "plot_side_by_side",
    "plot_sv2tts",
    "plot_timeline",
    "record_in_colab",
    "record_voice",
    "services_table",
    "show_sentences",
    "speak",
    "speak_with_every_engine",
    "split_sentences",
    "timeline_table",
    "transcribe",
    "word_error_rate",
    "xtts_terms_accepted",
]
