"""Stand-in for Colab's `google` package in the Colab-like test (see tests/test_colab_path.py)."""
