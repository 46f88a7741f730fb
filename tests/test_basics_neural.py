"""The small network and the CPU/GPU timing of notebook 02."""

import pytest
import torch

from workshop_lib import WorkshopError
from workshop_lib.basics import (
    MatmulTiming,
    load_digit_data,
    plot_speedup,
    plot_training,
    show_activations,
    show_filters,
    time_matmul,
    timing_table,
    train_network,
)


@pytest.fixture(scope="module")
def data():
    return load_digit_data()


@pytest.fixture(scope="module")
def run(data):
    return train_network(data, epochs=8, device="cpu")


@pytest.mark.slow
def test_the_network_learns_to_read_digits(run):
    assert len(run.history) == 8
    assert run.history[-1].loss < run.history[0].loss / 3
    assert run.accuracy >= 0.93
    assert run.device == "cpu" and 1500 < run.weights < 2500


def test_the_same_seed_gives_the_same_training(data):
    first = train_network(data, epochs=2, seed=3, device="cpu")
    second = train_network(data, epochs=2, seed=3, device="cpu")

    assert first.history == second.history


def test_pictures_of_the_network(run, data):
    curve, filters, activations = (
        plot_training(run),
        show_filters(run),
        show_activations(run, data.test_images[0]),
    )

    assert len(curve.axes[0].lines[0].get_ydata()) == 8
    assert len(filters.axes) == 8
    assert len(activations.axes) == 1 + 8 + 16


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d, r: train_network(d, epochs=0), "epochs"),
        (lambda d, r: train_network(d, learning_rate=5), "learning_rate"),
        (lambda d, r: show_activations(r, d.test_images[:2]), "8 × 8"),
        (lambda d, r: time_matmul([4]), "Sizes"),
    ],
)
def test_bad_input_gets_a_clear_message(data, run, call, message):
    with pytest.raises(WorkshopError, match=message):
        call(data, run)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_gpu_that_is_not_there_is_explained(data):
    with pytest.raises(WorkshopError, match="GPU"):
        train_network(data, epochs=1, device="cuda")


def test_cpu_timing_measures_every_size():
    timings = time_matmul([32, 128], repeats=2, gpu=False)

    assert [(t.size, t.device) for t in timings] == [(32, "cpu"), (128, "cpu")]
    assert all(t.seconds > 0 for t in timings)
    assert timings[1].gflops == pytest.approx(2 * 128**3 / timings[1].seconds / 1e9)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_without_a_gpu_the_table_says_cpu_only():
    timings = time_matmul([32], repeats=1)

    assert {t.device for t in timings} == {"cpu"}
    assert "No GPU here" in timing_table(timings)
    assert "CPU only" in plot_speedup(timings).axes[0].get_title()


def test_speedup_plot_divides_cpu_time_by_gpu_time():
    timings = [MatmulTiming(512, "cpu", 0.040), MatmulTiming(512, "cuda", 0.002)]

    figure = plot_speedup(timings)

    assert [b.get_height() for b in figure.axes[1].patches] == [pytest.approx(20.0)]
    assert "20.0 ×" in timing_table(timings)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_timing_is_synchronised_and_faster_for_big_matrices():
    timings = time_matmul([2048], repeats=3)

    cpu, gpu = timings
    assert gpu.device == "cuda"
    assert gpu.seconds < cpu.seconds
