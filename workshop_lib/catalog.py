"""Every released model the workshop uses, gathered from the capabilities' bundle lists.

``BUNDLES`` maps a name to its :class:`workshop_lib.models.ModelBundle`. ``doctor``,
``prefetch`` and the app's licence table read from here, not from lists of their own.
This module sits on top of the capabilities (like ``app/`` and ``handout/``).
"""

from __future__ import annotations

import importlib

from .models import ModelBundle

__all__ = ["bundles", "by_task"]  # and BUNDLES, built on first use

_SOURCES = ("colorize", "separate", "speech")


def bundles() -> dict[str, ModelBundle]:
    """Every bundle, by name, in the order of the workshop (colorize, separate, speech).

    A capability without a ``bundles`` module yet contributes nothing.
    """
    found: dict[str, ModelBundle] = {}
    for capability in _SOURCES:
        try:
            module = importlib.import_module(f"workshop_lib.{capability}.bundles")
        except ModuleNotFoundError as err:
            if err.name != f"workshop_lib.{capability}.bundles":
                raise
            continue
        for bundle in module.BUNDLES:
            found[bundle.name] = bundle
    return found


def by_task(task: str) -> list[ModelBundle]:
    """The bundles of one task: ``"colorize"``, ``"separate"`` or ``"speech"``."""
    return [b for b in bundles().values() if b.task == task]


def __getattr__(name: str):
    # ``catalog.BUNDLES`` is built on first use, so importing this module stays cheap.
    if name == "BUNDLES":
        return bundles()
    raise AttributeError(name)
