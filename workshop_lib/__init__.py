"""workshop_lib: the tested helpers behind the "Machine Learning 02: From Paper to Product" notebooks.

A notebook's first cell calls :func:`setup`; the rest of the library is imported where it is used,
so ``import workshop_lib`` stays quick and never downloads anything.
"""

from .errors import WorkshopError
from .runtime import device_summary, is_offline, pick_device, setup, where

__version__ = "0.1.0"

__all__ = [
    "WorkshopError",
    "__version__",
    "device_summary",
    "is_offline",
    "pick_device",
    "setup",
    "where",
]
