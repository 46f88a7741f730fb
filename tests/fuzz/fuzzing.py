"""Helpers of the fuzz suite (see conftest.py for the promise and the budgets)."""

from __future__ import annotations

import hashlib
import os
import random
import resource
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workshop_lib.errors import WorkshopError

CASES = Path(__file__).parent / "cases"
SHORT_SECONDS = float(os.environ.get("WORKSHOP_FUZZ_SECONDS", "4"))
LONG_INPUTS = 1000
SHORT_EXAMPLES = 25
_MODE = {"long": False}


def configure(long: bool) -> None:
    """Choose the budget before the tests are imported: the long run explores afresh each time;
    the short run (CI) is derandomized, so the same inputs come every time and CI is stable."""
    from hypothesis import settings

    _MODE["long"] = long
    settings.register_profile("workshop-fuzz-long", derandomize=False)
    settings.register_profile("workshop-fuzz-short", derandomize=True, database=None)
    settings.load_profile("workshop-fuzz-long" if long else "workshop-fuzz-short")


def examples(count: int) -> int:
    """Generated examples for one test: ``count`` in the long run, a few in the short one."""
    return count if _MODE["long"] else min(count, SHORT_EXAMPLES)


def is_long() -> bool:
    return _MODE["long"]


class Hang(BaseException):
    """Raised inside an input that ran past its time limit (BaseException: nothing swallows it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the body after ``seconds`` (main thread, Unix) by raising :class:`Hang`."""

    def ring(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def peak_memory_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class Fuzzer:
    """Runs inputs through one entry point and checks the promise on each."""

    entry: str
    long: bool
    seed: int
    limit_seconds: float = 10.0
    ran: int = 0
    refused: int = 0
    messages: set[str] = field(default_factory=set)

    def rng(self) -> random.Random:
        return random.Random(self.seed)

    def rounds(self) -> Iterator[int]:
        """Input numbers: at least 1,000 in a long run, a fixed time budget otherwise."""
        start = time.monotonic()
        index = 0
        while True:
            if self.long and index >= LONG_INPUTS:
                return
            if not self.long and index > 0 and time.monotonic() - start > SHORT_SECONDS:
                return
            yield index
            index += 1

    def check(self, call: Callable[[], object], case: bytes | str | None = None, *, name=""):
        """Run ``call`` once and check the promise; save ``case`` when it is broken."""
        self.ran += 1
        started = time.monotonic()
        try:
            with time_limit(self.limit_seconds):
                call()
        except WorkshopError as err:
            self.refused += 1
            sentence = str(err)
            if not sentence.strip() or "Traceback" in sentence or len(sentence) > 1500:
                self._fail(case, name, f"an unclear WorkshopError: {sentence[:300]!r}")
            self.messages.add(sentence[:300])
        except Hang as err:
            self._fail(case, name, f"a hang ({err})")
        except Exception as err:
            self._fail(case, name, f"{type(err).__name__}: {err}"[:500])
        elapsed = time.monotonic() - started
        if elapsed > self.limit_seconds:
            self._fail(case, name, f"{elapsed:.1f} s for one input")

    def _fail(self, case, name, what):
        saved = ""
        if case is not None:
            data = case.encode("utf-8", "surrogatepass") if isinstance(case, str) else case
            folder = CASES / self.entry
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}{name}"
            path.write_bytes(data)
            saved = f" (input saved as {path.relative_to(CASES.parent.parent.parent)})"
        pytest.fail(f"{self.entry}: input {self.ran} gave {what}{saved}", pytrace=False)


# --- seeded mutation of real files ------------------------------------------------------------


def mutate(data: bytes, rng: random.Random, others: list[bytes] = ()) -> bytes:
    """One mutation of ``data``: bit flips, truncation, a header splice, a grown size field,
    a zeroed or repeated region, or random bytes inserted."""
    data = bytearray(data)
    kind = rng.randrange(7)
    if not data:
        return bytes(rng.randbytes(rng.randrange(1, 64)))
    if kind == 0:  # flip a few bits
        for _ in range(rng.randint(1, 16)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif kind == 1:  # truncate
        del data[rng.randrange(len(data)) :]
    elif kind == 2 and others:  # another file's header on this body
        other = rng.choice(others)
        cut = rng.randrange(1, min(len(other), 512) + 1)
        data[:cut] = other[:cut]
    elif kind == 3:  # a size or count field made huge or zero, near the start
        i = rng.randrange(min(len(data), 256))
        data[i : i + 4] = rng.choice(
            [b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff"]
        )
    elif kind == 4:  # zero a region
        i = rng.randrange(len(data))
        data[i : i + rng.randrange(1, 4096)] = b"\x00" * len(data[i : i + 4096])
    elif kind == 5:  # repeat a chunk
        i = rng.randrange(len(data))
        chunk = data[i : i + rng.randrange(1, 2048)]
        data[i:i] = chunk * rng.randint(1, 8)
    else:  # random bytes inserted
        i = rng.randrange(len(data) + 1)
        data[i:i] = rng.randbytes(rng.randrange(1, 256))
    return bytes(data)
