"""Pre- and post-processing: Lab colour, hint encoding (the mask convention), full-size output, speed path."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import color as skcolor
from skimage import data

from workshop_lib.colorize import apply
from workshop_lib.colorize.model import SIGGRAPHGenerator


def hint(x, y, ab, size=5):
    return SimpleNamespace(x=x, y=y, ab=ab, size=size)


def test_rgb_to_lab_matches_scikit_image():
    photo = data.astronaut()

    ours = apply.rgb_to_lab(photo)

    assert np.abs(ours - skcolor.rgb2lab(photo)).max() < 1e-3


def test_lab_to_rgb_matches_scikit_image_and_clips():
    lab = skcolor.rgb2lab(data.coffee())
    lab[..., 1:] *= 1.4  # push some colours outside what a screen shows

    ours = apply.lab_to_rgb(lab)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = skcolor.lab2rgb(lab)
    assert np.abs(ours - theirs).max() < 1e-4
    assert ours.min() >= 0 and ours.max() <= 1


def test_network_lightness_squeezes_to_256_like_the_authors():
    wide = Image.fromarray(data.rocket())  # 640 x 427

    lightness = apply.network_lightness(wide)

    expected = skcolor.rgb2lab(np.asarray(wide.resize((256, 256), Image.Resampling.BICUBIC)))[
        ..., 0
    ]
    assert lightness.shape == (256, 256)
    assert np.abs(lightness - expected).max() < 1e-3


def test_hint_ab_is_in_lab_units_and_mask_is_one_not_centred():
    ab, mask = apply.encode_hints([hint(128, 128, (40.0, -60.0), size=3)], (256, 256))

    assert ab.shape == (1, 2, 256, 256) and mask.shape == (1, 1, 256, 256)
    assert ab[0, :, 128, 128].tolist() == [40.0, -60.0]
    assert sorted(torch.unique(mask).tolist()) == [0.0, 1.0]
    assert mask.sum() == 9
    assert mask[0, 0, 127:130, 127:130].eq(1).all()
    assert ab[0, :, mask[0, 0] == 0].abs().sum() == 0


@pytest.mark.parametrize(("size", "cells"), [(1, 1), (2, 4), (5, 25), (9, 81)])
def test_hint_patch_is_size_by_size_cells(size, cells):
    _, mask = apply.encode_hints([hint(100, 100, (10.0, 10.0), size=size)], (256, 256))

    assert mask.sum() == cells


def test_hint_position_follows_the_photo_size():
    _, mask = apply.encode_hints([hint(1000, 250, (5.0, 5.0), size=1)], (2000, 1000))

    assert mask[0, 0, 64, 128] == 1


def test_hint_at_the_edge_is_cut_not_moved():
    _, mask = apply.encode_hints([hint(0, 0, (5.0, 5.0), size=5)], (256, 256))

    assert mask.sum() == 9
    assert mask[0, 0, 0, 0] == 1


def test_later_hint_covers_an_earlier_one():
    hints = [hint(50, 50, (10.0, 10.0), size=5), hint(50, 50, (-20.0, 30.0), size=1)]

    ab, _ = apply.encode_hints(hints, (256, 256))

    assert ab[0, :, 50, 50].tolist() == [-20.0, 30.0]
    assert ab[0, :, 49, 49].tolist() == [10.0, 10.0]


def test_preview_grid_halves_the_patch():
    _, mask = apply.encode_hints([hint(100, 100, (1.0, 1.0), size=6)], (256, 256), size=128)

    assert mask.shape[-1] == 128
    assert mask.sum() == 9


def test_compose_keeps_full_resolution_lightness():
    lightness = np.tile(np.linspace(0, 100, 999, dtype=np.float32), (333, 1))
    ab = torch.zeros(1, 2, 256, 256)

    picture = apply.compose(lightness, ab)

    assert picture.size == (999, 333)
    back = skcolor.rgb2lab(np.asarray(picture))[..., 0]
    assert np.abs(back - lightness).max() < 0.6


def test_compose_enlarges_the_colour_smoothly():
    lightness = np.full((512, 512), 60.0, dtype=np.float32)
    ab = torch.zeros(1, 2, 256, 256)
    ab[0, 0, :, 128:] = 40.0

    picture = np.asarray(apply.compose(lightness, ab)).astype(int)

    assert picture[10, 10, 0] < picture[10, 500, 0]
    assert len(np.unique(picture[10, 250:262, 0])) > 2  # a ramp, not a step


def test_fast_runner_is_within_one_lab_unit_of_float32():
    torch.manual_seed(0)
    model = SIGGRAPHGenerator(width=8).eval()
    lightness = torch.rand(1, 1, 256, 256) * 100
    ab, mask = apply.encode_hints([hint(60, 80, (50.0, -30.0))], (256, 256))
    exact = apply.Runner(model, torch.device("cpu"), fast=False)(lightness, ab, mask)

    fast = apply.Runner(model, torch.device("cpu"), fast=True)
    quick = fast(lightness, ab, mask)

    assert fast.seconds > 0
    assert quick.dtype == torch.float32
    assert (quick - exact).abs().max() < 1.0


def test_runner_reports_its_precision():
    model = SIGGRAPHGenerator(width=4).eval()

    assert apply.Runner(model, torch.device("cpu"), fast=False).precision == "float32"
    assert apply.Runner(model, torch.device("cpu")).precision in ("bfloat16", "float32")


def test_compose_colours_match_scikit_image_within_one_level():
    rng = np.random.default_rng(0)
    lightness = (rng.random((64, 80)) * 100).astype(np.float32)
    ab = torch.from_numpy(rng.normal(0, 40, (1, 2, 64, 80)).astype(np.float32))

    picture = np.asarray(apply.compose(lightness, ab)).astype(int)

    lab = np.dstack([lightness, ab[0, 0].numpy(), ab[0, 1].numpy()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-image notes the colours it clips
        expected = np.rint(np.clip(skcolor.lab2rgb(lab), 0, 1) * 255).astype(int)
    assert np.abs(picture - expected).max() <= 1
