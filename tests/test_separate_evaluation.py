"""SDR as BSSEval v4 computes it: checked against museval itself, and on the sample song."""

import numpy as np
import pytest

from workshop_lib.separate import load_sample_song, sdr
from workshop_lib.separate.evaluation import framewise_sdr

RATE = 44100


def _sources(seed: int, seconds: float = 4.3, count: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    return {f"s{i}": rng.standard_normal((2, int(seconds * RATE))) for i in range(count)}


@pytest.mark.slow
def test_framewise_sdr_equals_museval_v4():
    museval = pytest.importorskip("museval")
    references = _sources(0)
    estimates = {
        k: v + 0.3 * (i + 1) * _sources(1)[k] for i, (k, v) in enumerate(references.items())
    }
    estimates["s1"][:, RATE : 2 * RATE] = 0.0  # a silent window: museval skips it for every source

    ours = framewise_sdr(references, estimates, RATE)
    theirs = museval.evaluate(
        np.stack([references[k].T for k in references]),
        np.stack([estimates[k].T for k in references]),
        win=RATE,
        hop=RATE,
        mode="v4",
    )[0]

    assert np.array_equal(np.isnan(theirs), np.isnan(np.stack(list(ours.values()))))
    assert np.allclose(np.stack(list(ours.values())), theirs, atol=1e-6, equal_nan=True)
    assert np.isnan(ours["s0"][1])


def test_sdr_is_the_median_over_windows_and_pads_short_estimates():
    references = {"vocals": np.ones((2, 3 * RATE))}
    estimates = {"vocals": 0.9 * np.ones((2, 3 * RATE - 100))}  # cut short: padded with silence

    frames = framewise_sdr(references, estimates, RATE)["vocals"]
    score = sdr(references, estimates, RATE)["vocals"]

    assert frames[:2] == pytest.approx([20.0, 20.0])
    assert frames[2] < 20.0
    assert score == pytest.approx(20.0)


def test_perfect_separation_scores_infinity_and_noise_scores_low():
    song = load_sample_song()
    references = song.references(["vocals", "accompaniment"])
    noisy = {
        k: v + np.random.default_rng(3).standard_normal(v.shape) for k, v in references.items()
    }

    perfect = sdr(references, references, song.sample_rate)
    bad = sdr(references, noisy, song.sample_rate)

    assert perfect == {"vocals": np.inf, "accompaniment": np.inf}
    assert all(value < 0 for value in bad.values())


def test_sample_song_is_the_sum_of_its_parts():
    song = load_sample_song()

    assert song.mix.shape == (2, int(19.2 * RATE))
    assert np.allclose(sum(song.parts.values()), song.mix, atol=1e-6)
    assert np.abs(song.mix).max() <= 1.0
    assert set(song.references(["vocals", "piano", "drums", "bass", "other"])) == {
        "vocals",
        "piano",
        "drums",
        "bass",
    }
