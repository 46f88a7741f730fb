"""Machine learning in seconds: teach a computer to read handwritten digits from examples.

The examples are scikit-learn's bundled "digits": 1,797 handwritten digits, each scanned into
an 8 × 8 grid of numbers from 0 (paper) to 16 (ink), with the right answer (its label). Three
quarters teach the model (training); the last quarter, which the model never sees while it
learns, tests it. That is supervised learning: learning from labelled examples.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import WorkshopError
from ._plot import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..media.images import ImageSource

__all__ = [
    "KINDS",
    "DigitData",
    "DigitModel",
    "learning_curve",
    "load_digit_data",
    "predict_photo",
    "read_digit_photo",
    "save_digit_photo",
    "show_confusion",
    "show_digits",
    "show_mistakes",
    "show_predictions",
    "train_digit_model",
]

KINDS = {
    "svm": "support-vector machine",
    "neighbours": "nearest neighbours",
    "tree": "decision tree",
}
"""The kinds of model :func:`train_digit_model` can train, with their names in words."""


@dataclass(frozen=True)
class DigitData:
    """Labelled digits, split into examples to learn from and new ones to test with.

    Images are (count, 8, 8) arrays of numbers from 0 (paper) to 16 (ink); labels are 0 to 9.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray

    def __str__(self) -> str:
        return (
            f"{len(self.train_labels):,} labelled digits to learn from and {len(self.test_labels):,} "
            "new ones to test with, each 8 × 8 pixels."
        )

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def load_digit_data(*, test_fraction: float = 0.25, seed: int = 0) -> DigitData:
    """Load scikit-learn's handwritten digits and split them into learning and testing parts.

    Parameters
    ----------
    test_fraction : float
        The part kept aside for testing, between 0.1 and 0.9.
    seed : int
        Which random split; the same seed gives the same split.

    Returns
    -------
    DigitData

    Examples
    --------
    >>> data = load_digit_data()
    >>> data.train_images.shape
    (1347, 8, 8)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not 0.1 <= test_fraction <= 0.9:
        raise WorkshopError(f"test_fraction must be between 0.1 and 0.9, not {test_fraction!r}.")
    digits = load_digits()
    train_x, test_x, train_y, test_y = train_test_split(
        digits.images,
        digits.target,
        test_size=test_fraction,
        random_state=seed,
        stratify=digits.target,
    )
    return DigitData(train_x, train_y, test_x, test_y)


@dataclass(frozen=True)
class DigitModel:
    """A trained digit reader and how well it did on digits it never saw."""

    model: Any  # a fitted scikit-learn classifier
    kind: str
    train_count: int
    accuracy: float
    seconds: float

    def predict(self, images: np.ndarray) -> np.ndarray:
        """The digits the model reads in (count, 8, 8) images (0 = paper, 16 = ink)."""
        images = np.asarray(images, dtype=float)
        if images.shape[-2:] != (8, 8):
            raise WorkshopError(f"Digit images must be 8 × 8 pixels, not {images.shape[-2:]}.")
        return self.model.predict(images.reshape(-1, 64))

    def __str__(self) -> str:
        return (
            f"A {KINDS[self.kind]} learned from {self.train_count:,} examples in {self.seconds:.2f} s. "
            f"On digits it never saw it reads {self.accuracy:.1%} right."
        )

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def _make(kind: str):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    if kind == "svm":
        return SVC(gamma=0.001)
    if kind == "neighbours":
        return KNeighborsClassifier(n_neighbors=3)
    if kind == "tree":
        return DecisionTreeClassifier(random_state=0)
    raise WorkshopError(f"Unknown kind of model {kind!r}. Choose one of: {', '.join(KINDS)}.")


def train_digit_model(
    data: DigitData, *, kind: str = "svm", train_count: int | None = None
) -> DigitModel:
    """Train a model to read digits from the labelled examples, then test it on new ones.

    Parameters
    ----------
    data : DigitData
        From :func:`load_digit_data`.
    kind : {"svm", "neighbours", "tree"}
        The kind of model (see :data:`KINDS`).
    train_count : int, optional
        Learn from only this many examples (at least 10); None uses all of them.

    Returns
    -------
    DigitModel
        With its accuracy on the test digits and the training time.
    """
    available = len(data.train_labels)
    count = available if train_count is None else int(train_count)
    if not 10 <= count <= available:
        raise WorkshopError(f"train_count must be between 10 and {available}, not {train_count!r}.")
    model = _make(kind)
    started = time.perf_counter()
    model.fit(data.train_images[:count].reshape(count, 64), data.train_labels[:count])
    seconds = time.perf_counter() - started
    predicted = model.predict(data.test_images.reshape(-1, 64))
    accuracy = float(np.mean(predicted == data.test_labels))
    return DigitModel(model=model, kind=kind, train_count=count, accuracy=accuracy, seconds=seconds)


def show_digits(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    predictions: np.ndarray | None = None,
    count: int = 24,
    title: str = "",
) -> Figure:
    """Show digits as little pictures, with their labels and (optionally) the model's guesses.

    A guess that differs from the label is written in red.

    Parameters
    ----------
    images : array of shape (n, 8, 8)
    labels : array of n ints, optional
        The right answers.
    predictions : array of n ints, optional
        What a model read.
    count : int
        How many to show (at most 60).
    title : str
        Written above the pictures.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = np.asarray(images)
    count = max(1, min(count, len(images), 60))
    columns = min(12, count)
    rows = -(-count // columns)
    figure = new_figure(
        max(columns * 0.9, 6.0 if title else 0.0), rows * 1.1 + (0.4 if title else 0)
    )
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for index, ax in enumerate(axes):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=16)
        parts = []
        if labels is not None:
            parts.append(f"{labels[index]}")
        if predictions is not None:
            parts.append(f"→ {predictions[index]}")
        wrong = (
            labels is not None and predictions is not None and labels[index] != predictions[index]
        )
        ax.set_title(" ".join(parts), fontsize=10, color="red" if wrong else "black")
    if title:
        figure.suptitle(title)
    return figure


