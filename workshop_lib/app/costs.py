"""What a request costs: seconds of computer time times an hourly price, and what a library would pay.

The seconds come from two places: the clock around each request in the running app (this
computer, now), and our own benchmark figures (``benchmarks/README.md``, measured on a 2-core
CPU). The hourly prices are **assumptions** for the exercise, not quotes: cloud prices differ by
provider, region and year, so put in your own provider's price.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.display import HTML

from dataclasses import dataclass

from ..errors import WorkshopError

__all__ = [
    "BENCHMARKS",
    "PRICES",
    "Benchmark",
    "Capacity",
    "Cost",
    "Price",
    "capacity",
    "cost_of",
    "library_estimate",
]


@dataclass(frozen=True)
class Price:
    """An assumed hourly price for renting a computer in the cloud.

    Attributes
    ----------
    kind : str
        ``"cpu"`` or ``"gpu"``.
    dollars_per_hour : float
        US dollars for one hour of the machine, used or idle.
    machine : str
        What kind of machine the price is for, in words.
    """

    kind: str
    dollars_per_hour: float
    machine: str

    def __str__(self) -> str:
        return f"${self.dollars_per_hour:.2f} an hour for {self.machine} (assumed price)"


PRICES = {
    "cpu": Price("cpu", 0.10, "a small cloud computer with 2 processor cores"),
    "gpu": Price("gpu", 0.50, "a cloud computer with one NVIDIA T4 GPU"),
}
"""Assumed prices (not quotes; change them to your provider's): kind -> :class:`Price`."""


@dataclass(frozen=True)
class Benchmark:
    """One figure from our benchmarks: seconds of computer time per unit of work.

    Attributes
    ----------
    task : str
        ``"colorize"``, ``"separate"`` or ``"speak"``.
    model : str
        The model or engine (``"siggraph17"``, ``"4stems"``, ``"espeak-ng"``).
    seconds_per_unit : float
        Computer seconds per photo (colorize) or per second of sound (separate, speak).
    unit : str
        ``"photo"`` or ``"second of sound"``.
    measured_on : str
        The machine, and where the figure comes from.
    """

    task: str
    model: str
    seconds_per_unit: float
    unit: str
    measured_on: str


_CPU = "2-core CPU, benchmarks/README.md"
BENCHMARKS = {
    (b.task, b.model): b
    for b in (
        # One update of the SIGGRAPH 2017 network with the photo made into a picture: float32
        # channels-last, the path on a CPU without bfloat16 instructions (0.2 s with them).
        Benchmark("colorize", "siggraph17", 0.40, "photo", _CPU),
        # Spleeter: 2stems about 64x and 4stems about 33x faster than real time; 5stems was not
        # measured, so it is estimated as 4stems plus one more U-Net (5/4 of the time).
        Benchmark("separate", "2stems", 1 / 64, "second of sound", _CPU),
        Benchmark("separate", "4stems", 1 / 33, "second of sound", _CPU),
        Benchmark("separate", "5stems", 5 / 4 / 33, "second of sound", _CPU + " (estimated)"),
        # Speech: the real-time factor (seconds to make one second of sound).
        Benchmark("speak", "espeak-ng", 0.008, "second of sound", _CPU),
        Benchmark("speak", "festival", 0.048, "second of sound", _CPU),
        Benchmark("speak", "festival-hts", 0.076, "second of sound", _CPU),
        Benchmark("speak", "flite", 0.016, "second of sound", _CPU),
        Benchmark("speak", "pico", 0.006, "second of sound", _CPU),
        Benchmark("speak", "vits", 0.41, "second of sound", _CPU),
        Benchmark("speak", "vits-vctk", 0.41, "second of sound", _CPU + " (as vits)"),
    )
}
"""Our benchmark figures, by (task, model). No GPU figures yet: the benchmark runs had no GPU."""


@dataclass(frozen=True)
class Cost:
    """What one request cost: seconds of computer time times an assumed hourly price.

    Attributes
    ----------
    seconds : float
        Computer time the request used (wall clock, on the machine that ran it).
    price : Price
        The assumed price of that machine.
    """

    seconds: float
    price: Price

    @property
    def dollars(self) -> float:
        """The cost in US dollars."""
        return self.seconds / 3600 * self.price.dollars_per_hour

    @property
    def per_dollar(self) -> int:
        """How many such requests one dollar pays for."""
        return int(1 / self.dollars) if self.dollars > 0 else 0

    def text(self) -> str:
        """One line for the app: seconds, dollars, requests per dollar, and the assumption."""
        return (
            f"This request used {self.seconds:.2f} s of {self.price.kind.upper()} time: "
            f"${self.dollars:.6f}, so about {self.per_dollar:,} such requests for $1 "
            f"(at {self.price})."
        )


def cost_of(seconds: float, kind: str = "cpu") -> Cost:
    """The cost of ``seconds`` of computer time on a CPU or GPU machine at the assumed price.

    Parameters
    ----------
    seconds : float
        Computer time in seconds.
    kind : {"cpu", "gpu"}
        The kind of machine (a Mac's "mps" counts as "gpu").

    Examples
    --------
    >>> round(cost_of(3600, "cpu").dollars, 2)
    0.1
    """
    kind = "gpu" if kind in ("cuda", "mps") else kind
    if kind not in PRICES:
        raise WorkshopError(f"There is no price for {kind!r}; use 'cpu' or 'gpu'.")
    return Cost(float(seconds), PRICES[kind])


@dataclass(frozen=True)
class Capacity:
    """What one server manages: requests an hour, and the wait of the last of a crowd.

    Attributes
    ----------
    per_hour : int
        Requests an hour at full load.
    last_waits : float
        Seconds the last of ``people`` arriving at once waits before their request starts.
    people, workers : int
        The crowd and the requests processed at the same time.
    seconds_per_request : float
        Computer time of one request.
    """

    per_hour: int
    last_waits: float
    people: int
    workers: int
    seconds_per_request: float

    def _repr_markdown_(self) -> str:
        return (
            f"At **{self.seconds_per_request:.2f} s** per request and **{self.workers}** at a "
            f"time, the app answers about **{self.per_hour:,}** requests an hour. If "
            f"{self.people} people press the button at the same moment, the last one waits "
            f"**{self.last_waits:.1f} s** before their request even starts."
        )


def capacity(seconds_per_request: float, *, workers: int = 1, people: int = 10) -> Capacity:
    """How many requests a server handles, and how long the last of ``people`` arriving at once waits.

    Parameters
    ----------
    seconds_per_request : float
        Computer time per request.
    workers : int
        Requests processed at the same time (the queue's concurrency limit).
    people : int
        People who send a request at the same moment.

    Returns
    -------
    Capacity

    Examples
    --------
    >>> capacity(0.4, people=30).last_waits
    11.6
    """
    if seconds_per_request <= 0 or workers < 1 or people < 1:
        raise WorkshopError("capacity() needs seconds_per_request > 0, workers >= 1, people >= 1.")
    return Capacity(
        per_hour=round(3600 * workers / seconds_per_request),
        last_waits=round((people - 1) // workers * seconds_per_request, 2),
        people=people,
        workers=workers,
        seconds_per_request=seconds_per_request,
    )


def library_estimate(
    *,
    photos: int = 50_000,
    song_minutes: float = 2_000,
    speech_minutes: float = 1_000,
    stems: str = "4stems",
    voice: str = "vits",
) -> HTML:
    """What it costs to colour a library's photo archive, separate its music, and read texts aloud.

    Uses our CPU benchmark figures and the assumed CPU price, then compares two ways to pay:
    renting a machine only while the work runs (a batch job), or keeping a server on all month
    so visitors can use the app any time (what a public service costs even when nobody uses it).

    Parameters
    ----------
    photos : int
        Photos to colour (one automatic colouring each).
    song_minutes : float
        Minutes of music to separate.
    speech_minutes : float
        Minutes of speech to make.
    stems : {"2stems", "4stems", "5stems"}
        The separation model.
    voice : str
        A speech engine with a benchmark figure (see :data:`BENCHMARKS`).

    Returns
    -------
    IPython.display.HTML
        A table: work, computer hours, cost as a batch job; and the always-on server's cost.
    """
    from IPython.display import HTML

    rows = _estimate_rows(
        (
            ("colorize", "siggraph17", photos, "photos"),
            ("separate", stems, song_minutes * 60, "seconds of music"),
            ("speak", voice, speech_minutes * 60, "seconds of speech"),
        )
    )
    note = (
        f"Benchmark figures: {_CPU}. Prices: {PRICES['cpu']}; {PRICES['gpu']}. "
        "Not included: storage, network traffic, people's time."
    )
    return HTML(_html_table(("work", "amount", "benchmark", "computer time", "cost"), rows, note))


def _estimate_rows(work) -> list[tuple]:
    """The rows of :func:`library_estimate`: each job, the batch total, the always-on servers."""
    rows = []
    total = 0.0
    for task, model, amount, unit in work:
        figure = BENCHMARKS.get((task, model))
        if figure is None:
            raise WorkshopError(f"There is no benchmark figure for {task} with {model!r}.")
        hours = amount * figure.seconds_per_unit / 3600
        total += hours
        rows.append(
            (
                f"{task} ({model})",
                f"{amount:,.0f} {unit}",
                f"{figure.seconds_per_unit:.3g} s per {figure.unit}",
                f"{hours:,.1f} h",
                f"${hours * PRICES['cpu'].dollars_per_hour:,.2f}",
            )
        )
    cpu = PRICES["cpu"].dollars_per_hour
    rows.append(("all of it, as one batch job", "", "", f"{total:,.1f} h", f"${total * cpu:,.2f}"))
    month = 730  # hours
    for price in PRICES.values():
        rows.append(
            (
                f"a server that is always on ({price.kind.upper()})",
                "one month, busy or idle",
                "",
                f"{month} h",
                f"${month * price.dollars_per_hour:,.2f}",
            )
        )
    return rows


def _html_table(head: tuple, rows: list[tuple], note: str) -> str:
    import html

    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"
        f"<p><small>{html.escape(note)}</small></p>"
    )
