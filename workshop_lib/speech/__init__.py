"""Machines that talk: classic and neural speech synthesizers behind one interface, and voice cloning.

Every engine takes text and returns ``(samples, sample_rate)``, and knows its name, technique,
year and licence. Classic engines run the programs Debian/Ubuntu ship (espeak-ng, MBROLA,
Festival, flite, SVOX Pico); neural ones are Piper (real VITS voices that run fast on a CPU, the
joe voice even offline) and coqui-tts models (Tacotron 2, VITS, YourTTS, XTTS-v2), downloaded
once into the workshop cache, or tiny stand-ins offline.

This package exports what a notebook calls. Everything else is in its submodule:

- :mod:`.registry`: every engine by name (``CLASSIC``, ``NEURAL``, ``engines()``,
  ``available_engines()``);
- :mod:`.engine`, :mod:`.classic`, :mod:`.piper`, :mod:`.coqui`, :mod:`.xtts`: the engines;
- :mod:`.coqui_models`: the coqui model table (``MODELS``); :mod:`.bundles`: every released
  speech model as a ``ModelBundle``, loaded by :mod:`.coqui_files` and :mod:`.piper_files`;
  :mod:`.xtts_terms`: XTTS-v2's terms and their acceptance;
- :mod:`.history`: the timeline and today's services; :mod:`.pipeline`: the step-by-step
  picture, the SV2TTS drawing, long texts sentence by sentence;
- :mod:`.evaluate`: word error rate and real-time factor; :mod:`.text`: text checks;
- :mod:`.recorder` and :mod:`.widget`: recordings, consent and the widgets.

Examples
--------
>>> from workshop_lib import speech
>>> engine = speech.get_engine("espeak-ng")
>>> engine.technique
'formant synthesis'
>>> samples, sample_rate = speech.speak("Hello, library!")  # doctest: +SKIP
>>> speech.history.TIMELINE[0].year  # the submodules are at hand too
1939
"""

from . import history, pipeline, registry  # at hand as speech.history, speech.pipeline, ...
from .classic import phonemes
from .coqui_models import model_table
from .evaluate import (
    measure,
    measure_engines,
    measurements_table,
    play_all,
    plot_side_by_side,
    speak_with_every_engine,
)
from .pipeline import plot_pipeline, show_sentences
from .recorder import RecordingStore
from .registry import cloning_engine, get_engine, speak
from .text import split_sentences
from .widget import ConsentBox, HistoryPlayer, SpeakWidget, record_voice
from .xtts import XTTS_TERMS

__all__ = [
    "XTTS_TERMS",
    "ConsentBox",
    "HistoryPlayer",
    "RecordingStore",
    "SpeakWidget",
    "cloning_engine",
    "get_engine",
    "measure",
    "measure_engines",
    "measurements_table",
    "model_table",
    "phonemes",
    "play_all",
    "plot_pipeline",
    "plot_side_by_side",
    "record_voice",
    "show_sentences",
    "speak",
    "speak_with_every_engine",
    "split_sentences",
]

# Transitional: app/ and the notebook before its split still read these names from here. They
# live in the submodules named; drop this once every caller imports them from there.
_MOVED = {
    "CLASSIC": registry,
    "NEURAL": registry,
    "engines": registry,
    "available_engines": registry,
    "plot_timeline": history,
    "timeline_table": history,
    "services_table": history,
    "plot_sv2tts": pipeline,
}


def __getattr__(name: str):
    if name in _MOVED:
        return getattr(_MOVED[name], name)
    raise AttributeError(f"module 'workshop_lib.speech' has no attribute {name!r}")
