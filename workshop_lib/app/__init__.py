"""The workshop's models as a small web app, with what a product adds: queue, limits, privacy, costs.

:func:`launch` builds and starts the app (one tab each for colorize, speak and separate, and one
about the queue, limits, privacy, licences and costs); :func:`create_app` builds it without
starting it. The app calls the same ``Colorizer``, speech engines and ``Separator`` as the
notebooks. Needs Gradio (``pip install "workshop_lib[app]"``; Colab has it).

Examples
--------
>>> from workshop_lib import app
>>> app.cost_of(0.4, "cpu").dollars < 0.0001
True
>>> my_app = app.launch()  # doctest: +SKIP
>>> my_app.close()  # doctest: +SKIP
"""

from .costs import (
    BENCHMARKS,
    PRICES,
    Benchmark,
    Capacity,
    Cost,
    Price,
    capacity,
    cost_of,
    library_estimate,
)
from .licences import USE, licence_rows, licence_table, offered_engines, speech_verdict
from .limits import Limits
from .meter import Meter, Record
from .server import WorkshopApp, create_app, launch

__all__ = [
    "BENCHMARKS",
    "PRICES",
    "USE",
    "Benchmark",
    "Capacity",
    "Cost",
    "Limits",
    "Meter",
    "Price",
    "Record",
    "WorkshopApp",
    "capacity",
    "cost_of",
    "create_app",
    "launch",
    "library_estimate",
    "licence_rows",
    "licence_table",
    "offered_engines",
    "speech_verdict",
]
