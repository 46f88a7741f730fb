"""Load on the web app: many visitors at once, with the per-visitor limits on.

The real app (``workshop_lib.app``, offline models) runs in this process on 127.0.0.1; the
visitors run in a second process, each its own ``gradio_client`` (its own session), for a fixed
time, mixing photos (640 x 480 JPEG), texts (two sentences) and songs (a 10-second WAV clip of the
sample song, 1.7 MB). One visitor in ten is impatient and sends five requests at once, which the
per-visitor limit must refuse in part. Byte-identical uploads from different visitors are the
rule here, as in a workshop room.

It reports requests completed and refused, the queue wait (from sending a request to the model
starting on it; median and 95th percentile), the app's peak memory (RSS) and the most files in
its folder, and errors; and it checks that nothing is lost (every request gets its result or a
plain refusal), that no upload stays on the server, and that no file is left after ``close()``.

Run it from the workshop folder::

    WORKSHOP_OFFLINE=1 python benchmarks/app_load.py --visitors 100 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MIX = (("photo", 0.6), ("text", 0.3), ("song", 0.1))
IMPATIENT_EVERY = 10  # one visitor in ten sends a burst
BURST = 5
PLAIN = ("up to", "busy", "Try again", "Upload", "characters", "minutes", "MB")


@dataclass
class Figures:
    """What one run measured (see the module's docstring)."""

    visitors: int
    seconds: float
    sent: int = 0
    completed: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    peak_files: int = 0
    most_per_visitor: int = 0
    per_visitor_limit: int = 0
    uploads_left: int = 0
    files_after_close: int = 0
    wall_seconds: float = 0.0

    def percentile(self, share: float) -> float:
        if not self.waits:
            return float("nan")
        ordered = sorted(self.waits)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    def summary(self) -> str:
        refused = sum(self.refused.values())
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(self.refused.items())) or "none"
        return (
            f"{self.visitors} visitors, {self.seconds:g} s: {self.sent} requests sent, "
            f"{self.completed} completed, {refused} refused ({reasons}), "
            f"{len(self.errors)} errors; queue wait p50 {statistics.median(self.waits or [0]):.1f} s, "
            f"p95 {self.percentile(0.95):.1f} s; peak RSS {self.peak_rss_mb:.0f} MB; "
            f"at most {self.peak_files} files in the app folder; at most "
            f"{self.most_per_visitor} requests of one visitor in the queue (limit "
            f"{self.per_visitor_limit}); {self.uploads_left} uploads "
            f"left; {self.files_after_close} files after close(); {self.wall_seconds:.0f} s "
            "in all."
        )

    def problems(self) -> list[str]:
        """What breaks the promise: lost requests, errors, files left."""
        found = []
        if self.completed + sum(self.refused.values()) != self.sent:
            found.append(f"lost requests: {self.sent} sent, {self.completed} completed")
        found += [f"error: {e}" for e in self.errors[:10]]
        if self.uploads_left:
            found.append(f"{self.uploads_left} uploads left on the server")
        if self.files_after_close:
            found.append(f"{self.files_after_close} files left after close()")
        if not self.completed:
            found.append("nothing completed")
        if self.most_per_visitor > self.per_visitor_limit:
            found.append(f"a visitor had {self.most_per_visitor} requests in the queue")
        return found


# --- the visitors (run in their own process) ---------------------------------------------------


def _samples(folder: Path) -> dict[str, Path]:
    from PIL import Image

    from workshop_lib.assets import bundled
    from workshop_lib.media.audio import load_audio, save_audio

    photo = folder / "photo.jpg"
    Image.open(bundled("images/astronaut.jpg")).convert("L").resize((640, 480)).save(
        photo, quality=90
    )
    samples, rate = load_audio(bundled("music/sample_mix.ogg"))
    song = save_audio(folder / "song.wav", samples[:, : 10 * rate], rate)
    return {"photo": photo, "song": song}


