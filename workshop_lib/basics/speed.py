"""Why GPUs: time the same matrix multiplication on the CPU and, when there is one, on the GPU.

Deep learning is mostly multiplying big tables of numbers (matrices). Multiplying two n × n
matrices takes 2·n³ additions and multiplications, so doubling n means 8 times the work. A GPU
does thousands of them at once. Timing a GPU needs care: it works in the background, so the
clock is read only after ``torch.cuda.synchronize()`` says it has finished, and the first
multiplication (which also starts the GPU's libraries) is a warm-up that is not timed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import torch

from .. import runtime
from ..errors import WorkshopError
from ._plot import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MatmulTiming", "plot_speedup", "time_matmul", "timing_table"]


@dataclass(frozen=True)
class MatmulTiming:
    """How long one n × n matrix multiplication took on one device (the median of several runs)."""

    size: int
    device: str
    seconds: float

    @property
    def gflops(self) -> float:
        """Billions of arithmetic operations per second (2·n³ per multiplication)."""
        return 2 * self.size**3 / self.seconds / 1e9


def _synchronise(device: torch.device) -> None:
    """Wait until the device has finished all the work it was given."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def _time_one(size: int, device: torch.device, repeats: int) -> MatmulTiming:
    generator = torch.Generator().manual_seed(size)
    a = torch.rand(size, size, generator=generator).to(device)
    b = torch.rand(size, size, generator=generator).to(device)
    torch.matmul(a, b)  # warm-up: starts the libraries, fills caches; not timed
    _synchronise(device)
    rounds = 1  # short sums are timed many in a row, so that each measurement lasts >= 20 ms
    while _block(a, b, device, rounds) < 0.02 and rounds < 1024:
        rounds *= 2
    times = [_block(a, b, device, rounds) / rounds for _ in range(repeats)]
    return MatmulTiming(size=size, device=device.type, seconds=statistics.median(times))


def _block(a: torch.Tensor, b: torch.Tensor, device: torch.device, rounds: int) -> float:
    """Seconds for ``rounds`` multiplications in a row, from start to truly finished."""
    _synchronise(device)
    started = time.perf_counter()
    for _ in range(rounds):
        torch.matmul(a, b)
    _synchronise(device)  # the GPU only queued the work: wait for it to finish
    return time.perf_counter() - started


def time_matmul(
    sizes: Sequence[int] = (256, 512, 1024, 2048), *, repeats: int = 3, gpu: bool = True
) -> list[MatmulTiming]:
    """Multiply random n × n matrices (32-bit floats) on the CPU and on the GPU, and time it.

    Each size is first run once untimed (warm-up), then ``repeats`` times; the median counts.
    Small sizes are multiplied many times in a row per measurement, so the clock can see them.
    The GPU is used when :func:`workshop_lib.runtime.pick_device` finds one (CUDA or Apple MPS);
    without one only the CPU is timed.

    Parameters
    ----------
    sizes : sequence of int
        Matrix sizes n (16 to 8192).
    repeats : int
        Timed runs per size and device (1 to 20).
    gpu : bool
        Also time the GPU, when there is one.

    Returns
    -------
    list of MatmulTiming
        CPU timings first, then GPU timings.
    """
    sizes = [int(s) for s in sizes]
    if not sizes or any(not 16 <= s <= 8192 for s in sizes):
        raise WorkshopError(f"Sizes must be between 16 and 8192, not {sizes}.")
    if not 1 <= repeats <= 20:
        raise WorkshopError(f"repeats must be from 1 to 20, not {repeats}.")
    devices = [torch.device("cpu")]
    if gpu:
        chosen = runtime.pick_device()
        if chosen.type != "cpu":
            devices.append(chosen)
    return [_time_one(size, device, repeats) for device in devices for size in sizes]


def timing_table(timings: list[MatmulTiming]) -> str:
    """The timings as a small text table, with the GPU's speed-up where there is one."""
    cpu = {t.size: t for t in timings if t.device == "cpu"}
    gpu = {t.size: t for t in timings if t.device != "cpu"}
    lines = [
        "    size |  CPU time | CPU GFLOP/s"
        + ("|  GPU time | GPU GFLOP/s | GPU faster by" if gpu else "")
    ]
    for size, c in sorted(cpu.items()):
        line = f"{size:>8} | {c.seconds * 1000:>6.1f} ms | {c.gflops:>11.1f}"
        if size in gpu:
            g = gpu[size]
            line += f"| {g.seconds * 1000:>6.2f} ms | {g.gflops:>11.1f} | {c.seconds / g.seconds:>10.1f} ×"
        lines.append(line)
    if not gpu:
        lines.append("No GPU here, so only the CPU was timed. " + runtime.gpu_help())
    return "\n".join(lines)


def plot_speedup(timings: list[MatmulTiming]) -> Figure:
    """Plot time against matrix size for each device and, with a GPU, how many times faster it is."""
    from matplotlib.ticker import FuncFormatter

    cpu = sorted((t for t in timings if t.device == "cpu"), key=lambda t: t.size)
    gpu = sorted((t for t in timings if t.device != "cpu"), key=lambda t: t.size)
    figure = new_figure(10 if gpu else 6, 3.8)
    axes = cast("Any", figure.subplots(1, 2 if gpu else 1))  # an array of 2, or one Axes
    time_ax = axes[0] if gpu else axes
    time_ax.plot([t.size for t in cpu], [t.seconds * 1000 for t in cpu], marker="o", label="CPU")
    if gpu:
        time_ax.plot(
            [t.size for t in gpu],
            [t.seconds * 1000 for t in gpu],
            marker="s",
            label=f"GPU ({gpu[0].device})",
        )
    time_ax.set_xscale("log", base=2)
    time_ax.set_yscale("log")
    sizes = sorted({t.size for t in timings})
    time_ax.set_xticks(sizes, [str(size) for size in sizes])
    time_ax.minorticks_off()
    time_ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    time_ax.set_xlabel("matrix size n (n × n)")
    time_ax.set_ylabel("milliseconds per multiplication")
    time_ax.set_title("Time for one multiplication" + ("" if gpu else "\n(no GPU here: CPU only)"))
    time_ax.legend()
    time_ax.grid(alpha=0.3)
    if gpu:
        by_size = {t.size: t for t in cpu}
        sizes = [t.size for t in gpu if t.size in by_size]
        speedups = [by_size[t.size].seconds / t.seconds for t in gpu if t.size in by_size]
        axes[1].bar([str(s) for s in sizes], speedups, color="tab:green")
        for x, value in enumerate(speedups):
            axes[1].annotate(f"{value:.0f}×", (x, value), ha="center", va="bottom")
        axes[1].set_xlabel("matrix size n")
        axes[1].set_ylabel("times faster on the GPU")
        axes[1].set_title("GPU speed-up")
    return figure
