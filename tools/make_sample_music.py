"""Make the workshop's sample song: 8 bars of synthesised pop with its four parts kept apart.

    .venv/bin/python tools/make_sample_music.py

Writes ``workshop_lib/data/music/sample_{vocals,drums,bass,piano}.ogg`` (44.1 kHz stereo, Ogg
Vorbis) and ``sample_mix.ogg``, the four added up. The library's ``load_sample_song()`` adds the
four decoded parts again, so separation quality (SDR) is measured against exactly the parts the
mix is made of; nothing in it is anyone else's recording. Everything is made here
from sine waves and seeded noise:

- vocals: a sung melody; harmonics of a vibrato pitch shaped by vowel formants (a, o, e, i, u),
  with a little breath noise;
- drums: kick (a falling sine), snare (noise and a tone) and hi-hat (high noise bursts);
- bass: a plucked, low-passed sawtooth on the chords' roots;
- piano: chords of slightly inharmonic partials that decay, higher ones faster.

Chords C, A minor, F, G twice, 100 beats per minute, 19.2 seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

RATE = 44100
BPM = 100
BEAT = 60 / BPM
BARS = 8
SECONDS = BARS * 4 * BEAT
OUT = Path(__file__).resolve().parent.parent / "workshop_lib" / "data" / "music"
CHORDS = [(48, 52, 55), (45, 48, 52), (41, 45, 48), (43, 47, 50)] * 2  # MIDI notes per bar
# Melody: (beat it starts on, beats it lasts, MIDI note, vowel)
MELODY = [
    (0, 1.5, 67, "a"),
    (1.5, 0.5, 69, "o"),
    (2, 2, 67, "e"),
    (4, 1, 64, "a"),
    (5, 1, 67, "i"),
    (6, 2, 69, "o"),
    (8, 1.5, 65, "u"),
    (9.5, 0.5, 67, "a"),
    (10, 2, 69, "e"),
    (12, 1, 71, "a"),
    (13, 1, 69, "o"),
    (14, 2, 67, "i"),
    (16, 1.5, 67, "a"),
    (17.5, 0.5, 69, "o"),
    (18, 2, 72, "e"),
    (20, 1, 71, "a"),
    (21, 1, 69, "i"),
    (22, 2, 67, "o"),
    (24, 1.5, 65, "u"),
    (25.5, 0.5, 64, "a"),
    (26, 2, 62, "e"),
    (28, 3.5, 60, "a"),
]
FORMANTS = {  # vowel: (frequency Hz, bandwidth Hz, gain) for three formants
    "a": ((800, 80, 1.0), (1150, 90, 0.5), (2900, 120, 0.25)),
    "e": ((400, 60, 1.0), (1600, 80, 0.35), (2700, 120, 0.3)),
    "i": ((350, 50, 1.0), (1700, 100, 0.2), (2700, 120, 0.25)),
    "o": ((450, 70, 1.0), (800, 80, 0.6), (2830, 100, 0.15)),
    "u": ((325, 50, 1.0), (700, 60, 0.3), (2530, 170, 0.1)),
}


def midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _time(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _place(track: np.ndarray, sound: np.ndarray, start: float) -> None:
    i = int(start * RATE)
    n = min(sound.size, track.size - i)
    track[i : i + n] += sound[:n]


def _pan(mono: np.ndarray, position: float) -> np.ndarray:
    """Equal-power pan, position -1 (left) to 1 (right): (2, samples)."""
    angle = (position + 1) * np.pi / 4
    return np.stack([np.cos(angle) * mono, np.sin(angle) * mono])


def vocals(rng) -> np.ndarray:
    track = np.zeros(int(SECONDS * RATE))
    for start, beats, note, vowel in MELODY:
        t = _time(beats * BEAT)
        depth = np.clip(t / 0.3, 0, 1) * 0.35  # vibrato grows after the attack (semitones)
        pitch = midi_hz(note) * 2 ** (depth * np.sin(2 * np.pi * 5.5 * t) / 12)
        phase = 2 * np.pi * np.cumsum(pitch) / RATE
        voice = np.zeros_like(t)
        for k in range(1, int(5000 / midi_hz(note)) + 1):
            gain = sum(
                g / (1 + ((k * midi_hz(note) - f) / (bw / 2)) ** 2) for f, bw, g in FORMANTS[vowel]
            )
            voice += gain / k * np.sin(k * phase)
        breath = np.convolve(rng.standard_normal(t.size), np.ones(8) / 8, mode="same") * 0.02
        envelope = np.minimum(1, t / 0.05) * np.minimum(1, (t[-1] - t) / 0.08)
        _place(track, (voice + breath) * envelope, start * BEAT)
    return _pan(0.45 * track / np.abs(track).max(), 0.0)


def drums(rng) -> np.ndarray:
    track = np.zeros((2, int(SECONDS * RATE)))
    t = _time(0.4)
    kick = np.sin(2 * np.pi * (45 * t + 60 * (1 - np.exp(-t * 30)) / 30)) * np.exp(-t * 9)
    snare_t = _time(0.25)
    snare = (rng.standard_normal(snare_t.size) * 0.6 + np.sin(2 * np.pi * 190 * snare_t)) * np.exp(
        -snare_t * 18
    )
    hat_t = _time(0.06)
    hat = np.diff(rng.standard_normal(hat_t.size + 1)) * np.exp(-hat_t * 70) * 0.08
    for beat in range(BARS * 4):
        start = beat * BEAT
        if beat % 2 == 0:
            _place(track[0], 0.8 * kick, start)
            _place(track[1], 0.8 * kick, start)
        else:
            _place(track[0], 0.35 * snare, start)
            _place(track[1], 0.3 * snare, start)
        for half in (0, 0.5):
            _place(track[0], 0.5 * hat, start + half * BEAT)
            _place(track[1], 0.8 * hat, start + half * BEAT)
    return 0.4 * track / np.abs(track).max()


def bass(rng) -> np.ndarray:
    track = np.zeros(int(SECONDS * RATE))
    t = _time(BEAT / 2)
    for bar, chord in enumerate(CHORDS):
        for eighth in range(8):
            note = chord[0] - 12 + (7 if eighth in (3, 7) else 0)
            f = midi_hz(note)
            saw = sum(np.sin(2 * np.pi * k * f * t) / k * np.exp(-t * k * 4) for k in range(1, 12))
            _place(
                track,
                saw * np.exp(-t * 3) * np.minimum(1, t / 0.005),
                (bar * 4 + eighth / 2) * BEAT,
            )
    return _pan(0.45 * track / np.abs(track).max(), -0.1)


def piano(rng) -> np.ndarray:
    track = np.zeros(int(SECONDS * RATE))
    t = _time(2 * BEAT + 0.3)
    for bar, chord in enumerate(CHORDS):
        for half in (0, 2):
            for note in chord:
                f = midi_hz(note + 12)
                tone = sum(
                    np.sin(2 * np.pi * k * f * np.sqrt(1 + 4e-4 * k * k) * t)
                    / k**1.3
                    * np.exp(-t * (1.5 + 0.8 * k))
                    for k in range(1, 10)
                )
                _place(track, tone * np.minimum(1, t / 0.004), (bar * 4 + half) * BEAT)
    return _pan(0.35 * track / np.abs(track).max(), -0.35)


def main() -> None:
    rng = np.random.default_rng(2026)
    OUT.mkdir(parents=True, exist_ok=True)
    parts = {"vocals": vocals(rng), "drums": drums(rng), "bass": bass(rng), "piano": piano(rng)}
    mix = sum(parts.values())
    scale = 0.9 / max(1.0, np.abs(mix).max())
    for name, samples in {**parts, "mix": mix}.items():
        path = OUT / f"sample_{name}.ogg"
        soundfile.write(path, (samples * scale).T.astype(np.float32), RATE, format="OGG")
        print(f"{path.name}: {path.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
