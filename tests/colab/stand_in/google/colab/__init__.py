"""Stand-in for `google.colab`: just enough of Colab's module for the notebooks' Colab branches."""

from . import drive, files, output

__all__ = ["drive", "files", "output"]
