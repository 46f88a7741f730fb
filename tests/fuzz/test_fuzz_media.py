"""Fuzzing what learners bring: pictures and sounds, real sample files mutated, arrays generated."""

import io

import numpy as np
import pytest
from fuzzing import LONG_INPUTS, examples, mutate
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from workshop_lib.assets import bundled
from workshop_lib.errors import WorkshopError
from workshop_lib.media.audio import load_audio
from workshop_lib.media.images import open_image


def _image_seeds() -> list[bytes]:
    seeds = [p.read_bytes() for p in sorted(bundled("images").glob("*.jpg"))[:2]]
    picture = Image.open(io.BytesIO(seeds[0])).convert("RGB").resize((48, 32))
    for fmt, mode in (
        ("PNG", "RGBA"),
        ("PNG", "P"),
        ("WEBP", "RGB"),
        ("TIFF", "I;16"),
        ("BMP", "RGB"),
        ("GIF", "P"),
    ):
        buffer = io.BytesIO()
        picture.convert(mode if mode != "I;16" else "L").save(buffer, format=fmt)
        seeds.append(buffer.getvalue())
    return seeds


def _audio_seeds() -> list[bytes]:
    import soundfile

    seeds = [bundled("speech/sample_voice.wav").read_bytes()[:60_000]]
    seeds.append(bundled("music/sample_vocals.ogg").read_bytes()[:40_000])
    tone = (0.3 * np.sin(np.linspace(0, 400, 8000))).astype(np.float32)
    for fmt in ("FLAC", "WAV"):
        buffer = io.BytesIO()
        soundfile.write(buffer, tone, 8000, format=fmt)
        seeds.append(buffer.getvalue())
    return seeds


def test_load_image(fuzzer):
    seeds = _image_seeds()
    rng = fuzzer.rng()
    for _ in fuzzer.rounds():
        data = mutate(rng.choice(seeds), rng, seeds)
        fuzzer.check(lambda data=data: open_image(data), data, name=".img")


def test_load_image_bombs_are_refused_before_decoding(fuzzer):
    # A PNG that declares 60,000 x 60,000 pixels (3.6 billion) but holds almost nothing.
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = (60_000).to_bytes(4, "big") * 2
    fuzzer.limit_seconds = 3
    with pytest.raises(WorkshopError):
        open_image(bytes(data))
    fuzzer.check(lambda: open_image(bytes(data)), bytes(data), name=".png")


@settings(
    max_examples=examples(LONG_INPUTS // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.float64, np.int64, np.bool_]),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=12),
        elements=None,
    )
)
def test_load_image_arrays(fuzzer, array):
    fuzzer.check(lambda: open_image(array), array.tobytes(), name=".npy")


def test_load_audio(fuzzer):
    seeds = _audio_seeds()
    rng = fuzzer.rng()
    for _ in fuzzer.rounds():
        data = mutate(rng.choice(seeds), rng, seeds)
        fuzzer.check(lambda data=data: load_audio(data), data, name=".audio")


@settings(
    max_examples=examples(LONG_INPUTS // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int16, np.int32, np.uint8, np.complex64]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=9),
    ),
    rate=st.one_of(
        st.integers(-10, 10**7), st.floats(allow_nan=True), st.none(), st.text(max_size=3)
    ),
    target=st.one_of(st.none(), st.sampled_from([8000, 16000, 44100]), st.integers(-5, 5)),
)
@example(array=np.zeros((0, 4), np.float32), rate=8000, target=16000)  # found: soxr ValueError
@example(array=np.ones(3, np.complex64), rate=8000, target=None)  # found: complex cast silently
def test_load_audio_arrays(fuzzer, array, rate, target):
    fuzzer.check(lambda: load_audio((array, rate), sample_rate=target), repr((array, rate, target)))
