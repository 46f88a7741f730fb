"""Source separation speed and memory: our PyTorch Spleeter against the real spleeter 2.4.2, one run.

    .venv/bin/python benchmarks/separate_speed.py            # everything (about 6 minutes)
    .venv/bin/python benchmarks/separate_speed.py --quick    # 30-second inputs only

Both engines separate the same stereo inputs (30 seconds and 10 minutes, tones and noise) with
the same full-size model files: Deezer's architecture (conv widths 16 to 512) with random
weights, built by spleeter's own graph code in the release file layout (speed and memory do not
depend on the weights' values, and 4stems has no real weights without a download).
spleeter runs in its own Python 3.11 environment, ``.venv-spleeter`` (see
tools/make_spleeter_fixtures.py for how to create it), in a subprocess; so does every measured
case of ours, so that each peak memory figure (``ru_maxrss``) belongs to that case alone.
"Warm" means the model is loaded and one short separation has run in the same process before
the timed call (spleeter rebuilds its TensorFlow graph on every call; that is part of its time).

Also printed: the network's arithmetic per second of audio, the measured fp32 matrix-multiply
speed of this CPU and the real-time factor that would allow (the "FLOP limit"), and the
bfloat16 autocast experiment (speed, and how close its stems stay to the exact ones, in dB).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SPLEETER_PYTHON = ROOT / ".venv-spleeter" / "bin" / "python"
SAMPLE_RATE = 44100
FULL_FILTERS = [16, 32, 64, 128, 256, 512]
MODELS = ("2stems", "4stems")
CORES = os.cpu_count() or 1


def _signal(seconds: float, seed: int = 0) -> np.ndarray:
    """A stereo test input, float32 (samples, 2): a few tones, a chirp and noise."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    rng = np.random.default_rng(seed)
    left = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * (100 + 40 * t) * t)
    right = 0.2 * np.sin(2 * np.pi * 330 * t) + 0.1 * np.sin(2 * np.pi * 3300 * t)
    noise = 0.03 * rng.standard_normal((t.size, 2))
    return (np.stack([left, right], axis=1) + noise).astype(np.float32)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# --- workers (each runs in its own process) ---------------------------------------------------


def _fixture_tool():
    spec = importlib.util.spec_from_file_location(
        "fixture_tool", ROOT / "tools" / "make_spleeter_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker_build(model: str, folder: str) -> dict:
    """(spleeter environment) Build a full-size random-weight model in the release layout."""
    tool = _fixture_tool()
    tool.make_model(model, Path(folder), _signal(1.0), seed=7, filters=FULL_FILTERS)
    return {"bytes": sum(p.stat().st_size for p in Path(folder).iterdir())}


def _timed(call, repeats: int) -> dict:
    """Best wall-clock time of ``repeats`` calls, and the process CPU time of that call."""
    best = None
    for _ in range(repeats):
        cpu, start = time.process_time(), time.perf_counter()
        call()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu)
    return {"seconds": best[0], "cpu_seconds": best[1], "repeats": repeats}


def worker_spleeter(model: str, folder: str, audio: str, repeats: str) -> dict:
    """(spleeter environment) Time spleeter's Separator.separate on a warm process."""
    tool = _fixture_tool()
    waveform = np.load(audio)
    scratch = Path(folder).parent
    separator = tool.spleeter_separator(model, Path(folder), {}, scratch, filters=FULL_FILTERS)
    separator.separate(_signal(5.0))  # warm-up: TensorFlow starts, graph built once

    def call():
        result = separator.separate(waveform)
        assert all(v.shape == waveform.shape for v in result.values())

    return {**_timed(call, int(repeats)), "peak_mb": _peak_mb()}


def worker_ours(model: str, folder: str, audio: str, mode: str, repeats: str) -> dict:
    """(project environment) Time our Separator: in memory from an array, or file to files."""
    from workshop_lib.separate import Separator

    separator = Separator(model, model_folder=folder, device="cpu")
    separator.separate(_signal(5.0).T, SAMPLE_RATE, progress=False)  # warm-up
    if mode == "file":

        def call():
            outputs = separator.separate_file(audio, Path(audio).parent / "stems", progress=False)
            assert all(path.is_file() for path in outputs.values())

    else:
        waveform = np.ascontiguousarray(np.load(audio).T)  # (2, samples), as a learner holds it

        def call():
            parts = separator.separate(waveform, SAMPLE_RATE, progress=False)
            assert parts.seconds > 0

    return {**_timed(call, int(repeats)), "peak_mb": _peak_mb()}


