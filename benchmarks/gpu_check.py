"""One command for a GPU machine: the workshop's models' speed and memory in one table.

    python benchmarks/gpu_check.py               # on a GPU machine (uses the GPU when present)
    python benchmarks/gpu_check.py --tiny        # seconds on a CPU: CI runs this so it keeps working
    python benchmarks/gpu_check.py --device cpu  # the full-size check on the CPU (minutes)

Rows, each through the same code the notebooks use:

- colorization: one network update at 256 x 256 (the SIGGRAPH 2017 network, through
  ``colorize.apply.Runner``), float32 and the fast path (float16 on a CUDA GPU, bfloat16 on CPUs
  that have it); median of several runs;
- separation: Spleeter 4stems on 30 seconds and on 10 minutes of stereo sound (``separate.apply.
  SegmentRunner``, the engine behind ``Separator``), in times real time (seconds of sound per
  second of work);
- speech: the real-time factor (seconds of work per second of sound, below 1 is faster than real
  time) of the Piper voice and of coqui's VITS, through ``Engine.speak``;
- the peak GPU memory of each row (``torch.cuda.max_memory_allocated``).

Speed does not depend on the weights' values, so every row says which weights it ran: Deezer's or
the authors' when they are here, otherwise random weights of the real architecture. A GPU machine
without internet still gives full-size figures. ``--tiny`` shrinks everything (64 x 64 pictures,
Spleeter's small stand-in widths, seconds of sound) and is only a check that the code paths work.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch

SAMPLE_RATE = 44100
TEXT = "Daisy, Daisy, give me your answer do. Welcome to the library machine learning workshop."


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _median_seconds(call: Callable[[], object], device: torch.device, repeats: int) -> float:
    """Median wall time of ``repeats`` calls after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        call()
        _sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measured(device: torch.device, work: Callable[[], tuple[str, str]]) -> tuple[str, str, str]:
    """Run one row's work; return (setting, result, peak GPU memory), or the error in words."""
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    try:
        setting, result = work()
    except Exception as err:  # a benchmark row reports its failure and the table goes on
        setting, result = "", f"failed: {type(err).__name__}: {str(err)[:80]}"
    if device.type == "cuda":
        peak = f"{torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB"
    else:
        peak = "n/a (CPU)"
    return setting, result, peak


# --- the rows ---------------------------------------------------------------------------------


def colorize_rows(device: torch.device, tiny: bool, repeats: int) -> list[tuple]:
    """Colorization network update latency at 256 x 256 (64 x 64 in tiny mode)."""
    from workshop_lib.colorize.apply import Runner
    from workshop_lib.colorize.model import SIGGRAPHGenerator

    size = 64 if tiny else 256
    torch.manual_seed(0)
    inputs = (
        torch.rand(1, 1, size, size) * 100,
        torch.rand(1, 2, size, size) * 40 - 20,
        (torch.rand(1, 1, size, size) > 0.99).float(),
    )
    rows = []
    for fast in (False, True):

        def work(fast=fast):
            runner = Runner(SIGGRAPHGenerator().eval().to(device), device, fast=fast)
            seconds = _median_seconds(lambda: runner(*inputs), device, repeats)
            setting = f"{size} x {size}, {runner.precision}, random weights"
            return setting, f"{1000 * seconds:.1f} ms per update"

        label = "colorization update" + (" (fast path)" if fast else "")
        rows.append((label, str(device), *_measured(device, work)))
    return rows


def _spleeter_net(device: torch.device, tiny: bool):
    """4stems: Deezer's weights when downloaded before, else random weights (tiny: small widths)."""
    from workshop_lib import assets
    from workshop_lib.separate.bundles import bundle_for
    from workshop_lib.separate.model import SpleeterNet
    from workshop_lib.separate.weights import CONFIGS

    config = CONFIGS["4stems"]
    if not tiny and assets.status(["spleeter-4stems"])[0].cached:
        return bundle_for("4stems").load(device), config, "Deezer's weights"
    torch.manual_seed(0)
    net = SpleeterNet(
        config.instruments,
        (2, 2, 4, 4, 8, 8) if tiny else (16, 32, 64, 128, 256, 512),
        conv_activation=config.conv_activation,
        deconv_activation=config.deconv_activation,
        softmax=config.softmax,
    )
    which = "random weights, small widths" if tiny else "random weights, full size"
    return net.eval().to(device), config, which


def separate_rows(device: torch.device, tiny: bool) -> list[tuple]:
    """Spleeter 4stems on 30 s and 10 min of sound (1 s and 3 s in tiny mode), times real time."""
    from workshop_lib.separate.apply import SegmentRunner

    lengths = {"1 s": 1.0, "3 s": 3.0} if tiny else {"30 s": 30.0, "10 min": 600.0}
    rows = []
    for label, seconds in lengths.items():

        def work(seconds=seconds, label=label):
            net, config, which = _spleeter_net(device, tiny)
            runner = SegmentRunner(net, config, device)
            t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
            song = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)])
            song = 0.3 * song + 0.01 * np.random.default_rng(0).standard_normal(song.shape)
            song = song.astype(np.float32)
            list(runner.run([song[:, :SAMPLE_RATE]], SAMPLE_RATE))  # warm-up
            _sync(device)
            start = time.perf_counter()
            for _block in runner.run([song], song.shape[1]):
                pass
            _sync(device)
            elapsed = time.perf_counter() - start
            setting = (
                f"{label} of stereo sound, {runner.batch_segments} segment(s) a batch, {which}"
            )
            return setting, f"{seconds / elapsed:.1f}x real time ({elapsed:.2f} s)"

        rows.append((f"Spleeter 4stems, {label}", str(device), *_measured(device, work)))
    return rows


def _speech_engine(name: str, device: torch.device):
    """The engine when it can speak here, else None (its package or voice is not installed)."""
    from workshop_lib.errors import WorkshopError
    from workshop_lib.speech import get_engine

    try:
        engine = get_engine(name, device=device)
    except WorkshopError:
        return None
    return engine if engine.is_available() else None


def speech_rows(device: torch.device, repeats: int) -> list[tuple]:
    """Real-time factor of Piper and of coqui's VITS."""
    rows = []
    for name, label in (("piper", "Piper voice"), ("vits", "coqui VITS")):
        engine = _speech_engine(name, device)
        if engine is None:
            rows.append((f"speech RTF, {label}", str(device), "", "not installed", ""))
            continue

        def work(engine=engine):
            samples, rate = engine.speak(TEXT)
            seconds = _median_seconds(lambda: engine.speak(TEXT), device, repeats)
            sound = samples.size / rate
            where = getattr(engine, "device", "cpu")
            return f"{sound:.1f} s of speech on {where}", f"RTF {seconds / sound:.3f}"

        rows.append((f"speech RTF, {label}", str(device), *_measured(device, work)))
    return rows


# --- the table --------------------------------------------------------------------------------


def table(rows: list[tuple]) -> str:
    """The rows as one Markdown table."""
    header = ("check", "device", "setting", "result", "peak GPU memory")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="small CPU check, for CI")
    parser.add_argument("--device", default=None, help="cpu, cuda, ...; default: the best here")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    from workshop_lib.runtime import pick_device

    device = pick_device("cpu" if args.tiny and args.device is None else args.device)
    repeats = args.repeats or (2 if args.tiny else 10)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"torch {torch.__version__}, {name}, {torch.get_num_threads()} CPU threads")
    rows = colorize_rows(device, args.tiny, repeats)
    rows += separate_rows(device, args.tiny)
    rows += speech_rows(device, repeats if not args.tiny else 1)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
