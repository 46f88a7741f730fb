"""The classic synthesizers, run as the command-line programs Debian and Ubuntu ship.

Each engine writes the learner's text to a temporary file (never into a shell command: the
programs get argument lists), runs the program with a time limit, and reads back the WAV file it
writes with the workshop's one audio loader. When a program or voice is missing, the engine says
which Debian/Ubuntu package to install.

==============  ===============================================  ===========================
engine          technique                                        program (package)
==============  ===============================================  ===========================
espeak-ng       formant synthesis                                espeak-ng
mbrola          diphone concatenation (MBROLA voices)            espeak-ng + mbrola, mbrola-us1
festival        diphone concatenation (Festival, kal voice)      text2wave (festival, festvox-kallpc16k)
festival-hts    statistical parametric, HMM (HTS "slt" voice)    text2wave (festvox-us-slt-hts)
flite           statistical parametric (CLUSTERGEN), diphone     flite
pico            statistical parametric (SVOX Pico, Android)      pico2wave (libttspico-utils)
==============  ===============================================  ===========================
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import WorkshopError
from .engine import Engine, Voice

if TYPE_CHECKING:
    import torch

__all__ = [
    "CommandLineEngine",
    "EspeakEngine",
    "FestivalEngine",
    "FliteEngine",
    "MbrolaEngine",
    "PicoEngine",
    "phonemes",
]

MBROLA_FOLDER = Path("/usr/share/mbrola")
FESTIVAL_VOICES = Path("/usr/share/festival/voices")
PICO_FOLDER = Path("/usr/share/pico/lang")
_ASCII_PUNCTUATION = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": " - ", "…": "..."}
)


def _install_hint(packages: str) -> str:
    return (
        f"On Colab or Debian/Ubuntu install it with: sudo apt-get install {packages} "
        "(on Colab, leave out sudo and put ! in front: !apt-get install -y ...). "
        "workshop.sh installs it for you on your own computer."
    )


def _plain_ascii(text: str) -> str:
    """Latin text with accents removed and typographic quotes made plain, for ASCII-only programs."""
    text = text.translate(_ASCII_PUNCTUATION)
    decomposed = unicodedata.normalize("NFKD", text)
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


class CommandLineEngine(Engine):
    """An engine that runs a program: text goes in through a file, a WAV file comes back."""

    programs: tuple[str, ...] = ()
    packages: str = ""
    ascii_only: bool = False
    seconds_per_character: float = 0.05  # added to the time limit for long texts

    @property
    def device(self) -> torch.device:
        """Programs run on the CPU, whatever ``device=`` asked for."""
        import torch

        return torch.device("cpu")

    def problem(self) -> str | None:
        missing = [program for program in self.programs if shutil.which(program) is None]
        if missing:
            return (
                f"{self.name} needs the program {' and '.join(missing)}, which is not installed. "
                + _install_hint(self.packages)
            )
        if not self.voices():
            return f"{self.name} is installed but has no voice. " + _install_hint(self.packages)
        return None

    def _arguments(
        self, text_file: Path, wav_file: Path, voice: str | None, speed: float
    ) -> list[str]:
        raise NotImplementedError

    def _synthesize(self, text: str, voice: str | None, speed: float) -> tuple[np.ndarray, int]:
        from ..media.audio import load_audio

        if self.ascii_only:
            text = _plain_ascii(text)
        with tempfile.TemporaryDirectory(prefix="workshop-speech-") as scratch:
            text_file, wav_file = Path(scratch) / "text.txt", Path(scratch) / "speech.wav"
            text_file.write_text(text + "\n", encoding="utf-8")
            arguments = self._arguments(text_file, wav_file, voice, speed)
            limit = 60 + self.seconds_per_character * len(text)
            try:
                result = subprocess.run(
                    arguments,
                    capture_output=True,
                    text=True,
                    errors="replace",
                    timeout=limit,
                    check=False,
                    stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired as err:
                raise WorkshopError(
                    f"{self.name} took longer than {limit:.0f} seconds and was stopped. Try a "
                    "shorter text."
                ) from err
            except OSError as err:
                raise WorkshopError(f"{self.name} could not be started ({err}).") from err
            if result.returncode != 0 or not wav_file.is_file() or wav_file.stat().st_size <= 44:
                said = (result.stderr or result.stdout).strip().splitlines()
                detail = said[-1] if said else f"exit code {result.returncode}"
                raise WorkshopError(
                    f"{self.name} could not speak this text ({detail}). Try plain words, or "
                    "another voice."
                )
            return load_audio(wav_file, mono=True)


# --- espeak-ng and MBROLA --------------------------------------------------------------------------


@functools.cache
def _espeak_voices() -> tuple[Voice, ...]:
    """espeak-ng's voices from ``espeak-ng --voices``: language code and name."""
    if shutil.which("espeak-ng") is None:
        return ()
    result = subprocess.run(
        ["espeak-ng", "--voices"], capture_output=True, text=True, check=False, timeout=30
    )
    voices = []
    for line in result.stdout.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 4:
            language, name = columns[1], columns[3]
            voices.append(Voice(language, name.replace("_", " "), language))
    return tuple(voices)


