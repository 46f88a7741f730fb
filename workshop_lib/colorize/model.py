"""The two colorization networks by Richard Zhang and colleagues, as PyTorch modules (layers only).

:class:`SIGGRAPHGenerator` is the user-guided network of "Real-Time User-Guided Image Colorization
with Learned Deep Priors" (SIGGRAPH 2017): it takes the lightness of a photo plus colour hints and
returns the colour. :class:`ECCVGenerator` is the automatic network of "Colorful Image
Colorization" (ECCV 2016): it takes only the lightness and predicts, for every spot, how likely
each of 313 colours is.

Module names and layer positions match the authors' published PyTorch weight files exactly, so
those files load with ``strict=True``. Both classes take a ``width`` (channels of the first
layer; 64 in the published networks): the small offline test models use the same classes with a
smaller width. No files or URLs here: see :mod:`workshop_lib.colorize.weights`.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

__all__ = [
    "AB_NORM",
    "ECCV_BINS",
    "L_CENT",
    "L_NORM",
    "PUBLISHED_WIDTH",
    "SIGGRAPH_CLASSES",
    "ECCVGenerator",
    "SIGGRAPHGenerator",
]

L_CENT = 50.0
"""Lightness (L, 0 to 100) is centred on this value before it enters a network."""
L_NORM = 100.0
"""... and divided by this."""
AB_NORM = 110.0
"""Colour (a and b, about -110 to 110) is divided by this on the way in, multiplied on the way out."""
PUBLISHED_WIDTH = 64
"""Channels of the first layer in the published networks."""
SIGGRAPH_CLASSES = 529
"""Colour classes of the SIGGRAPH 2017 class head: a 23 x 23 grid of ab values, 10 apart."""
ECCV_BINS = 313
"""Colour bins of the ECCV 2016 network: the ab grid cells (10 apart) that occur in photos."""


def _block(channels, *, dilation=1, relu_first=False, norm=True) -> nn.Sequential:
    """Conv 3x3 + ReLU for each step in ``channels``, then BatchNorm: one stage of the trunk."""
    layers: list[nn.Module] = [nn.ReLU(inplace=True)] if relu_first else []
    for c_in, c_out in itertools.pairwise(channels):
        layers += [
            nn.Conv2d(c_in, c_out, 3, padding=dilation, dilation=dilation, bias=True),
            nn.ReLU(inplace=True),
        ]
    if norm:
        layers.append(nn.BatchNorm2d(channels[-1]))
    return nn.Sequential(*layers)


def _up(c_in: int, c_out: int) -> nn.Sequential:
    """A learned 2x upsampling (transposed convolution, kernel 4, stride 2)."""
    return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1, bias=True))


def _shortcut(c_in: int, c_out: int) -> nn.Sequential:
    """A 3x3 convolution on an earlier, finer feature map, added to the upsampled one."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=True))


