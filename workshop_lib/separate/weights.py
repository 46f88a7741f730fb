"""Spleeter's model configurations, and Deezer's checkpoint files turned into a PyTorch model.

Deezer's checkpoints carry no layer names of their own: Keras numbered every layer as it was
built, one U-Net per instrument, so ``conv2d_7`` is the first convolution of the second
instrument. :func:`state_dict_from_checkpoint` undoes that numbering and turns TensorFlow's
kernel layouts into PyTorch's; :func:`load_model` builds the network, loads every tensor
strictly (nothing missing, nothing left over, every shape right) and returns it ready to run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import WorkshopError
from . import tf_checkpoint

if TYPE_CHECKING:
    import torch

    from .model import SpleeterNet

__all__ = [
    "CONFIGS",
    "SpleeterConfig",
    "config_for",
    "load_model",
    "model_from_tensors",
    "state_dict_from_checkpoint",
]


@dataclass(frozen=True)
class SpleeterConfig:
    """One of Spleeter's configurations (``spleeter/resources/*.json``), with the facts we use.

    ``bins`` (Spleeter's ``F``) is how many of the 2049 frequency bins the U-Nets see: 1024
    (up to 11 kHz) for the released configurations, 1536 (up to 16.5 kHz) for the ``-16kHz`` ones.
    """

    name: str
    model: str  # the released model (and asset) whose weights it uses
    instruments: tuple[str, ...]
    conv_activation: str
    deconv_activation: str
    softmax: bool
    bins: int = 1024
    mask_extension: str = "zeros"
    sample_rate: int = 44100
    frame_length: int = 4096
    frame_step: int = 1024
    frames: int = 512  # Spleeter's T: frames per segment

    @property
    def cutoff_hz(self) -> float:
        """The highest frequency the model separates; above it every stem is silent."""
        return self.bins * self.sample_rate / self.frame_length


def _configs() -> dict[str, SpleeterConfig]:
    base = {
        "2stems": (("vocals", "accompaniment"), "LeakyReLU", "ReLU", False),
        "4stems": (("vocals", "drums", "bass", "other"), "ELU", "ELU", False),
        "5stems": (("vocals", "piano", "drums", "bass", "other"), "ELU", "ELU", True),
    }
    configs = {}
    for name, (instruments, conv, deconv, softmax) in base.items():
        for suffix, bins in (("", 1024), ("-16kHz", 1536)):
            configs[name + suffix] = SpleeterConfig(
                name=name + suffix,
                model=name,
                instruments=instruments,
                conv_activation=conv,
                deconv_activation=deconv,
                softmax=softmax,
                bins=bins,
            )
    return configs


CONFIGS: dict[str, SpleeterConfig] = _configs()
"""Spleeter's six configurations by name: 2stems, 4stems, 5stems and their -16kHz variants."""


def config_for(stems: int | str, *, high_quality: bool = False) -> SpleeterConfig:
    """Return the configuration for ``stems`` (2, 4, 5 or a name such as ``"4stems-16kHz"``).

    ``high_quality`` picks the 16 kHz variant (same weights, the U-Nets see up to 16.5 kHz).
    """
    name = f"{stems}stems" if isinstance(stems, int | np.integer) else str(stems).strip()
    if high_quality and not name.endswith("-16kHz"):
        name += "-16kHz"
    if name not in CONFIGS:
        raise WorkshopError(
            f"Spleeter has no model called {stems!r}. Choose stems=2 (vocals and accompaniment), "
            "4 (vocals, drums, bass, other) or 5 (vocals, piano, drums, bass, other)."
        )
    return CONFIGS[name]


def _names(instrument: int) -> dict[str, str]:
    """TensorFlow layer name -> our module path, for one instrument's U-Net."""

    def numbered(base: str, number: int) -> str:
        return base if number == 0 else f"{base}_{number}"

    names = {}
    for i in range(6):
        names[numbered("conv2d", 7 * instrument + i)] = f"encoder.{i}"
        names[numbered("conv2d_transpose", 6 * instrument + i)] = f"decoder.{i}"
        names[numbered("batch_normalization", 12 * instrument + i)] = f"encoder_norms.{i}"
        names[numbered("batch_normalization", 12 * instrument + 6 + i)] = f"decoder_norms.{i}"
    names[numbered("conv2d", 7 * instrument + 6)] = "output"
    return names


_IGNORED = ("global_step", "beta1_power", "beta2_power")  # training bookkeeping, not weights


def state_dict_from_checkpoint(
    tensors: dict[str, np.ndarray],
    instruments: Sequence[str],
    *,
    memory_format: torch.memory_format | None = None,
) -> dict:
    """Turn a Spleeter checkpoint's tensors into a PyTorch state dict for :class:`SpleeterNet`.

    The tensors are taken out of ``tensors`` as they are converted, so the model's weights are
    never held twice. ``memory_format`` lays the kernels out for the model's preferred format.

    Raises
    ------
    WorkshopError
        When a tensor is missing or an unexpected one is there (a different model).
    """
    import torch

    parts = {"kernel": "weight", "bias": "bias", "gamma": "weight", "beta": "bias"}
    parts |= {"moving_mean": "running_mean", "moving_variance": "running_var"}
    state, used = {}, set()
    for k in range(len(instruments)):
        for tf_layer, module in _names(k).items():
            prefix = f"unets.{k}.{module}"
            for tf_part, torch_part in parts.items():
                key = f"{tf_layer}/{tf_part}"
                if key not in tensors:
                    continue
                value = torch.from_numpy(np.asarray(tensors.pop(key), dtype=np.float32))
                if tf_part == "kernel":  # TF (h, w, in, out) or (h, w, out, in) for transposed
                    value = value.permute(3, 2, 0, 1)
                    value = value.contiguous(memory_format=memory_format or torch.contiguous_format)
                state[f"{prefix}.{torch_part}"] = value
                used.add(key)
    left = sorted(
        name for name in tensors if name not in _IGNORED and not name.endswith(("/Adam", "/Adam_1"))
    )
    if left:
        shown = ", ".join(left[:5]) + (", …" if len(left) > 5 else "")
        raise WorkshopError(
            f"The checkpoint holds tensors a {len(instruments)}-instrument Spleeter model does not "
            f"have ({shown}). It is probably a different model; check the model name."
        )
    return state


def _filters(tensors: dict[str, np.ndarray], model_name: str) -> tuple[int, ...]:
    """Read the six encoder widths from the first U-Net's kernels (16 … 512 in Deezer's models)."""
    try:
        return tuple(
            int(tensors["conv2d" + (f"_{i}" if i else "") + "/kernel"].shape[-1]) for i in range(6)
        )
    except KeyError as err:
        raise WorkshopError(
            f"The checkpoint for '{model_name}' has no tensor {err.args[0]}: it is not a Spleeter "
            "model. Delete the model folder and download it again."
        ) from err


def load_model(
    path: str | os.PathLike, config: SpleeterConfig, *, verify: bool = True
) -> SpleeterNet:
    """Build :class:`~.model.SpleeterNet` for ``config`` and load a Spleeter checkpoint into it.

    The checkpoint is read with our own reader (no TensorFlow); every tensor must fit, so a
    2stems file given as 4stems, or a damaged file, gives a clear message.

    Parameters
    ----------
    path : str or path
        The model folder (as unpacked from Deezer's tarball), the prefix or the ``.index`` file.
    config : SpleeterConfig
        Which configuration the weights are for (instruments, activations, softmax).
    verify : bool
        Check every tensor's checksum while reading.

    Returns
    -------
    SpleeterNet
        In evaluation mode, on the CPU.

    Raises
    ------
    WorkshopError
        For a damaged file or a checkpoint that does not fit the configuration.
    """
    tensors = tf_checkpoint.read_checkpoint(path, verify=verify)
    return model_from_tensors(tensors, config, label=f"The checkpoint at {path}")


def model_from_tensors(
    tensors: dict[str, np.ndarray], config: SpleeterConfig, *, label: str
) -> SpleeterNet:
    """Build :class:`~.model.SpleeterNet` for ``config`` from a checkpoint's tensors, strictly.

    ``tensors`` are named and laid out as in Deezer's TensorFlow checkpoints, whatever file they
    came from; they are taken out of the dict as they are converted. Nothing may be missing or
    left over and every shape must fit. ``label`` names the source in messages.

    Raises
    ------
    WorkshopError
        When the tensors do not fit the configuration.
    """
    import torch

    from .model import SpleeterNet

    with torch.device("meta"):  # no memory and no random numbers: the checkpoint fills it
        net = SpleeterNet(
            config.instruments,
            _filters(tensors, config.model),
            conv_activation=config.conv_activation,
            deconv_activation=config.deconv_activation,
            softmax=config.softmax,
        )
    state = state_dict_from_checkpoint(tensors, config.instruments, memory_format=net.memory_format)
    expected = net.state_dict()
    for name in expected:
        if name.endswith("num_batches_tracked"):  # PyTorch's own counter, not in checkpoints
            state[name] = torch.zeros((), dtype=torch.long)
    missing = sorted(set(expected) - set(state))
    wrong = [
        f"{name} {tuple(value.shape)} instead of {tuple(expected[name].shape)}"
        for name, value in state.items()
        if name in expected and tuple(value.shape) != tuple(expected[name].shape)
    ]
    if missing or wrong:
        detail = f"missing {', '.join(missing[:3])}" if missing else f"shape {wrong[0]}"
        raise WorkshopError(
            f"{label} does not fit Spleeter's '{config.model}' model ({detail}). "
            "Delete the model folder and download it again, or check that the model name matches."
        )
    net.load_state_dict(state, strict=True, assign=True)
    return net.eval()
