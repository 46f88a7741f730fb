"""Notebook 02's matrix-multiplication race, checked against PyTorch's own benchmark timer.

    python benchmarks/matmul_timing.py [--sizes 256 512 1024 2048]

For each size and device, prints the time per n × n float32 multiplication measured by
workshop_lib.basics.time_matmul (warm-up, synchronise, median) next to
torch.utils.benchmark.Timer.blocked_autorange (which also synchronises CUDA), and the ratio.
A ratio near 1 means the notebook's figures are honest. Without a GPU only the CPU is timed.
"""

import argparse
import platform

import torch
import torch.utils.benchmark as benchmark

from workshop_lib.basics import time_matmul
from workshop_lib.runtime import device_summary


def reference_seconds(size: int, device: torch.device) -> float:
    a = torch.rand(size, size, device=device)
    b = torch.rand(size, size, device=device)
    timer = benchmark.Timer(
        stmt="torch.matmul(a, b)",
        globals={"torch": torch, "a": a, "b": b},
        num_threads=torch.get_num_threads(),  # the Timer would use 1 thread; the notebook uses all
    )
    return timer.blocked_autorange(min_run_time=0.5).median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024, 2048])
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads; {device_summary()}"
    )
    print(f"torch {torch.__version__}")
    print(
        f"{'device':>6} {'size':>6} {'workshop (ms)':>14} {'torch Timer (ms)':>17} {'ratio':>6} {'GFLOP/s':>8}"
    )
    for timing in time_matmul(args.sizes, repeats=5):
        reference = reference_seconds(timing.size, torch.device(timing.device))
        print(
            f"{timing.device:>6} {timing.size:>6} {timing.seconds * 1e3:>14.2f} "
            f"{reference * 1e3:>17.2f} {timing.seconds / reference:>6.2f} {timing.gflops:>8.1f}"
        )


if __name__ == "__main__":
    main()