def _request(client, kind: str, key: str, samples: dict, folder: Path):
    """Submit one request; returns (job, label the app's meter will show)."""
    from gradio_client import handle_file

    if kind == "text":
        text = f"Visitor {key} asks. Welcome to the library, this voice was made by a computer."
        job = client.submit(text, "espeak-ng", None, 1.0, api_name="/speak")
        return job, " ".join(text.split()[:6])
    source = samples[kind]
    copy = folder / f"{key}{source.suffix}"
    shutil.copy(source, copy)
    if kind == "photo":
        return client.submit(handle_file(copy), "[]", True, api_name="/colorize"), copy.name
    return client.submit(handle_file(copy), 2, api_name="/separate"), copy.name


def _outcome(job, timeout: float = 900) -> tuple[str, str]:
    from gradio_client.exceptions import AppError

    try:
        job.result(timeout=timeout)
        return "completed", ""
    except AppError as err:
        message = err.message or str(err)
        plain = any(word in message for word in PLAIN) and "Traceback" not in message
        return ("refused" if plain else "error"), message
    except Exception as err:  # timeouts and broken connections are errors
        return "error", f"{type(err).__name__}: {err}"


def _visitor(number: int, url: str, until: float, samples: dict, out: list, folder: Path) -> None:
    from gradio_client import Client

    chance = random.Random(number)
    mine = folder / f"visitor_{number:03d}"
    mine.mkdir()
    try:
        client = Client(
            url,
            verbose=False,
            download_files=str(mine),
            analytics_enabled=False,
            httpx_kwargs={"timeout": 300},
        )
    except Exception as err:
        out.append({"outcome": "error", "message": f"could not connect: {err}", "sent": 0})
        return
    count = 0
    time.sleep(chance.uniform(0, 2))
    while time.time() < until:
        burst = BURST if number % IMPATIENT_EVERY == 0 and count == 0 else 1
        jobs = []
        for _ in range(burst):
            count += 1
            kind = chance.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
            sent = time.time()
            job, label = _request(client, kind, f"v{number:03d}_{count:03d}", samples, mine)
            jobs.append((job, label, kind, sent))
        for job, label, kind, sent in jobs:
            outcome, message = _outcome(job)
            out.append(
                {"label": label, "kind": kind, "sent": sent, "outcome": outcome, "message": message}
            )
        time.sleep(chance.uniform(0.5, 3.0))  # reading the answer


def visit(url: str, visitors: int, seconds: float, out_file: Path) -> None:
    """Run ``visitors`` visitors against the app at ``url`` for ``seconds``; write their log."""
    folder = Path(tempfile.mkdtemp(prefix="app-load-visitors-"))
    try:
        samples = _samples(folder)
        until = time.time() + seconds
        log: list = []
        threads = [
            threading.Thread(target=_visitor, args=(n, url, until, samples, log, folder))
            for n in range(visitors)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        out_file.write_text(json.dumps(log))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the app (this process) ------------------------------------------------------------------------


def _watch(made, figures: Figures, stop: threading.Event) -> None:
    import psutil

    me = psutil.Process()
    while not stop.wait(0.25):
        figures.peak_rss_mb = max(figures.peak_rss_mb, me.memory_info().rss / 2**20)
        figures.peak_files = max(figures.peak_files, len(made.files_left()))


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*, visitors: int = 100, seconds: float = 60, concurrency: int = 1) -> Figures:
    """Start the app, let ``visitors`` use it for ``seconds``, close it; returns the figures."""
    os.environ.setdefault("WORKSHOP_OFFLINE", "1")
    from workshop_lib import app

    figures = Figures(visitors, seconds)
    started = time.perf_counter()
    made = app.create_app(concurrency=concurrency, limits=app.Limits())
    made.launch(port=_port(), inline=False)
    folder = made.folder
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(made, figures, stop), daemon=True)
    watcher.start()
    log_file = Path(tempfile.mkdtemp(prefix="app-load-")) / "visits.json"
    try:
        subprocess.run(
            [sys.executable, __file__, "--visit", made.url, "--visitors", str(visitors),
             "--seconds", str(seconds), "--log", str(log_file)],
            check=True,
            timeout=seconds + 1800,
        )  # fmt: skip
        log = json.loads(log_file.read_text())
        figures.uploads_left = len(made.service.uploads_left())
        figures.most_per_visitor = made.queue.most_per_visitor
        figures.per_visitor_limit = made.queue.per_visitor
        records = {r.label: r for r in made.meter.records}
    finally:
        stop.set()
        watcher.join(timeout=5)
        made.close()
        shutil.rmtree(log_file.parent, ignore_errors=True)
    figures.files_after_close = sum(1 for p in folder.rglob("*")) if folder.exists() else 0
    _tally(figures, log, records)
    figures.wall_seconds = time.perf_counter() - started
    return figures