def worker_bfloat16(model: str, folder: str, audio: str) -> dict:
    """(project environment) The bfloat16 autocast experiment: speed and dB from the exact path."""
    import torch

    from workshop_lib.separate.apply import SegmentRunner
    from workshop_lib.separate.weights import CONFIGS, load_model

    config = CONFIGS[model]
    net = load_model(folder, config).to(memory_format=torch.channels_last)
    waveform = np.load(audio).T
    result = {}
    stems = {}
    for precision in ("float32", "bfloat16"):
        runner = SegmentRunner(net, config, "cpu", precision=precision)
        list(runner.run([waveform[:, : 5 * SAMPLE_RATE]], 5 * SAMPLE_RATE))
        start = time.perf_counter()
        stems[precision] = np.concatenate(list(runner.run([waveform], waveform.shape[1])), axis=2)
        result[precision] = time.perf_counter() - start
    exact, fast = stems["float32"], stems["bfloat16"]
    result["db"] = [
        float(10 * np.log10(np.sum(exact[i] ** 2) / max(np.sum((exact[i] - fast[i]) ** 2), 1e-30)))
        for i in range(exact.shape[0])
    ]
    return result


def worker_matmul() -> dict:
    """(project environment) fp32 matrix-multiply speed of this CPU with torch, in GFLOP/s."""
    import torch

    a, b = torch.randn(4096, 4096), torch.randn(4096, 4096)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return {"gflops": 2 * 4096**3 / best / 1e9, "threads": torch.get_num_threads()}


WORKERS = {
    "build": worker_build,
    "spleeter": worker_spleeter,
    "ours": worker_ours,
    "bfloat16": worker_bfloat16,
    "matmul": worker_matmul,
}


# --- the driver -------------------------------------------------------------------------------


def _busy_seconds() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy, and wall seconds, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / tick, time.monotonic()


def _others_share(seconds: float = 2.0) -> float:
    """Share of the CPUs (0 to 1) that other programs use right now."""
    busy, start = _busy_seconds()
    time.sleep(seconds)
    busy2, end = _busy_seconds()
    return (busy2 - busy) / ((end - start) * CORES)


def _wait_until_quiet(limit_seconds: float = 600) -> float:
    """Wait (up to a limit) until other programs use under 10 % of the CPUs; return their share."""
    deadline = time.monotonic() + limit_seconds
    share = _others_share()
    while share > 0.10 and time.monotonic() < deadline:
        time.sleep(10)
        share = _others_share()
    return share


def _run(python: Path, *args: str, measure: bool = False) -> dict:
    """Run a worker in its own process; with ``measure``, wait for a quiet machine first and
    record how much of the CPUs other programs took while it ran."""
    command = [str(python), str(Path(__file__).resolve()), "--worker", *args]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    before = _wait_until_quiet() if measure else None
    busy, start = _busy_seconds()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    busy2, end = _busy_seconds()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if measure:
        report["others_before"] = before
        report["others_during"] = max(0.0, (busy2 - busy - ours) / ((end - start) * CORES))
    return report


def unet_gflop_per_second_of_audio(stems: int, bins: int = 1024) -> float:
    """Multiply-adds x 2 of the U-Nets for one second of audio (one 512-frame segment = 11.89 s)."""
    f = FULL_FILTERS
    frames, total = 512, 0.0
    height, width, channels = frames, bins, 2
    for out in f:  # encoder: 5x5 stride-2 convolutions
        height, width = height // 2, width // 2
        total += height * width * out * channels * 25 * 2
        channels = out
    ins = [f[5], *(2 * c for c in f[-2::-1])]
    outs = [*f[-2::-1], 1]
    for cin, cout in zip(ins, outs, strict=True):  # decoder: 5x5 stride-2 transposed
        total += height * width * cin * cout * 25 * 2
        height, width = height * 2, width * 2
    total += frames * bins * 1 * 2 * 16 * 2  # final 4x4 dilated convolution
    return stems * total / (frames * 1024 / SAMPLE_RATE) / 1e9