def show_predictions(model: DigitModel, data: DigitData, *, count: int = 24) -> Figure:
    """Show new test digits with the right answer → the model's guess (wrong guesses in red)."""
    images, labels = data.test_images[:count], data.test_labels[:count]
    return show_digits(
        images,
        labels,
        predictions=model.predict(images),
        count=count,
        title="New digits: right answer → what the model read",
    )


def show_mistakes(model: DigitModel, data: DigitData, *, count: int = 12) -> Figure:
    """Show the test digits the model read wrong: right answer → its guess."""
    predicted = model.predict(data.test_images)
    wrong = np.flatnonzero(predicted != data.test_labels)
    if wrong.size == 0:
        figure = new_figure(4, 1)
        figure.text(0.5, 0.5, "No mistakes on the test digits!", ha="center", va="center")
        return figure
    chosen = wrong[:count]
    return show_digits(
        data.test_images[chosen],
        data.test_labels[chosen],
        predictions=predicted[chosen],
        count=len(chosen),
        title=f"{wrong.size} mistakes out of {len(predicted)} new digits: right answer → guess",
    )


def show_confusion(model: DigitModel, data: DigitData) -> Figure:
    """A 10 × 10 table: how often each digit (row) was read as each digit (column)."""
    from sklearn.metrics import confusion_matrix

    table = confusion_matrix(data.test_labels, model.predict(data.test_images), labels=range(10))
    figure = new_figure(5.2, 4.6)
    ax = figure.add_subplot()
    ax.imshow(np.log1p(table), cmap="Blues")
    for (row, column), value in np.ndenumerate(table):
        if value:
            ax.text(
                column,
                row,
                str(value),
                ha="center",
                va="center",
                fontsize=8,
                color="red" if row != column else "black",
            )
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("what the model read")
    ax.set_ylabel("the right answer")
    ax.set_title("Correct answers lie on the diagonal;\nred numbers are mistakes")
    return figure


