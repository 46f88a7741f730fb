"""With the authors' real weights (downloaded once, about 270 MB): run with WORKSHOP_NETWORK_TESTS=1.

These check what the offline stand-ins cannot: that the published files load strictly into our
modules, that the hint convention (ab in Lab units, mask 0/1 not centred) is the one these
weights were trained with, and that results are plausible.
"""

import numpy as np
import pytest
import torch

from workshop_lib.assets import bundled
from workshop_lib.colorize import Colorizer, apply, from_pretrained, hint_sweep

pytestmark = [pytest.mark.network, pytest.mark.slow]


@pytest.fixture(autouse=True)
def online(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "0")


@pytest.mark.parametrize("name", ["siggraph17", "eccv16"])
def test_the_published_weights_load_strictly_at_full_width(name):
    model = from_pretrained(name, device="cpu")

    assert model.width == 64


def test_automatic_colour_is_plausible():
    colorizer = Colorizer(bundled("images/astronaut.jpg"), device="cpu")

    assert colorizer.psnr(automatic=True) > 20


def suit_blueness(colorizer, hints):
    ab = colorizer.predict_ab(hints)[0]
    return float(ab[1, 150:250, 30:100].mean())  # b over the suit (negative = blue)


def test_one_blue_hint_turns_the_whole_suit_blue():
    colorizer = Colorizer(bundled("images/astronaut.jpg"), device="cpu")
    before = suit_blueness(colorizer, ())

    colorizer.add_hint(110, 340, "blue", size=5)
    after = suit_blueness(colorizer, None)

    assert before > 10  # the network alone: warm colours
    assert after < before - 20  # one hint of 5 x 5 cells moved a region of 100 x 70 cells


def test_with_our_hint_convention_the_hint_colour_appears_where_it_was_given():
    colorizer = Colorizer(bundled("images/astronaut.jpg"), device="cpu")
    hint = colorizer.add_hint(110, 340, "blue")
    column, row = apply.grid_position(hint.x, hint.y, colorizer.size, 256)

    predicted = colorizer.predict_ab()[0, :, row, column].numpy()

    # ab in Lab units and an uncentred 0/1 mask: the network reproduces the hint there.
    assert np.hypot(*(predicted - np.array(hint.ab))) < 20


def test_fast_path_is_within_one_lab_unit_with_the_real_weights():
    model = from_pretrained("siggraph17", device="cpu")
    colorizer = Colorizer(bundled("images/rocket.jpg"), device="cpu")
    lightness = torch.from_numpy(colorizer._network_l)[None, None]
    ab, mask = apply.encode_hints([colorizer.add_hint(300, 200, "orange")], colorizer.size)

    exact = apply.Runner(model, torch.device("cpu"), fast=False)(lightness, ab, mask)
    quick = apply.Runner(model, torch.device("cpu"), fast=True)(lightness, ab, mask)

    assert (quick - exact).abs().max() < 1.0


def test_suggestions_on_the_suit_include_a_warm_colour():
    colorizer = Colorizer(bundled("images/astronaut.jpg"), device="cpu")

    found = colorizer.suggestions(110, 340)

    assert any(s.ab[0] > 10 and s.ab[1] > 10 for s in found)


def test_hints_raise_psnr_as_in_the_paper():
    photos = [bundled(f"images/{name}") for name in ("astronaut.jpg", "chelsea.jpg", "rocket.jpg")]

    result = hint_sweep(photos, points=(0, 10), repeats=2, progress=False, device="cpu")

    assert not result.offline
    assert result.psnr[1] > result.psnr[0] + 1.0
    assert 20 < result.psnr[0] < 32
    assert np.isfinite(result.stderr).all()
