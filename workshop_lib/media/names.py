"""Safe file names: the one helper that turns any name into the start of a file name."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["safe_stem"]

_UNSAFE = re.compile(r"[^\w\-]+")  # letters of any language, digits, _ and - are kept
_LONGEST = 80


def safe_stem(name: str, *, default: str = "file") -> str:
    """The start of a file name made from ``name``, safe on every system.

    Folders and one extension are dropped, every run of other characters becomes ``_``, and the
    result is at most 80 characters; ``default`` is used when nothing is left.

    Examples
    --------
    >>> safe_stem("My Song (live).mp3")
    'My_Song_live'
    >>> safe_stem("../../etc/passwd")
    'passwd'
    >>> safe_stem("???", default="photo")
    'photo'
    """
    text = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    base, dot, suffix = text.rpartition(".")
    if dot and base and suffix and " " not in suffix and len(suffix) <= 5:
        text = base
    return _UNSAFE.sub("_", text).strip("_")[:_LONGEST].strip("_") or default
