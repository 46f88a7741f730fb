"""The two networks: exactly the published state-dict layout, and the authors' forward pass."""

import json
from pathlib import Path

import pytest
import torch

from workshop_lib.colorize.model import ECCVGenerator, SIGGRAPHGenerator

PUBLISHED = json.loads(
    (Path(__file__).parent / "fixtures" / "colorize" / "published_state_dict_keys.json").read_text()
)


def shapes(module: torch.nn.Module) -> dict[str, list[int]]:
    return {key: list(value.shape) for key, value in module.state_dict().items()}


@pytest.mark.parametrize(
    ("name", "cls"), [("siggraph17", SIGGRAPHGenerator), ("eccv16", ECCVGenerator)]
)
def test_modules_have_exactly_the_published_keys_and_shapes(name, cls):
    module = cls()

    assert shapes(module) == PUBLISHED[name]


@pytest.mark.parametrize(
    ("cls", "parameters"),
    [(SIGGRAPHGenerator, 34_187_027), (ECCVGenerator, 32_236_011)],
)
def test_published_width_has_the_published_number_of_parameters(cls, parameters):
    module = cls()

    assert sum(p.numel() for p in module.parameters()) == parameters


def test_small_width_keeps_every_key():
    small, full = SIGGRAPHGenerator(width=4), SIGGRAPHGenerator()

    assert list(small.state_dict()) == list(full.state_dict())


def authors_forward(net: SIGGRAPHGenerator, input_a, input_b, mask_b):
    """The forward pass as the authors' colorizers package writes it, block from conv9 twice."""
    x = torch.cat(((input_a - 50) / 100, input_b / 110, mask_b), dim=1)
    conv1_2 = net.model1(x)
    conv2_2 = net.model2(conv1_2[:, :, ::2, ::2])
    conv3_3 = net.model3(conv2_2[:, :, ::2, ::2])
    conv4_3 = net.model4(conv3_3[:, :, ::2, ::2])
    conv7_3 = net.model7(net.model6(net.model5(conv4_3)))
    conv8_3 = net.model8(net.model8up(conv7_3) + net.model3short8(conv3_3))
    out = None
    for _ in range(2):
        conv9_3 = net.model9(net.model9up(conv8_3) + net.model2short9(conv2_2))
        conv10_2 = net.model10(net.model10up(conv9_3) + net.model1short10(conv1_2))
        out = net.model_out(conv10_2)
    return out * 110


def test_forward_matches_the_authors_forward_without_the_repeated_block():
    torch.manual_seed(0)
    net = SIGGRAPHGenerator(width=4).eval()
    lightness = torch.rand(2, 1, 64, 64) * 100
    hints = torch.rand(2, 2, 64, 64) * 220 - 110
    mask = (torch.rand(2, 1, 64, 64) > 0.9).float()

    with torch.no_grad():
        ours = net(lightness, hints * mask, mask)
        theirs = authors_forward(net, lightness, hints * mask, mask)

    assert ours.shape == (2, 2, 64, 64)
    assert torch.equal(ours, theirs)


def test_no_hints_means_zero_hint_inputs():
    torch.manual_seed(1)
    net = SIGGRAPHGenerator(width=4).eval()
    lightness = torch.rand(1, 1, 32, 32) * 100

    with torch.no_grad():
        default = net(lightness)
        explicit = net(lightness, torch.zeros(1, 2, 32, 32), torch.zeros(1, 1, 32, 32))

    assert torch.equal(default, explicit)


def test_output_stays_in_the_lab_colour_range():
    torch.manual_seed(2)
    net = SIGGRAPHGenerator(width=4).eval()

    with torch.no_grad():
        ab = net(torch.rand(1, 1, 32, 32) * 100)

    assert ab.abs().max() <= 110


def test_eccv_reads_its_bin_centres_from_the_last_layer():
    net = ECCVGenerator(width=4)
    with torch.no_grad():
        net.model_out.weight.zero_()
        net.model_out.weight[0, 5] = 0.5  # a of bin 5
        net.model_out.weight[1, 5] = -0.25  # b of bin 5

    centres = net.bin_centres()

    assert centres.shape == (313, 2)
    assert centres[5].tolist() == [55.0, -27.5]


def test_eccv_output_is_the_expected_colour_of_its_distribution():
    torch.manual_seed(3)
    net = ECCVGenerator(width=4).eval()
    lightness = torch.rand(1, 1, 64, 64) * 100

    with torch.no_grad():
        chances = torch.softmax(net.logits(lightness), dim=1)
        expected = torch.einsum("nkhw,kc->nchw", chances, net.bin_centres())
        ab = net(lightness)

    assert ab.shape == (1, 2, 64, 64)
    small = torch.nn.functional.interpolate(ab, scale_factor=0.25, mode="area")
    assert torch.allclose(small[..., 4:-4, 4:-4], expected[..., 4:-4, 4:-4], atol=2.0)