def learning_curve(
    data: DigitData,
    *,
    counts: Sequence[int | None] = (10, 30, 100, 300, None),
    kind: str = "svm",
) -> Figure:
    """Train on more and more examples and plot how the accuracy grows.

    Parameters
    ----------
    data : DigitData
    counts : sequence of int or None
        Numbers of training examples; None means all of them.
    kind : str
        The kind of model (see :data:`KINDS`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    available = len(data.train_labels)
    sizes = sorted({available if c is None else min(int(c), available) for c in counts})
    scores = [train_digit_model(data, kind=kind, train_count=size).accuracy for size in sizes]
    figure = new_figure(6, 3.6)
    ax = figure.add_subplot()
    ax.plot(sizes, [100 * s for s in scores], marker="o")
    for size, score in zip(sizes, scores, strict=True):
        ax.annotate(
            f"{score:.0%}",
            (size, 100 * score),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=9,
        )
    ax.set_xscale("log")
    ax.set_xticks(sizes, [f"{size:,}" for size in sizes])
    ax.minorticks_off()
    ax.set_xlabel("labelled examples the model learned from")
    ax.set_ylabel("new digits read right (%)")
    ax.set_ylim(0, 105)
    ax.set_title(f"More examples, better model ({KINDS[kind]})")
    ax.grid(alpha=0.3)
    return figure


def read_digit_photo(photo: ImageSource) -> np.ndarray:
    """Turn a photo of one handwritten digit (dark ink on light paper) into an 8 × 8 digit.

    It does what was done to the digits in the data set: find the ink, put it in a square,
    make it 32 × 32 black-or-white pixels, and count the ink in each 4 × 4 block (0 to 16).

    Parameters
    ----------
    photo : path, PIL.Image or numpy array
        A photo or scan of one digit, written large, with nothing else on the paper.

    Returns
    -------
    numpy.ndarray
        Shape (8, 8), values 0 (paper) to 16 (ink).

    Raises
    ------
    WorkshopError
        When no ink can be told apart from the paper.
    """
    from PIL import Image
    from skimage.filters import threshold_otsu

    from ..media.images import load_image

    grey = np.asarray(load_image(photo, max_side=1024).convert("L"), dtype=float) / 255.0
    if grey.max() - grey.min() < 0.15:
        raise WorkshopError(
            "The photo has no dark ink on light paper. Write the digit large with a dark pen."
        )
    ink = grey < threshold_otsu(grey)
    if ink.mean() > 0.5:  # light ink on dark paper: swap
        ink = ~ink
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    ink = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    side = max(ink.shape)
    square = np.zeros((side, side), dtype=bool)
    top, left = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    square[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    small = Image.fromarray(square.astype(np.uint8) * 255).resize((32, 32), Image.Resampling.BOX)
    bits = np.asarray(small) >= 128
    return bits.reshape(8, 4, 8, 4).sum(axis=(1, 3)).astype(float)


def save_digit_photo(image: np.ndarray, path: str | os.PathLike = "sample_digit.png") -> Path:
    """Save an 8 × 8 digit as a large picture of dark ink on light paper, like a photo of it.

    Useful to try :func:`predict_photo` without a camera; the picture is made from the digit,
    it is not a real photo.

    Returns
    -------
    pathlib.Path
    """
    from PIL import Image

    digit = np.asarray(image, dtype=float)
    if digit.shape != (8, 8):
        raise WorkshopError(f"The digit must be an 8 × 8 image, not {digit.shape}.")
    big = np.kron(digit, np.ones((30, 30)))
    paper = np.full((320, 320), 245.0)
    paper[40:280, 40:280] -= big * 215 / 16
    path = Path(path)
    Image.fromarray(paper.astype(np.uint8)).save(path)
    return path


def predict_photo(model: DigitModel, photo: ImageSource) -> Figure:
    """Show a photo of a digit, its 8 × 8 version, and what the model reads in it."""
    from ..media.images import load_image

    digit = read_digit_photo(photo)
    guess = int(model.predict(digit[None])[0])
    figure = new_figure(6, 3)
    left, right = figure.subplots(1, 2)
    left.imshow(load_image(photo, max_side=512))
    left.set_title("your photo")
    right.imshow(digit, cmap="gray_r", vmin=0, vmax=16)
    right.set_title(f"8 × 8 version: the model reads {guess}")
    for ax in (left, right):
        ax.axis("off")
    return figure
