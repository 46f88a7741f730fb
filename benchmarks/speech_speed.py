"""Speech synthesis speed: real-time factor and time to first audio per engine, and our wrapper's overhead.

    python benchmarks/speech_speed.py            classic engines + neural (tiny and full-size VITS)
    python benchmarks/speech_speed.py --quick    skip the full-size VITS (145 MB, built here)
    python benchmarks/speech_speed.py --real     also the downloaded models (needs the internet once)
    python benchmarks/speech_speed.py --piper    only Piper's real joe voice (quick)

Real-time factor (RTF) = seconds spent making the sound / seconds of sound; below 1 is faster
than real time. Time to first audio = seconds until the first sentence can play.

For the neural path, the same loaded coqui-tts model speaks the same text two ways, interleaved:
"coqui-tts direct" is ``np.asarray(tts.tts(text))`` (coqui splits sentences itself), "workshop"
is ``engine.speak(text)`` (our text checks, our sentence split, one ``tts.tts`` call per
sentence, clipping, joining). The overhead columns compare medians of (workshop - direct) / direct:
first the process's CPU time (steady when other programs share the machine), then wall time.

Piper's row is a real voice (en_US-joe-medium from its Python package) on ONNX Runtime's CPU
build, so its real-time factor is the real one, offline too.

Without the internet the coqui figures come from random-weight models: the tiny offline
stand-ins, and a VITS with LJSpeech VITS's full size (36 M parameters) built here, which does
the same arithmetic as the real model per second of sound. GPU rows appear when CUDA is there.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TEXT = "Daisy, Daisy, give me your answer do. Welcome to the library machine learning workshop."


def _median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _first_audio(engine) -> float:
    started = time.perf_counter()
    next(iter(engine.speak_sentences(TEXT)))
    return time.perf_counter() - started


def classic_rows(repeats: int) -> list[tuple]:
    from workshop_lib.speech.registry import available_engines

    rows = []
    for engine in available_engines("classic"):
        samples, rate = engine.speak(TEXT)  # warm the disk cache
        seconds = _median_time(lambda e=engine: e.speak(TEXT), repeats)
        first = statistics.median(_first_audio(engine) for _ in range(repeats))
        rows.append(
            (engine.name, samples.size / rate, seconds, seconds / (samples.size / rate), first)
        )
    return rows


def piper_rows(repeats: int) -> list[tuple]:
    """Piper's real joe voice: load time, real-time factor and time to first audio (median)."""
    from workshop_lib.speech.piper import PiperEngine

    engine = PiperEngine(device="cpu")
    if not engine.is_available():
        print(f"Piper: not here. {engine.problem()}")
        return []
    engine.load()
    load = engine.load_seconds
    samples, rate = engine.speak(TEXT)  # warm-up
    runs, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        samples, rate = engine.speak(TEXT)
        sound = samples.size / rate
        runs.append((time.perf_counter() - started) / sound)
        cpu.append((time.process_time() - started_cpu) / sound)
    first = statistics.median(_first_audio(engine) for _ in range(repeats))
    name = f"piper {engine.default_voice}"
    return [(name, load, sound, statistics.median(runs), statistics.median(cpu), first)]


def print_piper(repeats: int) -> None:
    import onnxruntime

    print(
        f"\nPiper, a real VITS voice on ONNX Runtime {onnxruntime.__version__} (CPU build, "
        f"{os.cpu_count()} CPU threads), median of {repeats} runs"
    )
    print(
        "(RTF is wall time per second of sound; CPU s/s is the CPU time of all its threads per "
        "second of sound, steadier when other programs share the machine.)"
    )
    load_now = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine load (1-minute average) before the runs: {load_now:.1f}")
    print(
        f"{'engine':28} {'load s':>6} {'sound s':>8} {'RTF':>7} {'CPU s/s':>8} {'first audio s':>14}"
    )
    for name, load, sound, rtf, cpu, first in piper_rows(repeats):
        print(f"{name:28} {load:6.2f} {sound:8.2f} {rtf:7.3f} {cpu:8.3f} {first:14.3f}")


def build_full_size_vits(folder: Path) -> Path:
    """A VITS with the default (LJSpeech VITS) sizes and random weights, in coqui's layout."""
    import torch
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    torch.manual_seed(0)
    config = VitsConfig(
        model_args=VitsArgs(init_discriminator=False),
        use_phonemes=True,
        phonemizer="espeak",
        phoneme_language="en-us",
        text_cleaner="phoneme_cleaners",
    )
    model = Vits(config)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return folder


