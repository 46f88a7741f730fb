"""Imported at interpreter start in the Colab-like test: Colab's kernel has google.colab loaded."""

import google.colab  # noqa: F401