def _prepare(work: Path, inputs: dict[str, float]) -> None:
    """Write the test inputs (.npy and .wav) and build the full-size random models, once."""
    import soundfile

    for seconds in inputs.values():
        path = work / f"input_{int(seconds)}.npy"
        if not path.exists():
            signal = _signal(seconds)
            np.save(path, signal)
            soundfile.write(work / f"input_{int(seconds)}.wav", signal, SAMPLE_RATE)
    for model in MODELS:
        folder = work / f"{model}_full"
        if not (folder / "model.index").exists():
            built = _run(SPLEETER_PYTHON, "build", model, str(folder))
            print(f"built random full-size {model}: {built}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="30-second inputs only")
    parser.add_argument("--work", default=str(ROOT / "artifacts" / "separate_bench"))
    args = parser.parse_args(argv)
    if args.worker:
        name, *rest = args.worker
        print(json.dumps(WORKERS[name](*rest)))
        return 0

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if not SPLEETER_PYTHON.exists():
        print(f"{SPLEETER_PYTHON} is missing: create it as tools/make_spleeter_fixtures.py says.")
        return 1
    load = os.getloadavg()
    print(f"Load average before the run: {load[0]:.2f} (2 cores; other work slows both engines)")
    inputs = {"30 s": 30.0} if args.quick else {"30 s": 30.0, "10 min": 600.0}
    _prepare(work, inputs)

    matmul = _run(Path(sys.executable), "matmul", measure=True)
    rows = []
    for model in MODELS:
        folder = str(work / f"{model}_full")
        stems = int(model[0])
        limit = matmul.get("gflops", float("nan")) / unet_gflop_per_second_of_audio(stems)
        for label, seconds in inputs.items():
            array = str(work / f"input_{int(seconds)}.npy")
            repeats = "3" if seconds < 60 else "1"
            python = Path(sys.executable)
            theirs = _run(SPLEETER_PYTHON, "spleeter", model, folder, array, repeats, measure=True)
            ours = _run(python, "ours", model, folder, array, "memory", repeats, measure=True)
            row = {"model": model, "input": label, "seconds": seconds, "limit": limit}
            row |= {"spleeter": theirs, "ours": ours}
            if seconds >= 600:
                wav = str(work / f"input_{int(seconds)}.wav")
                row["ours_file"] = _run(
                    python, "ours", model, folder, wav, "file", "1", measure=True
                )
            rows.append(row)
            _print_row(row)
    bf16 = _run(
        Path(sys.executable),
        "bfloat16",
        "4stems",
        str(work / "4stems_full"),
        str(work / "input_30.npy"),
        measure=True,
    )
    print()
    print(
        f"CPU: fp32 matrix multiply {matmul.get('gflops', 0):.0f} GFLOP/s "
        f"({matmul.get('threads')} threads); U-Nets need "
        f"{unet_gflop_per_second_of_audio(2):.2f} (2stems) and "
        f"{unet_gflop_per_second_of_audio(4):.2f} (4stems) GFLOP per second of audio."
    )
    if "error" not in bf16:
        db = ", ".join(f"{d:.1f}" for d in bf16["db"])
        print(
            f"bfloat16 autocast, 4stems, 30 s: {bf16['bfloat16']:.2f} s vs float32 "
            f"{bf16['float32']:.2f} s; stems within {db} dB of the exact ones (random weights)"
        )
    else:
        print(f"bfloat16 experiment failed: {bf16['error']}")
    print(f"Load average after the run: {os.getloadavg()[0]:.2f}")
    (work / "results.json").write_text(
        json.dumps({"rows": rows, "matmul": matmul, "bf16": bf16}, indent=1)
    )
    return 0


def _print_row(row: dict) -> None:
    theirs, ours = row["spleeter"], row["ours"]

    def speed(result):
        if "error" in result:
            return f"failed ({result['error'][:60]})"
        return (
            f"{result['seconds']:6.2f} s ({row['seconds'] / result['seconds']:5.1f}x real time, "
            f"CPU {result['cpu_seconds']:.1f} s, peak {result['peak_mb'] / 1024:.2f} GB, "
            f"others {100 * result['others_during']:.0f} %)"
        )

    ratio = ""
    if "error" not in theirs and "error" not in ours:
        ratio = f"  -> ours {theirs['seconds'] / ours['seconds']:.1f}x faster"
    print(
        f"{row['model']} {row['input']:>6}: spleeter {speed(theirs)} | ours {speed(ours)}{ratio}"
        f" | FLOP limit {row['limit']:.0f}x real time"
    )
    if "ours_file" in row:
        print(f"{'':>15} ours, file to files (streaming): {speed(row['ours_file'])}")


if __name__ == "__main__":
    sys.exit(main())