class EspeakEngine(CommandLineEngine):
    """eSpeak NG: formant synthesis, the robot voice descended from 1980s speech chips."""

    name = "espeak-ng"
    title = "eSpeak NG"
    technique = "formant synthesis"
    year = 2006
    licence = "GPL-3.0-or-later"
    summary = (
        "Builds every sound from a buzz and a hiss shaped by a few resonances (formants), "
        "following rules written by hand: tiny, fast, understandable, and clearly a machine."
    )
    programs: tuple[str, ...] = ("espeak-ng",)
    packages = "espeak-ng"
    latin_only = False

    def voices(self) -> list[Voice]:
        voices = list(_espeak_voices())
        # The American voice first: it is the default.
        voices.sort(key=lambda v: (v.name != "en-us", v.name != "en", v.name))
        return voices

    def _arguments(self, text_file, wav_file, voice, speed):
        words_per_minute = str(round(175 * speed))
        return [
            "espeak-ng",
            "-v",
            voice,
            "-s",
            words_per_minute,
            "-w",
            str(wav_file),
            "-f",
            str(text_file),
        ]


def phonemes(text: str, *, voice: str = "en-us") -> str:
    """Turn text into phonemes (speech sounds) in the International Phonetic Alphabet, with espeak-ng.

    This is the first step of most synthesizers, old and new: neural voices such as VITS read
    these symbols rather than letters.

    Parameters
    ----------
    text : str
        English text (or another language with a matching ``voice``).
    voice : str
        An espeak-ng voice (language code).

    Returns
    -------
    str
        The phonemes; ˈ marks a stressed syllable.

    Examples
    --------
    >>> phonemes("Hello")  # doctest: +SKIP
    'həlˈoʊ'
    """
    engine = EspeakEngine()
    text, voice, _ = engine.check(text, voice=voice)
    result = subprocess.run(
        ["espeak-ng", "-q", "--ipa", "-v", voice, "--stdin"],
        input=text,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise WorkshopError(
            f"espeak-ng could not turn this text into phonemes ({result.stderr.strip()})."
        )
    return " ".join(result.stdout.split())


_MBROLA_VOICES = {
    "us1": "American English, female",
    "us2": "American English, male",
    "us3": "American English, male",
    "en1": "British English, male",
}


class MbrolaEngine(EspeakEngine):
    """MBROLA: diphone concatenation, glueing together recorded pieces of real speech."""

    name = "mbrola"
    title = "MBROLA (through espeak-ng)"
    technique = "diphone concatenation"
    year = 1996
    licence = (
        "MBROLA program AGPL-3.0; voices free of charge but may not be sold "
        "(Faculté Polytechnique de Mons)"
    )
    summary = (
        "Glues together short recordings of a real person (diphones: the middle of one sound to "
        "the middle of the next), smoothing the joins. espeak-ng decides the sounds and rhythm; "
        "MBROLA plays the recordings."
    )
    programs = ("espeak-ng", "mbrola")
    packages = "espeak-ng mbrola mbrola-us1 mbrola-us2 mbrola-us3 mbrola-en1"
    latin_only = True
    other_language_hint = "Try espeak-ng, which speaks over 100 languages."

    def voices(self) -> list[Voice]:
        if not MBROLA_FOLDER.is_dir():
            return []
        voices = []
        for folder in sorted(MBROLA_FOLDER.iterdir()):
            if (folder / folder.name).is_file():
                description = _MBROLA_VOICES.get(folder.name, f"MBROLA voice {folder.name}")
                language = "en" if folder.name in _MBROLA_VOICES else folder.name[:2]
                voices.append(Voice(f"mb-{folder.name}", description, language))
        order = list(_MBROLA_VOICES)  # us1 (the clearest) first
        voices.sort(
            key=lambda v: (order.index(v.name[3:]) if v.name[3:] in order else len(order), v.name)
        )
        return voices


# --- Festival --------------------------------------------------------------------------------------

_FESTIVAL = {
    "kal_diphone": ("American English, male (diphones, 1998)", "festvox-kallpc16k"),
    "rab_diphone": ("British English, male (diphones)", "festvox-rablpc16k"),
    "us1_mbrola": ("American English, female (MBROLA us1 diphones)", "festvox-us1"),
    "us2_mbrola": ("American English, male (MBROLA us2 diphones)", "festvox-us2"),
    "cmu_us_slt_arctic_hts": (
        "American English, female (HTS statistical model)",
        "festvox-us-slt-hts",
    ),
}


def _festival_voice_installed(name: str) -> bool:
    return any(FESTIVAL_VOICES.glob(f"*/{name}/festvox/{name}.scm"))


class FestivalEngine(CommandLineEngine):
    """The Festival Speech Synthesis System (Edinburgh, 1997), with its diphone voices."""

    name = "festival"
    title = "Festival (diphone voice)"
    technique = "diphone concatenation"
    year = 1997
    licence = "free software, BSD-style (University of Edinburgh, Carnegie Mellon University)"
    summary = (
        "A research framework: text analysis, a pronunciation dictionary and rules, then a "
        "back end that glues recorded diphones together (the 'kal' voice, recorded in 1998)."
    )
    programs = ("text2wave",)
    packages = "festival festvox-kallpc16k"
    ascii_only = True
    other_language_hint = "Try espeak-ng, which speaks over 100 languages."
    seconds_per_character = 0.2
    voice_names: tuple[str, ...] = ("kal_diphone", "rab_diphone", "us1_mbrola", "us2_mbrola")

    def voices(self) -> list[Voice]:
        return [
            Voice(name, _FESTIVAL[name][0])
            for name in self.voice_names
            if _festival_voice_installed(name)
        ]

    def _speed_arguments(self, speed: float) -> list[str]:
        # Festival stretches durations: 2.0 is twice as slow, so the stretch is 1 / speed.
        return ["-eval", f"(Parameter.set 'Duration_Stretch {1 / speed:.3f})"]

    def _arguments(self, text_file, wav_file, voice, speed):
        arguments = ["text2wave", "-o", str(wav_file), "-eval", f"(voice_{voice})"]
        if speed != 1.0:
            arguments += self._speed_arguments(speed)
        return [*arguments, str(text_file)]


class FestivalHtsEngine(FestivalEngine):
    """Festival with an HTS voice: a statistical model predicts the sound, a vocoder plays it."""

    name = "festival-hts"
    title = "Festival (HTS statistical voice)"
    technique = "statistical parametric synthesis (HMM, HTS)"
    year = 2010
    summary = (
        "Instead of glueing recordings, hidden Markov models trained on a speaker ('slt' of the "
        "CMU ARCTIC recordings) predict the spectrum and pitch frame by frame, and a vocoder "
        "turns them into sound: smooth and small, a little buzzy."
    )
    packages = "festival festvox-us-slt-hts"
    voice_names = ("cmu_us_slt_arctic_hts",)

    def _speed_arguments(self, speed: float) -> list[str]:
        # The HTS engine takes a speaking rate (-r); larger is faster.
        return [
            "-eval",
            f'(set! hts_engine_params (append hts_engine_params (list (list "-r" {speed:.3f}))))',
        ]


# --- flite and SVOX Pico ---------------------------------------------------------------------------

_FLITE = {
    "slt": "American English, female (CLUSTERGEN statistical model)",
    "rms": "American English, male (CLUSTERGEN statistical model)",
    "awb": "Scottish English, male (CLUSTERGEN statistical model)",
    "kal16": "American English, male (diphones, 16 kHz)",
    "kal": "American English, male (diphones, 8 kHz)",
}


@functools.cache
def _flite_voices() -> tuple[str, ...]:
    if shutil.which("flite") is None:
        return ()
    result = subprocess.run(
        ["flite", "-lv"], capture_output=True, text=True, check=False, timeout=30
    )
    return tuple(result.stdout.split(":", 1)[-1].split())


class FliteEngine(CommandLineEngine):
    """Flite ("Festival-lite", CMU 2001): a small, fast C version of Festival."""

    name = "flite"
    title = "Flite (festival-lite)"
    technique = "statistical parametric synthesis (CLUSTERGEN); diphone voices too"
    year = 2001
    licence = "free software, BSD-style (Carnegie Mellon University)"
    summary = (
        "Festival rewritten as a small C library for phones and gadgets. Its default 'slt' voice "
        "is a CLUSTERGEN statistical model; 'kal16' glues diphones like Festival's kal."
    )
    programs = ("flite",)
    packages = "flite"
    ascii_only = True
    other_language_hint = "Try espeak-ng, which speaks over 100 languages."

    def voices(self) -> list[Voice]:
        installed = _flite_voices()
        # awb_time only speaks the time of day (a limited-domain voice), so it is left out.
        return [
            Voice(name, description) for name, description in _FLITE.items() if name in installed
        ]

    def _arguments(self, text_file, wav_file, voice, speed):
        arguments = ["flite", "-voice", voice, "-f", str(text_file), "-o", str(wav_file)]
        if speed != 1.0:
            arguments += ["--setf", f"duration_stretch={1 / speed:.3f}"]
        return arguments


_PICO = {
    "en-US": ("American English, female", "en"),
    "en-GB": ("British English, female", "en"),
    "de-DE": ("German, female", "de"),
    "es-ES": ("Spanish, female", "es"),
    "fr-FR": ("French, female", "fr"),
    "it-IT": ("Italian, female", "it"),
}


class PicoEngine(CommandLineEngine):
    """SVOX Pico: the small statistical voice of early Android phones (2009)."""

    name = "pico"
    title = "SVOX Pico"
    technique = "statistical parametric synthesis (small footprint)"
    year = 2009
    licence = "Apache-2.0 (SVOX AG, Android Open Source Project); language files redistributable"
    summary = (
        "Made by SVOX for phones and cars and given to Android 1.6 in 2009: probability models "
        "predict durations, pitch and spectrum, and a small signal generator plays them."
    )
    programs = ("pico2wave",)
    packages = "libttspico-utils"
    supports_speed = False
    other_language_hint = "Try espeak-ng, which speaks over 100 languages."

    def voices(self) -> list[Voice]:
        return [
            Voice(name, description, language)
            for name, (description, language) in _PICO.items()
            if (PICO_FOLDER / f"{name}_ta.bin").is_file()
        ]

    def _arguments(self, text_file, wav_file, voice, speed):
        text = text_file.read_text("utf-8").strip()
        # "--" ends the options, so text that starts with "-" is spoken, not read as an option.
        return ["pico2wave", "-l", voice, "-w", str(wav_file), "--", text]
