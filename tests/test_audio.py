"""Loading, resampling, saving and showing audio (workshop_lib.media.audio)."""

import shutil
import subprocess

import numpy as np
import pytest
import soundfile

from workshop_lib import WorkshopError
from workshop_lib.media.audio import (
    as_channels_first,
    draw_waveform,
    load_audio,
    play,
    plot_audio,
    resample,
    save_audio,
)

RATE = 22050


@pytest.fixture
def stereo_tone():
    """One second of a 440 Hz tone on the left and 660 Hz on the right."""
    t = np.arange(RATE) / RATE
    return np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.25 * np.sin(2 * np.pi * 660 * t)]).astype(
        np.float32
    )


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3"])
def test_saved_audio_loads_back_with_its_rate_and_length(tmp_path, stereo_tone, suffix):
    path = save_audio(tmp_path / f"tone{suffix}", stereo_tone, RATE)

    samples, rate = load_audio(path)

    assert rate == RATE
    assert samples.shape[0] == 2
    assert abs(samples.shape[1] - RATE) < 0.06 * RATE  # MP3 and OGG pad a little
    assert samples.dtype == np.float32


def test_wav_round_trip_keeps_the_samples(tmp_path, stereo_tone):
    samples, _ = load_audio(save_audio(tmp_path / "tone.wav", stereo_tone, RATE))

    np.testing.assert_allclose(samples, stereo_tone, atol=1 / 2**15)


def test_mono_mixes_the_channels(tmp_path, stereo_tone):
    samples, _ = load_audio(save_audio(tmp_path / "tone.wav", stereo_tone, RATE), mono=True)

    assert samples.shape == (RATE,)
    np.testing.assert_allclose(samples, stereo_tone.mean(axis=0), atol=1 / 2**14)


def test_loading_resamples_to_the_rate_asked_for(tmp_path, stereo_tone):
    samples, rate = load_audio(
        save_audio(tmp_path / "tone.flac", stereo_tone, RATE), sample_rate=44100
    )

    assert rate == 44100
    assert samples.shape == (2, 44100)


def test_bytes_load_like_the_file(tmp_path, stereo_tone):
    path = save_audio(tmp_path / "tone.wav", stereo_tone, RATE)

    from_bytes, rate = load_audio(path.read_bytes())

    assert rate == RATE
    np.testing.assert_array_equal(from_bytes, load_audio(path)[0])


def test_resampling_keeps_the_pitch(stereo_tone):
    resampled = resample(stereo_tone[0], RATE, 16000)

    spectrum = np.abs(np.fft.rfft(resampled))
    peak_hz = np.argmax(spectrum) * 16000 / resampled.size
    assert resampled.shape == (16000,)
    assert abs(peak_hz - 440) < 2


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (CI installs it)")
def test_m4a_is_read_through_ffmpeg(tmp_path, stereo_tone):
    wav = save_audio(tmp_path / "tone.wav", stereo_tone, RATE)
    m4a = tmp_path / "tone.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "aac", str(m4a)], check=True)

    samples, rate = load_audio(m4a)

    assert rate == RATE
    assert samples.shape[0] == 2
    assert abs(samples.shape[1] - RATE) < 0.1 * RATE


def test_text_file_named_mp3_gets_a_clear_message(tmp_path):
    fake = tmp_path / "song.mp3"
    fake.write_text("this is not music")

    with pytest.raises(WorkshopError, match=r"'song\.mp3' could not be read as audio"):
        load_audio(fake)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: None, "There is no file"),
    ],
)
def test_empty_or_missing_file_gets_a_clear_message(tmp_path, make, message):
    path = tmp_path / "recording.wav"
    make(path)

    with pytest.raises(WorkshopError, match=message):
        load_audio(path)


def test_zero_length_wav_is_refused(tmp_path):
    path = tmp_path / "nothing.wav"
    soundfile.write(path, np.zeros((0, 2), dtype=np.float32), RATE)

    with pytest.raises(WorkshopError, match="no sound at all"):
        load_audio(path)


def test_bad_sample_rate_is_refused():
    with pytest.raises(WorkshopError, match="sample rate"):
        load_audio((np.zeros(100), 0))


def test_samples_as_rows_are_turned_into_channels_first():
    assert as_channels_first(np.zeros((1000, 2))).shape == (2, 1000)
    assert as_channels_first(np.zeros(1000)).shape == (1, 1000)


def test_saving_replaces_nothing_until_complete(tmp_path, stereo_tone):
    path = save_audio(tmp_path / "out" / "tone.wav", stereo_tone, RATE)

    assert sorted(p.name for p in path.parent.iterdir()) == ["tone.wav"]


def test_unknown_save_format_is_refused(tmp_path, stereo_tone):
    with pytest.raises(WorkshopError, match=r"Cannot save audio as '\.xyz'"):
        save_audio(tmp_path / "tone.xyz", stereo_tone, RATE)


def test_player_and_plot_show_the_sound(stereo_tone):
    player = play(stereo_tone, RATE)
    figure = plot_audio(stereo_tone, RATE, title="tone")

    assert player.mimetype == "audio/wav" and len(player.data) > 2 * RATE
    assert len(figure.axes) == 2
    assert figure.axes[0].get_title() == "tone"


def test_a_long_sound_draws_as_its_outline_keeping_every_peak():
    """An hour of sound draws with a few thousand points, and a single click still shows."""
    import io

    from matplotlib.figure import Figure

    rate = 8000
    rng = np.random.default_rng(0)
    samples = np.clip(0.1 * rng.standard_normal(3600 * rate), -0.5, 0.5).astype(np.float32)
    samples[1_234_567] = 0.99  # one click, shorter than any slice
    samples[-1] = -0.98  # and one in the last, shorter slice
    figure = Figure(figsize=(8, 2))
    axes = figure.subplots()

    draw_waveform(axes, samples, rate)
    figure.savefig(io.BytesIO(), format="png", dpi=200)

    (outline,) = axes.collections
    points = outline.get_paths()[0].vertices
    assert len(points) < 10_000
    assert points[:, 1].max() == pytest.approx(0.99) and points[:, 1].min() == pytest.approx(-0.98)
    assert 0 <= points[:, 0].min() and points[:, 0].max() <= 3600


def test_a_short_sound_draws_every_sample():
    from matplotlib.figure import Figure

    axes = Figure().subplots()
    draw_waveform(axes, np.array([0.0, 0.5, -0.5, np.nan]), 4, color="red")

    (line,) = axes.lines
    assert list(line.get_ydata()) == [0.0, 0.5, -0.5, 0.0]  # a NaN draws as silence
    assert list(line.get_xdata()) == [0.0, 0.25, 0.5, 0.75]


def test_unreadable_bytes_are_named_as_the_learners_audio_not_a_temporary_file():
    with pytest.raises(WorkshopError, match=r"^The audio you gave could not be read") as caught:
        load_audio(b"definitely not a sound file")

    assert "/tmp" not in str(caught.value)
