"""Spleeter's network in PyTorch: one U-Net per instrument (layers and forward only, no files).

Each U-Net takes a stereo magnitude spectrogram, shape ``(batch, 2, frames, bins)``, and guesses
how much of every time-frequency cell belongs to its instrument. The layers follow Deezer's
TensorFlow code exactly, including TensorFlow's "same" padding (the extra row goes at the end),
batch normalisation with epsilon 1e-3, skips that carry the raw convolution outputs, and the
activation before batch normalisation in the decoder.

References
----------
Hennequin, Khlif, Voituret, Moussallam, "Spleeter: a fast and efficient music source separation
tool with pre-trained models", Journal of Open Source Software 5(50), 2154, 2020.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["SpleeterNet", "UNet"]

FILTERS = (16, 32, 64, 128, 256, 512)
"""Channels of the six encoder convolutions in Deezer's released models."""

_EPSILON = 1e-3  # Keras BatchNormalization's default epsilon


def _activation(name: str) -> nn.Module:
    """Keras names -> modules: "ReLU", "ELU", "LeakyReLU" (slope 0.2, as Spleeter uses)."""
    if name == "ReLU":
        return nn.ReLU()
    if name == "ELU":
        return nn.ELU(alpha=1.0)
    if name == "LeakyReLU":
        return nn.LeakyReLU(0.2)
    raise ValueError(f"unknown activation {name!r}")


class _BatchNorm(nn.BatchNorm2d):
    """Batch normalisation with TensorFlow's epsilon, always using the stored statistics."""

    def __init__(self, channels: int):
        super().__init__(channels, eps=_EPSILON)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.batch_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps
        )


class UNet(nn.Module):
    """One instrument's U-Net: six stride-2 convolutions down, six transposed convolutions up.

    Parameters
    ----------
    filters : sequence of 6 int
        Channels of the encoder convolutions (the decoder mirrors them).
    conv_activation, deconv_activation : str
        ``"LeakyReLU"``, ``"ELU"`` or ``"ReLU"`` after the encoder convolutions and after the
        decoder's transposed convolutions (2stems: LeakyReLU and ReLU; 4stems and 5stems: ELU).
    in_channels : int
        Audio channels (2 for stereo).
    """

    def __init__(
        self,
        filters: Sequence[int] = FILTERS,
        *,
        conv_activation: str = "LeakyReLU",
        deconv_activation: str = "ReLU",
        in_channels: int = 2,
    ) -> None:
        super().__init__()
        filters = tuple(int(f) for f in filters)
        if len(filters) != 6:
            raise ValueError("a Spleeter U-Net has exactly six encoder layers")
        widths = (in_channels, *filters)
        self.encoder = nn.ModuleList(
            nn.Conv2d(widths[i], widths[i + 1], 5, stride=2) for i in range(6)
        )
        self.encoder_norms = nn.ModuleList(_BatchNorm(f) for f in filters)  # the 6th is unused
        # Decoder: up1 reads the last convolution; later ones read [skip, previous] (2x channels).
        outs = (*filters[-2::-1], 1)  # 256, 128, 64, 32, 16, 1
        ins = (filters[-1], *(2 * f for f in filters[-2::-1]))  # 512, 512, 256, 128, 64, 32
        self.decoder = nn.ModuleList(
            nn.ConvTranspose2d(i, o, 5, stride=2, padding=1) for i, o in zip(ins, outs, strict=True)
        )
        self.decoder_norms = nn.ModuleList(_BatchNorm(o) for o in outs)
        self.output = nn.Conv2d(1, in_channels, 4, dilation=2, padding=3)
        self.conv_activation = _activation(conv_activation)
        self.deconv_activation = _activation(deconv_activation)

    def forward(self, magnitude: torch.Tensor) -> torch.Tensor:
        """Return the mask's logits, shape ``(batch, 2, frames, bins)`` (apply a sigmoid or softmax).

        ``frames`` and ``bins`` must be multiples of 64.
        """
        skips = []
        x = magnitude
        for conv, norm in zip(self.encoder, self.encoder_norms, strict=True):
            raw = conv(F.pad(x, (1, 2, 1, 2)))  # TensorFlow "same": the extra padding at the end
            skips.append(raw)
            x = self.conv_activation(norm(raw))
        x = skips.pop()  # the decoder starts from the last convolution's raw output
        for index, (deconv, norm) in enumerate(zip(self.decoder, self.decoder_norms, strict=True)):
            up = deconv(x)[:, :, : 2 * x.shape[2], : 2 * x.shape[3]]
            up = norm(self.deconv_activation(up))
            x = torch.cat([skips.pop(), up], dim=1) if index < 5 else up
        return self.output(x)


class SpleeterNet(nn.Module):
    """All instruments' U-Nets together; returns each instrument's estimated magnitude.

    Parameters
    ----------
    instruments : sequence of str
        Stem names in the model's order, such as ``("vocals", "accompaniment")``.
    filters : sequence of 6 int
        Encoder channels of every U-Net.
    conv_activation, deconv_activation : str
        See :class:`UNet`.
    softmax : bool
        False: each mask is a sigmoid of its own U-Net (2stems, 4stems). True: the masks are a
        softmax across instruments, so they add up to one (5stems).
    """

    def __init__(
        self,
        instruments: Sequence[str],
        filters: Sequence[int] = FILTERS,
        *,
        conv_activation: str = "LeakyReLU",
        deconv_activation: str = "ReLU",
        softmax: bool = False,
    ) -> None:
        super().__init__()
        self.instruments = tuple(instruments)
        self.softmax = softmax
        self.unets = nn.ModuleList(
            UNet(filters, conv_activation=conv_activation, deconv_activation=deconv_activation)
            for _ in self.instruments
        )

    @property
    def memory_format(self) -> torch.memory_format:
        """The faster layout on a CPU: channels-last (TensorFlow's NHWC) at Deezer's widths."""
        unet = cast(UNet, self.unets[0])
        wide = cast(nn.Conv2d, unet.encoder[0]).out_channels >= 16
        return torch.channels_last if wide else torch.contiguous_format

    def forward(self, magnitude: torch.Tensor) -> torch.Tensor:
        """Magnitude ``(batch, 2, frames, bins)`` -> estimates ``(instruments, batch, 2, frames, bins)``."""
        logits = torch.stack([unet(magnitude) for unet in self.unets])
        masks = torch.softmax(logits, dim=0) if self.softmax else torch.sigmoid(logits)
        return masks * magnitude
