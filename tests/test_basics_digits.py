"""The digit reader of notebook 01: data, training, pictures, and photos of handwritten digits."""

import numpy as np
import pytest

from workshop_lib import WorkshopError
from workshop_lib.basics import (
    learning_curve,
    load_digit_data,
    nested_circles,
    read_digit_photo,
    show_digits,
    show_mistakes,
    train_digit_model,
)


@pytest.fixture(scope="module")
def data():
    return load_digit_data()


def test_data_is_split_into_learning_and_testing_parts(data):
    assert data.train_images.shape == (1347, 8, 8)
    assert data.test_images.shape == (450, 8, 8)
    assert set(np.unique(data.test_labels)) == set(range(10))
    assert data.train_images.max() == 16


@pytest.mark.parametrize(("kind", "least"), [("svm", 0.97), ("neighbours", 0.95), ("tree", 0.75)])
def test_models_read_new_digits(data, kind, least):
    model = train_digit_model(data, kind=kind)

    assert model.accuracy >= least
    assert f"{model.accuracy:.1%}" in str(model)


def test_fewer_examples_make_a_worse_model(data):
    few = train_digit_model(data, train_count=20)
    many = train_digit_model(data)

    assert few.accuracy < many.accuracy - 0.15


def test_learning_curve_rises_with_more_examples(data):
    figure = learning_curve(data, counts=(10, 100, None))

    accuracies = figure.axes[0].lines[0].get_ydata()
    assert list(accuracies) == sorted(accuracies)
    assert accuracies[-1] > 95


def test_mistakes_picture_counts_the_real_mistakes(data):
    model = train_digit_model(data)
    mistakes = int(np.sum(model.predict(data.test_images) != data.test_labels))

    figure = show_mistakes(model, data)

    assert figure.texts[0].get_text().startswith(f"{mistakes} mistakes out of 450")


def test_wrong_guesses_are_written_in_red(data):
    labels = np.array([1, 2, 3])

    figure = show_digits(data.test_images[:3], labels, predictions=np.array([1, 7, 3]))

    colours = [ax.title.get_color() for ax in figure.axes[:3]]
    assert colours == ["black", "red", "black"]


def _photo_of(digit, *, light_ink=False, seed=0):
    """A 'photo' of an 8 x 8 digit: enlarged, dark ink on light paper, off centre, with noise."""
    big = np.kron(digit, np.ones((25, 25)))
    paper = np.full((320, 300), 240.0)
    paper[60:260, 70:270] -= big * 200 / 16
    paper += np.random.default_rng(seed).normal(0, 6, paper.shape)
    if light_ink:
        paper = 255 - paper
    return np.clip(paper, 0, 255).astype(np.uint8)


def test_photos_of_digits_are_read(data):
    model = train_digit_model(data)
    chosen = range(60)

    read = [
        model.predict(read_digit_photo(_photo_of(data.test_images[i], seed=i))[None])[0]
        for i in chosen
    ]

    right = np.mean(np.array(read) == data.test_labels[list(chosen)])
    assert right >= 0.85


def test_light_ink_on_dark_paper_gives_the_same_digit(data):
    digit = data.test_images[5]

    dark, light = (
        read_digit_photo(_photo_of(digit)),
        read_digit_photo(_photo_of(digit, light_ink=True)),
    )

    assert np.abs(dark - light).max() <= 2


def test_a_blank_photo_is_refused():
    with pytest.raises(WorkshopError, match="no dark ink"):
        read_digit_photo(np.full((100, 100), 200, dtype=np.uint8))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: train_digit_model(d, kind="magic"), "Unknown kind"),
        (lambda d: train_digit_model(d, train_count=3), "train_count"),
        (lambda d: train_digit_model(d).predict(np.zeros((2, 4, 4))), "8 × 8"),
        (lambda d: load_digit_data(test_fraction=0.99), "test_fraction"),
        (lambda d: nested_circles(highlight="robots"), "highlight"),
    ],
)
def test_bad_input_gets_a_clear_message(data, call, message):
    with pytest.raises(WorkshopError, match=message):
        call(data)


def test_nested_circles_draws_three_circles_one_inside_the_other():
    figure = nested_circles(highlight="dl")

    circles = figure.axes[0].patches
    assert len(circles) == 3
    radii = [c.radius for c in circles]
    assert radii == sorted(radii, reverse=True)
    assert circles[2].get_linewidth() > circles[0].get_linewidth()
