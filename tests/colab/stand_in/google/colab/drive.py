"""Stand-in for `google.colab.drive`: 'mounts' a local folder in place of Google Drive."""

from pathlib import Path


def mount(mountpoint, force_remount=False, timeout_ms=120000, readonly=False):
    (Path(mountpoint) / "MyDrive").mkdir(parents=True, exist_ok=True)
