"""Deep learning, small enough to watch: a neural network with two layers of filters reads digits.

The network (a convolutional neural network, CNN) slides 8 small 3 × 3 filters over each digit,
keeps the strongest answers, slides 16 more filters over those, and ends in 10 numbers, one per
digit. Training nudges its 2,000 or so numbers (weights) a little after every batch of examples
so that the right digit's number grows. The same idea, with millions of weights and photos,
recognises faces, colours old photos and clones voices.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from .. import runtime
from ..errors import WorkshopError
from ._plot import new_figure
from .digits import DigitData

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DigitNet",
    "Epoch",
    "TrainingRun",
    "plot_training",
    "show_activations",
    "show_filters",
    "train_network",
]


class DigitNet(nn.Module):
    """Two layers of 3 × 3 filters (8, then 16), each followed by ReLU and 2 × 2 max-pooling, then 10 outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.out = nn.Linear(16 * 2 * 2, 10)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """What the two filter layers answer, before pooling: (8, 8, 8) and (16, 4, 4) per digit."""
        first = torch.relu(self.conv1(x))
        second = torch.relu(self.conv2(self.pool(first)))
        return first, second

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, second = self.features(x)
        return self.out(torch.flatten(self.pool(second), 1))


@dataclass(frozen=True)
class Epoch:
    """One pass over all training examples: average loss, and accuracy on training and test digits."""

    number: int
    loss: float
    train_accuracy: float
    test_accuracy: float


@dataclass(frozen=True)
class TrainingRun:
    """A trained :class:`DigitNet`, its history epoch by epoch, and where and how fast it trained."""

    model: DigitNet
    history: tuple[Epoch, ...]
    seconds: float
    device: str
    weights: int

    @property
    def accuracy(self) -> float:
        """Share of the test digits read right after the last epoch."""
        return self.history[-1].test_accuracy

    def __str__(self) -> str:
        return (
            f"A network with {self.weights:,} weights trained for {len(self.history)} epochs in "
            f"{self.seconds:.1f} s on the {self.device.upper()}. It reads {self.accuracy:.1%} of "
            "the test digits right."
        )

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def _tensor(images: np.ndarray, device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(images, dtype=np.float32) / 16.0, device=device).unsqueeze(1)


def _accuracy(model: DigitNet, images: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(images).argmax(dim=1) == labels).float().mean())


def train_network(
    data: DigitData,
    *,
    epochs: int = 15,
    learning_rate: float = 0.01,
    batch_size: int = 64,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> TrainingRun:
    """Train a small convolutional neural network on the digits and record how it learns.

    Parameters
    ----------
    data : DigitData
        From :func:`workshop_lib.basics.digits.load_digit_data`.
    epochs : int
        Passes over all the training examples (1 to 200).
    learning_rate : float
        How big each nudge to the weights is (Adam optimiser); too big makes learning jumpy.
    batch_size : int
        Examples looked at before each nudge.
    seed : int
        Starting point of the random numbers, so a run can be repeated.
    device : str or torch.device, optional
        Where to train; None lets :func:`workshop_lib.runtime.pick_device` choose.

    Returns
    -------
    TrainingRun
    """
    if not isinstance(epochs, int) or not 1 <= epochs <= 200:
        raise WorkshopError(f"epochs must be a whole number from 1 to 200, not {epochs!r}.")
    if not 0 < learning_rate <= 1:
        raise WorkshopError(f"learning_rate must be above 0 and at most 1, not {learning_rate!r}.")
    device = runtime.pick_device(None if device is None else str(device))
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = DigitNet().to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    train_x, test_x = _tensor(data.train_images, device), _tensor(data.test_images, device)
    train_y = torch.as_tensor(data.train_labels, device=device)
    test_y = torch.as_tensor(data.test_labels, device=device)
    history = []
    started = time.perf_counter()
    for number in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(train_y), generator=generator).to(device)
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        model.eval()
        history.append(
            Epoch(
                number,
                total / len(order),
                _accuracy(model, train_x, train_y),
                _accuracy(model, test_x, test_y),
            )
        )
    seconds = time.perf_counter() - started
    weights = sum(p.numel() for p in model.parameters())
    return TrainingRun(model.cpu(), tuple(history), seconds, device.type, weights)


def plot_training(run: TrainingRun) -> Figure:
    """The training curve: loss (how wrong) going down, accuracy going up, epoch by epoch."""
    epochs = [e.number for e in run.history]
    figure = new_figure(9, 3.4)
    loss_ax, acc_ax = figure.subplots(1, 2)
    loss_ax.plot(epochs, [e.loss for e in run.history], marker="o", color="tab:red")
    loss_ax.set_title("Loss: how wrong the network is")
    loss_ax.set_xlabel("epoch")
    acc_ax.plot(
        epochs,
        [100 * e.train_accuracy for e in run.history],
        marker="o",
        label="digits it learns from",
    )
    acc_ax.plot(
        epochs, [100 * e.test_accuracy for e in run.history], marker="s", label="new test digits"
    )
    acc_ax.set_title("Accuracy (%)")
    acc_ax.set_xlabel("epoch")
    acc_ax.legend()
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
    return figure


def show_filters(run: TrainingRun) -> Figure:
    """The 8 filters of the first layer, as 3 × 3 pictures (red: adds, blue: subtracts)."""
    weights = run.model.conv1.weight.detach().cpu().numpy()[:, 0]
    limit = float(np.abs(weights).max()) or 1.0
    figure = new_figure(8, 1.6)
    axes = figure.subplots(1, len(weights))
    for number, (ax, kernel) in enumerate(zip(axes, weights, strict=True), start=1):
        ax.imshow(kernel, cmap="bwr", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {number}", fontsize=9)
        ax.axis("off")
    figure.suptitle("What the first layer looks for: small patterns such as edges and strokes")
    return figure


def show_activations(run: TrainingRun, image: np.ndarray) -> Figure:
    """One digit, and what each filter of both layers answers to it (bright: strong answer).

    Parameters
    ----------
    run : TrainingRun
    image : array of shape (8, 8)
        A digit, 0 (paper) to 16 (ink), such as ``data.test_images[0]``.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.shape != (8, 8):
        raise WorkshopError(f"The digit must be an 8 × 8 image, not {image.shape}.")
    with torch.no_grad():
        x = _tensor(image[None], "cpu")
        first, second = run.model.features(x)
        guess = int(run.model(x).argmax())
    figure = new_figure(10, 4.2)
    grid = figure.add_gridspec(3, 9)
    ax = figure.add_subplot(grid[:, 0])
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=16)
    ax.set_title(f"digit\n(read as {guess})", fontsize=9)
    ax.axis("off")
    for index in range(8):
        ax = figure.add_subplot(grid[0, 1 + index])
        ax.imshow(first[0, index].numpy(), cmap="viridis")
        ax.set_title(f"layer 1, #{index + 1}", fontsize=7)
        ax.axis("off")
    for index in range(16):
        ax = figure.add_subplot(grid[1 + index // 8, 1 + index % 8])
        ax.imshow(second[0, index].numpy(), cmap="viridis")
        ax.set_title(f"layer 2, #{index + 1}", fontsize=7)
        ax.axis("off")
    figure.suptitle(
        "What each filter sees in this digit: layer 1 finds strokes, layer 2 combines them"
    )
    return figure