def neural_rows(engines: dict, repeats: int) -> list[tuple]:
    import torch

    rows = []
    for label, engine in engines.items():
        tts = engine.load()
        engine.speak(TEXT)  # warm-up: first call pays for lazy set-up
        np.asarray(tts.tts(TEXT), dtype=np.float32)
        runs = repeats if "full-size" in label or "downloaded" in label else 4 * repeats
        wall = {"direct": [], "ours": []}
        cpu = {"direct": [], "ours": []}
        for run in range(runs):  # interleaved, so both see the same machine load
            for way in ("direct", "ours"):
                torch.manual_seed(run)  # the same random draws: the same durations, the same work
                started, started_cpu = time.perf_counter(), time.process_time()
                if way == "direct":
                    np.asarray(tts.tts(TEXT), dtype=np.float32)
                else:
                    ours, rate = engine.speak(TEXT)
                wall[way].append(time.perf_counter() - started)
                cpu[way].append(time.process_time() - started_cpu)
        median = {
            key: {way: statistics.median(v) for way, v in d.items()}
            for key, d in (("wall", wall), ("cpu", cpu))
        }
        first = statistics.median(_first_audio(engine) for _ in range(repeats))
        speech_seconds = ours.size / rate  # ours has no coqui padding after the last sentence
        rows.append(
            (
                label,
                str(engine.device),
                engine.load_seconds,
                speech_seconds,
                median["wall"]["direct"] / speech_seconds,
                median["wall"]["ours"] / speech_seconds,
                first,
                median["cpu"]["direct"],
                median["cpu"]["ours"],
                100 * (median["cpu"]["ours"] - median["cpu"]["direct"]) / median["cpu"]["direct"],
                100
                * (median["wall"]["ours"] - median["wall"]["direct"])
                / median["wall"]["direct"],
            )
        )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the full-size random VITS")
    parser.add_argument("--real", action="store_true", help="also time the downloaded models")
    parser.add_argument("--piper", action="store_true", help="only Piper's real voice")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    from workshop_lib.speech.coqui import CoquiEngine

    if args.piper:
        print_piper(args.repeats)
        return 0

    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU threads, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), Python {sys.version.split()[0]}"
    )
    print(f'Text ({len(TEXT)} characters, 2 sentences): "{TEXT}"\n')

    print("Classic engines on the CPU (median of", args.repeats, "runs)")
    print(f"{'engine':14} {'sound s':>8} {'make s':>8} {'RTF':>7} {'first audio s':>14}")
    for name, sound, seconds, rtf, first in classic_rows(args.repeats):
        print(f"{name:14} {sound:8.2f} {seconds:8.3f} {rtf:7.3f} {first:14.3f}")

    print_piper(args.repeats)

    os.environ["WORKSHOP_OFFLINE"] = "1"
    scratch = tempfile.TemporaryDirectory(prefix="speech-bench-")
    os.environ.setdefault("WORKSHOP_CACHE", str(Path(scratch.name) / "cache"))
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    engines = {}
    for device in devices:
        engines[f"tiny VITS, phonemes ({device})"] = CoquiEngine("vits", device=device)
        engines[f"tiny VITS, letters ({device})"] = CoquiEngine("tacotron2", device=device)
        if not args.quick:
            folder = Path(scratch.name) / "vits-full-size"
            if not folder.is_dir():
                build_full_size_vits(folder)
            engines[f"full-size VITS, random ({device})"] = CoquiEngine(
                "vits", device=device, folder=folder
            )
    for engine in engines.values():
        engine.load()  # now, while the offline switch is on
    if args.real:
        os.environ["WORKSHOP_OFFLINE"] = "0"
        for name in ("vits", "tacotron2"):
            for device in devices:
                engines[f"{name}, downloaded ({device})"] = CoquiEngine(name, device=device)
                engines[f"{name}, downloaded ({device})"].load()

    print(
        "\nNeural voices through coqui-tts: direct vs workshop wrapper (median of interleaved runs: "
        f"{args.repeats} for full-size models, {4 * args.repeats} for tiny ones)"
    )
    print(
        f"{'model':32} {'device':6} {'load s':>6} {'sound s':>7} {'RTF direct':>10} {'RTF ours':>8} "
        f"{'1st audio s':>11} {'CPU direct s':>12} {'CPU ours s':>10} {'overhead CPU':>12} {'wall':>7}"
    )
    for row in neural_rows(engines, args.repeats):
        (
            label,
            device,
            load,
            sound,
            rtf_direct,
            rtf_ours,
            first,
            cpu_direct,
            cpu_ours,
            cpu_pct,
            wall_pct,
        ) = row
        print(
            f"{label:32} {device:6} {load:6.2f} {sound:7.2f} {rtf_direct:10.3f} {rtf_ours:8.3f} "
            f"{first:11.3f} {cpu_direct:12.3f} {cpu_ours:10.3f} {cpu_pct:+11.1f}% {wall_pct:+6.1f}%"
        )
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
