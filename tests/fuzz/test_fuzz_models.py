"""Fuzzing the model entry points: colour hints (positions, colours, sizes of every wrong kind),
the separator's input arrays and mutated song files, and the app's upload checks."""

import io
import random

import numpy as np
import pytest
from fuzzing import LONG_INPUTS, examples, mutate
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workshop_lib.assets import bundled

SETTINGS = settings(
    max_examples=examples(LONG_INPUTS),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 255, 256, -1, 10**6]),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
)
COLOURS = st.one_of(
    st.sampled_from(["red", "#ff0000", "#f00", "#GGGGGG", "", "rgb(1,2,3)", "#ff00", "blue "]),
    st.text(max_size=12),
    st.tuples(NUMBERS, NUMBERS, NUMBERS),
    st.lists(NUMBERS, max_size=5),
    NUMBERS,
)


@pytest.fixture(scope="module")
def colorizer():
    from workshop_lib.colorize import Colorizer

    colorizer = Colorizer(bundled("images/cameraman.jpg"), max_side=128)
    colorizer.result()  # load the network now, not inside the first timed input
    return colorizer


@SETTINGS
@given(x=NUMBERS, y=NUMBERS, color=COLOURS, size=NUMBERS)
@example(x=float("nan"), y=3, color="red", size=5)
@example(x=10, y=10, color=(float("nan"), 0, 0), size=5)
def test_colorizer_hints(fuzzer, colorizer, x, y, color, size):
    def edit():
        colorizer.clear()
        colorizer.add_hint(x, y, color, size=size)
        colorizer.move_hint(0, y, x)
        colorizer.recolor_hint(0, color)
        colorizer.resize_hint(0, size)

    fuzzer.check(edit, repr((x, y, color, size)))
    colorizer.clear()


def test_colorizer_result_after_random_edits(fuzzer, colorizer):
    rng = random.Random(fuzzer.seed)
    for _ in fuzzer.rounds():
        colorizer.clear()
        for _ in range(rng.randint(0, 4)):
            x, y = rng.uniform(-20, 160), rng.uniform(-20, 160)
            colour = rng.choice(["red", "#00ff00", (12, 200, 40), "navy", "#123"])
            fuzzer.check(
                lambda x=x, y=y, c=colour: colorizer.add_hint(x, y, c, size=rng.randint(1, 9))
            )
        fuzzer.check(lambda: colorizer.result(), None)
    colorizer.clear()


@pytest.fixture(scope="module")
def separator():
    from workshop_lib.separate import Separator

    separator = Separator("2stems")
    separator.separate(np.zeros((2, 44100), np.float32), 44100, progress=False)  # load it now
    return separator


@settings(
    max_examples=examples(LONG_INPUTS // 10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    samples=hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64]),
        shape=st.one_of(
            st.tuples(st.integers(0, 3000)), st.tuples(st.integers(0, 5), st.integers(0, 3000))
        ),
        elements=st.floats(-2, 2, width=32) | st.sampled_from([np.nan, np.inf]),
    ),
    rate=st.one_of(st.sampled_from([44100, 8000, 22050, 1, 0, -44100]), st.integers(), st.none()),
)
def test_separator_arrays(fuzzer, separator, samples, rate):
    fuzzer.check(
        lambda: separator.separate(samples, rate, progress=False), repr((samples.shape, rate))
    )


def _song_seeds() -> list[bytes]:
    import soundfile

    mix, rate = soundfile.read(str(bundled("music/sample_mix.ogg")), frames=44100)
    seeds = [bundled("music/sample_mix.ogg").read_bytes()[:80_000]]
    for fmt in ("WAV", "FLAC"):
        buffer = io.BytesIO()
        soundfile.write(buffer, mix, rate, format=fmt)
        seeds.append(buffer.getvalue())
    return seeds


def test_separator_files(fuzzer, separator, tmp_path):
    seeds = _song_seeds()
    rng = random.Random(fuzzer.seed)
    out = tmp_path / "cache" / "stems"
    for index in fuzzer.rounds():
        data = mutate(rng.choice(seeds), rng, seeds)
        song = tmp_path / f"song-{index}.{rng.choice(['wav', 'flac', 'ogg', 'mp3'])}"
        song.write_bytes(data)
        if index % 2:
            fuzzer.check(
                lambda s=song: separator.separate(s, progress=False), data, name=song.suffix
            )
        else:
            fuzzer.check(
                lambda s=song: separator.separate_file(s, out, progress=False),
                data,
                name=song.suffix,
            )
        song.unlink()


def test_app_upload_checks(fuzzer, tmp_path):
    from workshop_lib.app.limits import Limits, check_song

    seeds = _song_seeds()
    rng = random.Random(fuzzer.seed)
    limits = Limits()
    for index in fuzzer.rounds():
        data = mutate(rng.choice(seeds), rng, seeds)
        song = tmp_path / f"upload-{index}.{rng.choice(['wav', 'flac', 'ogg', 'mp3', 'png'])}"
        song.write_bytes(data)
        fuzzer.check(
            lambda s=song: check_song(s, limits=limits, name=s.name), data, name=song.suffix
        )
        song.unlink()