def _tally(figures: Figures, log: list, records: dict) -> None:
    for entry in log:
        if entry.get("label") is not None:
            figures.sent += 1
        if entry["outcome"] == "completed":
            figures.completed += 1
            record = records.get(entry["label"])
            if record is not None:
                figures.waits.append(max(record.started - entry["sent"], 0.0))
        elif entry["outcome"] == "refused":
            why = (
                "over the per-visitor limit"
                if "from one visitor" in entry["message"]
                else "queue full"
                if "busy" in entry["message"]
                else "other plain refusal"
            )
            figures.refused[why] = figures.refused.get(why, 0) + 1
        else:
            figures.errors.append(entry["message"][:200])


def fairness(*, flood: int = 20, per_visitor: int | None = None) -> dict[str, float]:
    """A second visitor's wait for one separation, alone and behind ``flood`` from another.

    The model is loaded by a first request before anything is timed.

    ``per_visitor`` None keeps the app's default limit; a large number shows the turns alone.
    Returns seconds from sending to the answer: ``{"alone": ..., "behind": ...}`` and how many
    of the flood were refused.
    """
    os.environ.setdefault("WORKSHOP_OFFLINE", "1")
    from gradio_client import Client, handle_file

    from workshop_lib import app

    folder = Path(tempfile.mkdtemp(prefix="app-fairness-"))
    made = app.create_app(concurrency=1)
    if per_visitor is not None and hasattr(made, "queue"):
        made.queue.per_visitor = per_visitor
    made.launch(port=_port(), inline=False)
    try:
        song = _samples(folder)["song"]

        def client() -> Client:
            return Client(made.url, verbose=False, download_files=str(folder),
                          analytics_enabled=False, httpx_kwargs={"timeout": 300})  # fmt: skip

        def named(name: str) -> Path:  # own names: no two requests share one server copy
            return Path(shutil.copy(song, folder / f"{name}.wav"))

        def one(visitor: Client, name: str) -> float:
            sent = time.perf_counter()
            visitor.predict(handle_file(named(name)), 2, api_name="/separate")
            return time.perf_counter() - sent

        one(client(), "warm_up")  # the model loads once, before anything is timed
        second = client()
        alone = one(second, "alone")
        first = client()
        jobs = [
            first.submit(handle_file(named(f"flood_{n:02d}")), 2, api_name="/separate")
            for n in range(flood)
        ]
        time.sleep(2)  # the flood has joined the queue
        behind = one(second, "behind")
        refused = sum(_outcome(job)[0] != "completed" for job in jobs)
    finally:
        made.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {"alone": alone, "behind": behind, "refused": refused}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument(
        "--fairness",
        type=int,
        metavar="N",
        help="instead: a second visitor's wait behind N separations from one visitor",
    )
    parser.add_argument("--per-visitor", type=int, help="with --fairness: the limit to use")
    parser.add_argument("--visit", help=argparse.SUPPRESS)  # the visitors' process
    parser.add_argument("--log", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.visit:
        visit(args.visit, args.visitors, args.seconds, Path(args.log))
        return 0
    if args.fairness:
        found = fairness(flood=args.fairness, per_visitor=args.per_visitor)
        print(
            f"one separation alone: {found['alone']:.1f} s; behind another visitor's "
            f"{args.fairness}: {found['behind']:.1f} s ({found['refused']} of the "
            f"{args.fairness} refused by the per-visitor limit)"
        )
        return 0
    figures = run(visitors=args.visitors, seconds=args.seconds, concurrency=args.concurrency)
    print(figures.summary())
    for problem in figures.problems():
        print("PROBLEM:", problem)
    return 1 if figures.problems() else 0


if __name__ == "__main__":
    import importlib.util

    if importlib.util.find_spec("workshop_lib") is None:  # run from the workshop folder
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