class SIGGRAPHGenerator(nn.Module):
    """The user-guided colorization network (SIGGRAPH 2017): lightness + colour hints in, colour out.

    A U-Net: three stages that halve the picture (by keeping every second pixel), three stages
    at 1/8 size (two of them with dilated convolutions that see further), then three stages that
    double it again, each adding a shortcut from the matching early stage. The input has four
    channels: the lightness, the two hint colour channels (a and b, the colour part of a Lab
    image) and a mask that is 1 where a hint is given and 0 elsewhere.

    Parameters
    ----------
    width : int
        Channels of the first stage; the stages use width, 2x, 4x and 8x. The published network
        uses 64; the offline test model uses fewer.
    classes : int
        Outputs of the colour-class head (``model_class``). It is part of the published file but
        the colour output does not use it.

    References
    ----------
    Zhang, Zhu, Isola, Geng, Lin, Yu, Efros, "Real-Time User-Guided Image Colorization with
    Learned Deep Priors", ACM Transactions on Graphics 36(4), SIGGRAPH 2017. arXiv:1705.02999.

    Examples
    --------
    >>> net = SIGGRAPHGenerator(width=4).eval()
    >>> net(torch.full((1, 1, 64, 64), 50.0)).shape
    torch.Size([1, 2, 64, 64])
    """

    def __init__(self, *, width: int = PUBLISHED_WIDTH, classes: int = SIGGRAPH_CLASSES) -> None:
        super().__init__()
        c1, c2, c3, c4 = width, 2 * width, 4 * width, 8 * width
        self.width = width
        self.model1 = _block([4, c1, c1])
        self.model2 = _block([c1, c2, c2])
        self.model3 = _block([c2, c3, c3, c3])
        self.model4 = _block([c3, c4, c4, c4])
        self.model5 = _block([c4, c4, c4, c4], dilation=2)
        self.model6 = _block([c4, c4, c4, c4], dilation=2)
        self.model7 = _block([c4, c4, c4, c4])
        self.model8up = _up(c4, c3)
        self.model3short8 = _shortcut(c3, c3)
        self.model8 = _block([c3, c3, c3], relu_first=True)
        self.model9up = _up(c3, c2)
        self.model2short9 = _shortcut(c2, c2)
        self.model9 = _block([c2, c2], relu_first=True)
        self.model10up = _up(c2, c2)
        self.model1short10 = _shortcut(c1, c2)
        self.model10 = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.Conv2d(c2, c2, 3, padding=1, bias=True),
            nn.LeakyReLU(negative_slope=0.2),
        )
        self.model_class = nn.Sequential(nn.Conv2d(c3, classes, 1, bias=True))
        self.model_out = nn.Sequential(nn.Conv2d(c2, 2, 1, bias=True), nn.Tanh())
        # Parameter-free modules of the published class, kept so the module tree matches it.
        self.upsample4 = nn.Sequential(nn.Upsample(scale_factor=4, mode="bilinear"))
        self.softmax = nn.Sequential(nn.Softmax(dim=1))

    def forward(
        self,
        input_A: torch.Tensor,
        input_B: torch.Tensor | None = None,
        mask_B: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Colour a batch of pictures.

        Parameters
        ----------
        input_A : torch.Tensor
            Lightness L in 0..100, shape (N, 1, H, W); H and W divisible by 8.
        input_B : torch.Tensor, optional
            Hint colours: a and b in Lab units (about -110..110), shape (N, 2, H, W). None: no hints.
        mask_B : torch.Tensor, optional
            1 where a hint is given, 0 elsewhere (not centred), shape (N, 1, H, W).

        Returns
        -------
        torch.Tensor
            Predicted a and b in Lab units, shape (N, 2, H, W).
        """
        if input_B is None:
            input_B = torch.zeros_like(input_A).expand(-1, 2, -1, -1)
        if mask_B is None:
            mask_B = torch.zeros_like(input_A)
        x = torch.cat(((input_A - L_CENT) / L_NORM, input_B / AB_NORM, mask_B), dim=1)
        conv1_2 = self.model1(x)
        conv2_2 = self.model2(conv1_2[:, :, ::2, ::2])
        conv3_3 = self.model3(conv2_2[:, :, ::2, ::2])
        conv4_3 = self.model4(conv3_3[:, :, ::2, ::2])
        conv7_3 = self.model7(self.model6(self.model5(conv4_3)))
        conv8_3 = self.model8(self.model8up(conv7_3) + self.model3short8(conv3_3))
        conv9_3 = self.model9(self.model9up(conv8_3) + self.model2short9(conv2_2))
        conv10_2 = self.model10(self.model10up(conv9_3) + self.model1short10(conv1_2))
        return self.model_out(conv10_2) * AB_NORM


class ECCVGenerator(nn.Module):
    """The automatic colorization network (ECCV 2016): lightness in, a colour distribution out.

    For each spot of a 64 x 64 grid it predicts how likely each of 313 colour bins is (a
    **distribution**); the colour it shows is the average of the bins, weighted by those
    chances. The last layer (``model_out``) holds the bins' centres, divided by 110.

    Parameters
    ----------
    width : int
        Channels of the first stage (64 in the published network).
    bins : int
        Number of colour bins (313 in the published network).

    References
    ----------
    Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016. arXiv:1603.08511.

    Examples
    --------
    >>> net = ECCVGenerator(width=4).eval()
    >>> net(torch.full((1, 1, 64, 64), 50.0)).shape
    torch.Size([1, 2, 64, 64])
    """

    def __init__(self, *, width: int = PUBLISHED_WIDTH, bins: int = ECCV_BINS) -> None:
        super().__init__()
        c1, c2, c3, c4 = width, 2 * width, 4 * width, 8 * width
        self.width = width

        def conv(c_in, c_out, *, stride=1, dilation=1):
            return nn.Conv2d(c_in, c_out, 3, stride=stride, padding=dilation, dilation=dilation)

        relu = nn.ReLU
        self.model1 = nn.Sequential(
            conv(1, c1), relu(True), conv(c1, c1, stride=2), relu(True), nn.BatchNorm2d(c1)
        )
        self.model2 = nn.Sequential(
            conv(c1, c2), relu(True), conv(c2, c2, stride=2), relu(True), nn.BatchNorm2d(c2)
        )
        self.model3 = nn.Sequential(
            conv(c2, c3), relu(True), conv(c3, c3), relu(True), conv(c3, c3, stride=2),
            relu(True), nn.BatchNorm2d(c3),
        )  # fmt: skip
        self.model4 = _block([c3, c4, c4, c4])
        self.model5 = _block([c4, c4, c4, c4], dilation=2)
        self.model6 = _block([c4, c4, c4, c4], dilation=2)
        self.model7 = _block([c4, c4, c4, c4])
        self.model8 = nn.Sequential(
            nn.ConvTranspose2d(c4, c3, 4, stride=2, padding=1), relu(True),
            nn.Conv2d(c3, c3, 3, padding=1), relu(True),
            nn.Conv2d(c3, c3, 3, padding=1), relu(True),
            nn.Conv2d(c3, bins, 1),
        )  # fmt: skip
        self.softmax = nn.Softmax(dim=1)
        self.model_out = nn.Conv2d(bins, 2, 1, bias=False)
        self.upsample4 = nn.Upsample(scale_factor=4, mode="bilinear")

    def logits(self, input_l: torch.Tensor) -> torch.Tensor:
        """Scores for the colour bins, shape (N, bins, H/4, W/4); softmax turns them into chances."""
        x = (input_l - L_CENT) / L_NORM
        for stage in (self.model1, self.model2, self.model3, self.model4, self.model5):
            x = stage(x)
        return self.model8(self.model7(self.model6(x)))

    def bin_centres(self) -> torch.Tensor:
        """The a and b value (Lab units) of each colour bin, shape (bins, 2), read from ``model_out``."""
        return self.model_out.weight.detach()[:, :, 0, 0].T.float() * AB_NORM

    def forward(self, input_l: torch.Tensor) -> torch.Tensor:
        """Colour a batch: lightness (N, 1, H, W) in 0..100 -> a and b in Lab units (N, 2, H, W)."""
        expected = self.model_out(self.softmax(self.logits(input_l)))
        return self.upsample4(expected) * AB_NORM
