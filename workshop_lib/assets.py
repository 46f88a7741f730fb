"""Every file the workshop downloads, in one registry, and the one function that fetches them.

An :class:`Asset` says where a file lives (with mirrors), its checksum, size, licence and what it
is for. :func:`fetch` downloads it once into a cache folder, checks the checksum before the file
takes its final name, and explains in plain words what to do when something goes wrong. With the
offline switch on (``WORKSHOP_OFFLINE=1``) nothing here touches the network. Unpacking lives in
:mod:`archives` (re-exported here). The file runs past 600 lines because the registry itself (every
model's URL, checksum, size, licence and citation) is data that belongs in one place.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

import platformdirs

from . import net, runtime
from .archives import MAX_ENTRIES, MAX_UNPACKED, SPARE_SPACE, extract_archive, format_size
from .errors import WorkshopError

__all__ = [
    "CACHE_VARIABLE",
    "MAX_ENTRIES",
    "MAX_UNPACKED",
    "REGISTRY",
    "Asset",
    "AssetStatus",
    "bundled",
    "cache_dir",
    "describe",
    "extract_archive",
    "fetch",
    "format_size",
    "status",
    "use_drive_cache",
]

CACHE_VARIABLE = "WORKSHOP_CACHE"
"""Set this environment variable to a folder to keep the downloads there."""

_CHUNK = 256 * 1024  # bytes read from the network at a time
_TIMEOUT = (15, 60)  # seconds to connect, and to wait for the next piece of data
_EXTRACT_KINDS = (None, "tar", "zip")
_HEX = set("0123456789abcdef")


@dataclass(frozen=True)
class Asset:
    """One downloadable file: where it lives, its checksum, size, licence and what it is for.

    Parameters
    ----------
    name : str
        Short name used in the registry, and the folder name of an unpacked archive.
    urls : tuple of str
        Where to download it from. The first address is the main one; the others are mirrors,
        tried in order. A single string is accepted too.
    sha256 : str
        The SHA-256 checksum in hex: all 64 characters, or at least the first 8 where upstream
        publishes only the start of it (as in the file name ``siggraph17-df00044c.pth``). Empty
        when upstream publishes only an MD5 checksum (then give ``md5``).
    size : int
        Size in bytes, roughly. Used for the free-disk check and shown to people.
    licence, citation, purpose : str
        The file's licence, the paper to cite, and one line a learner understands.
    filename : str, optional
        Name of the file in the cache folder. None uses the last part of the first address.
    extract : {None, "tar", "zip"}
        Unpack the archive into a folder; :func:`fetch` then returns the folder.
    offline : str, optional
        Path, relative to the ``workshop_lib`` package folder, of a small stand-in file or
        folder that ships with the package and is used when the offline switch is on.
    md5 : str, optional
        The MD5 checksum in hex (32 characters), for files whose publisher lists only MD5 (as
        the Piper voice catalogue does). Used only when ``sha256`` is empty.
    """

    name: str
    urls: tuple[str, ...]
    sha256: str
    size: int
    licence: str
    citation: str
    purpose: str
    filename: str | None = None
    extract: str | None = None
    offline: str | None = None
    md5: str = ""

    def __post_init__(self):
        urls = (self.urls,) if isinstance(self.urls, str) else tuple(self.urls)
        if not urls:
            raise ValueError(f"Asset {self.name!r} needs at least one URL.")
        digest, md5 = self.sha256.strip().lower(), self.md5.strip().lower()
        if not digest and len(md5) == 32 and set(md5) <= _HEX:
            pass  # the publisher lists only MD5
        elif not (len(digest) == 64 or 8 <= len(digest) < 64) or not set(digest) <= _HEX:
            raise ValueError(
                f"Asset {self.name!r}: sha256 must be 8 to 64 hex characters (or empty, with a "
                "32-character md5)."
            )
        if self.extract not in _EXTRACT_KINDS:
            raise ValueError(f"Asset {self.name!r}: extract must be None, 'tar' or 'zip'.")
        object.__setattr__(self, "urls", urls)
        object.__setattr__(self, "sha256", digest)
        object.__setattr__(self, "md5", md5)
        if self.filename is None:
            object.__setattr__(self, "filename", urls[0].split("?")[0].rsplit("/", 1)[-1])


@dataclass(frozen=True)
class AssetStatus:
    """Whether an asset is in the cache: its name, ``cached``, size in bytes, and its path."""

    name: str
    cached: bool
    size: int
    path: Path


_ZHANG_LICENCE = "BSD-2-Clause (richzhang/colorization)"
_COLORIZERS = "https://colorizers.s3.us-east-2.amazonaws.com"
_SPLEETER = "https://github.com/deezer/spleeter/releases/download/v1.4.0"
_SPLEETER_CITATION = (
    "Hennequin, Khlif, Voituret, Moussallam, 'Spleeter: a fast and efficient music source "
    "separation tool with pre-trained models', Journal of Open Source Software 5(50), 2020"
)


def _spleeter(stems: str, sha256: str, size: int, purpose: str) -> Asset:
    return Asset(
        name=f"spleeter-{stems}",
        urls=(f"{_SPLEETER}/{stems}.tar.gz",),
        sha256=sha256,
        size=size,
        licence="MIT (Deezer)",
        citation=_SPLEETER_CITATION,
        purpose=purpose,
        filename=f"spleeter-{stems}.tar.gz",
        extract="tar",
        offline=f"separate/offline/{stems}",  # release layout, conv widths 2-8, random weights
    )


REGISTRY: dict[str, Asset] = {
    asset.name: asset
    for asset in (
        Asset(
            name="siggraph17",
            urls=(f"{_COLORIZERS}/siggraph17-df00044c.pth",),
            sha256="df00044c",  # upstream publishes only this prefix, in the file name
            size=137_000_000,  # about 137 MB
            licence=_ZHANG_LICENCE,
            citation=(
                "Zhang, Zhu, Isola, Geng, Lin, Yu, Efros, 'Real-Time User-Guided Image "
                "Colorization with Learned Deep Priors', SIGGRAPH 2017 (ACM TOG 36(4))"
            ),
            purpose="the user-guided colorization network's weights (colour where you click)",
            offline="colorize/offline/siggraph17-tiny.pth",  # same network, width 4, random weights
        ),
        Asset(
            name="eccv16",
            urls=(f"{_COLORIZERS}/colorization_release_v2-9b330a0b.pth",),
            sha256="9b330a0b",  # upstream publishes only this prefix, in the file name
            size=129_000_000,  # about 129 MB
            licence=_ZHANG_LICENCE,
            citation="Zhang, Isola, Efros, 'Colorful Image Colorization', ECCV 2016",
            purpose="the automatic colorization network's weights, also used to suggest colours",
            offline="colorize/offline/eccv16-tiny.pth",  # same network, width 4, random weights
        ),
        # Spleeter's sizes are approximate: they are only used for the disk check and display.
        _spleeter(
            "2stems",
            "f3a90b39dd2874269e8b05a48a86745df897b848c61f3958efc80a39152bd692",
            76_000_000,
            "Spleeter's model that splits a song into vocals and accompaniment",
        ),
        _spleeter(
            "4stems",
            "3adb4a50ad4eb18c7c4d65fcf4cf2367a07d48408a5eb7d03cd20067429dfaa8",
            150_000_000,
            "Spleeter's model that splits a song into vocals, drums, bass and other",
        ),
        _spleeter(
            "5stems",
            "25a1e87eb5f75cc72a4d2d5467a0a50ac75f05611f877c278793742513cc7218",
            185_000_000,
            "Spleeter's model that splits a song into vocals, drums, bass, piano and other",
        ),
    )
}
"""Every file the workshop may download, by name."""


# --- Piper voices (workshop_lib.speech) ---------------------------------------------------------
# Checksums and sizes are those of the published voice catalogue (rhasspy/piper-voices'
# voices.json), which lists MD5 only. Each voice is two files: the network (.onnx) and its
# settings (.onnx.json: sample rate, phoneme table). The voice networks are MIT-licensed in that
# repository; what each voice learnt from has its own licence, named here.
_PIPER = "https://huggingface.co/rhasspy/piper-voices/resolve"
_PIPER_CITATION = (
    "Piper (Michael Hansen, Open Home Foundation), VITS voices exported to ONNX; Kim, Kong, Son, "
    "'Conditional Variational Autoencoder with Adversarial Learning for End-to-End "
    "Text-to-Speech', ICML 2021"
)


def _piper_voice(
    key: str, files: tuple[tuple[int, str], tuple[int, str]], data: str, *, mirror: bool
) -> tuple[Asset, Asset]:
    """The two assets of one Piper voice: ``files`` is ((size, md5) of .onnx, of .onnx.json)."""
    language, name, quality = key.split("-")
    folder = f"{language.split('_')[0]}/{language}/{name}/{quality}/{key}"
    made = []
    for suffix, (size, md5), what in zip(
        (".onnx", ".onnx.json"), files, ("the network", "its settings"), strict=True
    ):
        urls = [f"{_PIPER}/main/{folder}{suffix}"]
        if mirror:  # the files have not changed since the v1.0.0 tag of the voice collection
            urls.append(f"{_PIPER}/v1.0.0/{folder}{suffix}")
        made.append(
            Asset(
                name=f"piper-{key}" + (".json" if suffix == ".onnx.json" else ""),
                urls=tuple(urls),
                sha256="",
                md5=md5,
                size=size,
                licence=f"voice MIT (rhasspy/piper-voices); trained on {data}",
                citation=_PIPER_CITATION,
                purpose=f"the Piper voice {key}: {what}",
            )
        )
    return made[0], made[1]


PIPER_VOICE_ASSETS = {
    "en_US-joe-medium": _piper_voice(
        "en_US-joe-medium",
        (
            (63_201_294, "74fd6a4dc39e0aa9dce145d7f5acd4f6"),
            (4_794, "811036b9c1451545f9495fdc1baa0754"),
        ),
        "NabuCasa voice-datasets 'joe' (CC0)",
        mirror=True,
    ),
    "en_GB-northern_english_male-medium": _piper_voice(
        "en_GB-northern_english_male-medium",
        (
            (63_201_294, "4c9a9735bfb76ad67c8b31b23d6840a0"),
            (4_847, "0ce3f61a9604616ed475c921fdeedb1a"),
        ),
        "recordings of English accents of the British Isles (OpenSLR 83, CC BY-SA 4.0)",
        mirror=True,
    ),
    "en_GB-alba-medium": _piper_voice(
        "en_GB-alba-medium",
        (
            (63_201_294, "c07f313752bb3aba8061041666251654"),
            (4_888, "dbb6f2ede31082710665221417906e13"),
        ),
        "a Scottish English speaker's recordings (CC BY 4.0)",
        mirror=True,
    ),
    "en_GB-cori-medium": _piper_voice(
        "en_GB-cori-medium",
        (
            (63_531_379, "f143307611eccea9d976235d0895f57c"),
            (4_966, "12b1dc45d8919f3475cf296d5f16a4c6"),
        ),
        "LibriVox audiobooks read by Cori Samuel (public domain)",
        mirror=False,
    ),
    "en_US-ljspeech-medium": _piper_voice(
        "en_US-ljspeech-medium",
        (
            (63_531_379, "109d552e9dd78d92d1169a7edd6de38d"),
            (4_972, "0668112b8b3ac5bb4b12c2b1a366776a"),
        ),
        "LJSpeech: LibriVox audiobooks read by Linda Johnson (public domain)",
        mirror=False,
    ),
}
"""The Piper voices that can be downloaded, by voice name: (network asset, settings asset)."""
REGISTRY.update({asset.name: asset for pair in PIPER_VOICE_ASSETS.values() for asset in pair})


# --- where files go ---------------------------------------------------------------------------


def cache_dir(*, create: bool = True) -> Path:
    """Return the folder that keeps downloaded files, creating it when needed.

    It is the folder named by the ``WORKSHOP_CACHE`` environment variable when that is set, and
    otherwise this computer's usual cache folder (``~/.cache/workshop_lib`` on Linux).

    Parameters
    ----------
    create : bool
        Create the folder when it does not exist yet. False only tells where it is.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    WorkshopError
        When the folder cannot be created.

    Examples
    --------
    >>> folder = cache_dir()
    >>> folder.is_dir()
    True
    """
    configured = os.environ.get(CACHE_VARIABLE, "").strip()
    if configured:
        folder = Path(configured).expanduser()
    else:
        folder = Path(platformdirs.user_cache_dir("workshop_lib"))
    if not create:
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WorkshopError(
            f"The cache folder {folder} could not be created ({err.strerror}). Set the "
            f"environment variable {CACHE_VARIABLE} to a folder you can write to, for example "
            f"{CACHE_VARIABLE}=~/workshop_cache."
        ) from err
    return folder


def use_drive_cache(folder: str = "workshop_cache") -> Path:
    """Keep downloads on your Google Drive, so they survive a Colab runtime reset.

    Colab asks for permission to connect your Drive, then the cache points at
    ``MyDrive/<folder>`` for the rest of this session.

    Parameters
    ----------
    folder : str
        Folder inside "My Drive" for the downloads.

    Returns
    -------
    pathlib.Path
        The new cache folder.

    Raises
    ------
    WorkshopError
        Outside Colab, or when Google Drive could not be connected.
    """
    if runtime.where() != "colab":
        raise WorkshopError(
            "use_drive_cache() is for Google Colab, where it keeps downloads on your Google "
            f"Drive. Here, set the environment variable {CACHE_VARIABLE} to a folder to do the "
            f"same, for example {CACHE_VARIABLE}=~/workshop_cache."
        )
    try:
        from google.colab import drive

        drive.mount("/content/drive")
    except Exception as err:
        raise WorkshopError(
            f"Google Drive could not be connected ({err}). Downloads stay on the Colab "
            "runtime's own disk, which a runtime reset empties; run this cell again to retry."
        ) from err
    os.environ[CACHE_VARIABLE] = str(Path("/content/drive/MyDrive") / folder)
    return cache_dir()


def bundled(relative_path: str | os.PathLike) -> Path:
    """Return the path of a file that ships with the workshop (a sample photo, song or answer).

    These files live in the package folder ``workshop_lib/data/`` and need no download.

    Parameters
    ----------
    relative_path : str or path
        Path inside the data folder, such as ``"photos/lighthouse.jpg"``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    WorkshopError
        When there is no such file.
    """
    data = Path(str(resources.files("workshop_lib") / "data"))
    parts = PurePosixPath(Path(relative_path).as_posix()).parts
    path = data.joinpath(*parts)
    if Path(relative_path).is_absolute() or ".." in parts or not path.exists():
        available = sorted(entry.name for entry in data.iterdir()) if data.is_dir() else []
        shown = ", ".join(available[:20]) + (", …" if len(available) > 20 else "")
        raise WorkshopError(
            f"'{relative_path}' is not one of the files that ship with the workshop (looked in "
            f"{data}). Check the spelling; the folder holds: {shown or 'nothing yet'}."
        )
    return path


# --- describing assets ------------------------------------------------------------------------


def _resolve(asset: str | Asset) -> Asset:
    """Turn a registry name into its Asset; an Asset is returned as it is."""
    if isinstance(asset, Asset):
        return asset
    if asset not in REGISTRY:
        raise WorkshopError(
            f"There is no downloadable file called '{asset}'. Known names: {', '.join(REGISTRY)}."
        )
    return REGISTRY[asset]


def _download_path(asset: Asset) -> Path:
    """Where the downloaded file (the archive, for archives) is kept in the cache."""
    return cache_dir(create=False) / str(asset.filename)  # __post_init__ always sets it


def _final_path(asset: Asset) -> Path:
    """What fetch returns: the file, or the unpacked folder for archives."""
    return cache_dir(create=False) / asset.name if asset.extract else _download_path(asset)


def describe(asset: str | Asset) -> str:
    """Describe an asset in a few lines: purpose, size, address, licence, citation, cache path.

    Parameters
    ----------
    asset : str or Asset
        A registry name such as ``"siggraph17"``, or an :class:`Asset`.

    Returns
    -------
    str

    Examples
    --------
    >>> print(describe("eccv16").splitlines()[0])
    eccv16: the automatic colorization network's weights, also used to suggest colours
    """
    asset = _resolve(asset)
    lines = [
        f"{asset.name}: {asset.purpose}",
        f"  size:    about {format_size(asset.size)}",
        f"  from:    {asset.urls[0]}",
        *(f"  mirror:  {url}" for url in asset.urls[1:]),
        f"  licence: {asset.licence}",
        f"  cite:    {asset.citation}",
        f"  kept at: {_final_path(asset)}",
    ]
    return "\n".join(lines)


def _folder_size(folder: Path) -> int:
    """Bytes in all files under a folder."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def status(names: Iterable[str] | None = None) -> list[AssetStatus]:
    """Say, for each asset, whether it is in the cache, how big it is and where it is (or goes).

    Nothing is downloaded, hashed or created.

    Parameters
    ----------
    names : iterable of str, optional
        Registry names; None means all of them.

    Returns
    -------
    list of AssetStatus
        ``size`` is the size on disk when cached, otherwise the expected size.
    """
    result = []
    for asset in (_resolve(name) for name in (names if names is not None else REGISTRY)):
        path = _final_path(asset)
        cached = path.is_dir() if asset.extract else path.is_file()
        if cached:
            size = _folder_size(path) if asset.extract else path.stat().st_size
        else:
            size = asset.size
        result.append(AssetStatus(asset.name, cached, size, path))
    return result


# --- checksums --------------------------------------------------------------------------------


def _algorithm(asset: Asset) -> str:
    """The checksum an asset is checked with: "sha256", or "md5" where only that is published."""
    return "sha256" if asset.sha256 else "md5"


def _checksum(path: Path, algorithm: str = "sha256") -> str:
    """The file's checksum in hex (SHA-256 unless told otherwise)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, algorithm).hexdigest()


def _hash_matches(actual: str, expected: str) -> bool:
    """True when the full checksum equals the expected one, or starts with an expected prefix."""
    return actual.lower().startswith(expected.lower())


def _sidecar(path: Path) -> Path:
    """The small file that remembers a checked file's size, time and checksum."""
    return path.with_name(path.name + ".verified")


def _remember(path: Path, actual: str, algorithm: str = "sha256") -> None:
    """Write the sidecar for a file whose checksum was just checked."""
    info = path.stat()
    record = {"size": info.st_size, "mtime_ns": info.st_mtime_ns, algorithm: actual}
    try:
        _sidecar(path).write_text(json.dumps(record), "utf-8")
    except OSError:
        pass  # only a shortcut: without it the file is checked again next time


def _check_cached(path: Path, asset: Asset) -> tuple[bool, str]:
    """Check a cached file against the asset's checksum, using the sidecar when it still fits.

    Returns whether it matches, and its full checksum.
    """
    info = path.stat()
    try:
        record = json.loads(_sidecar(path).read_text("utf-8"))
    except (OSError, ValueError):
        record = {}
    same_file = record.get("size") == info.st_size and record.get("mtime_ns") == info.st_mtime_ns
    algorithm, expected = _algorithm(asset), asset.sha256 or asset.md5
    if same_file and isinstance(record.get(algorithm), str):
        if _hash_matches(record[algorithm], expected):
            return True, record[algorithm]
    actual = _checksum(path, algorithm)
    if _hash_matches(actual, expected):
        _remember(path, actual, algorithm)
        return True, actual
    _sidecar(path).unlink(missing_ok=True)
    return False, actual


def _expected(asset: Asset) -> str:
    """The expected checksum as people should read it: its kind, then the hex (a prefix ends in …)."""
    if not asset.sha256:
        return f"md5 {asset.md5}"
    return f"sha256 {asset.sha256}" if len(asset.sha256) == 64 else f"sha256 {asset.sha256}…"


# --- fetching ---------------------------------------------------------------------------------


def fetch(asset: str | Asset, *, progress: bool = True) -> Path:
    """Return the local path of a downloadable file, downloading and checking it the first time.

    A file already in the cache is returned at once; its checksum is checked once and the result
    remembered. A new download goes to a temporary ``.part`` file, is checked, and only then
    takes its final name, so a broken download never looks complete. Mirrors are tried in order.
    Archives are unpacked into a folder, which is returned. With the offline switch on, the
    small stand-in that ships with the package is returned instead, and nothing is downloaded.

    Parameters
    ----------
    asset : str or Asset
        A registry name such as ``"siggraph17"`` (see :data:`REGISTRY`), or an :class:`Asset`.
    progress : bool
        Show a progress bar while downloading.

    Returns
    -------
    pathlib.Path
        The file, or the folder of an unpacked archive.

    Raises
    ------
    WorkshopError
        No internet, a file that moved, a wrong checksum, a full disk, or the offline switch is
        on and the file is not here. The message says where to put a copy you download yourself.
    """
    asset = _resolve(asset)
    offline = runtime.is_offline()
    if offline and asset.offline:
        return _stand_in(asset)
    final, download = _final_path(asset), _download_path(asset)
    if asset.extract and final.is_dir():
        return final
    if download.is_file():
        matches, actual = _check_cached(download, asset)
        if matches:
            return _unpack(asset, download, final) if asset.extract else final
        if offline:
            raise WorkshopError(_cached_mismatch_message(asset, download, actual))
    if offline:
        raise WorkshopError(_offline_message(asset))
    _check_free_space(asset, cache_dir())
    _download(asset, download, progress)
    return _unpack(asset, download, final) if asset.extract else final


def _unpack(asset: Asset, archive: Path, folder: Path) -> Path:
    """Unpack a checked archive into its folder, then delete the archive to save disk space."""
    extract_archive(archive, folder, kind=asset.extract)
    archive.unlink()
    _sidecar(archive).unlink(missing_ok=True)
    return folder


def _stand_in(asset: Asset) -> Path:
    """The packaged offline stand-in of an asset."""
    path = Path(str(resources.files("workshop_lib") / str(asset.offline)))
    if not path.exists():
        raise WorkshopError(
            f"The offline stand-in for '{asset.name}' should ship with the workshop at {path}, "
            "but it is missing. Reinstall the workshop ('bash workshop.sh install'), or turn the "
            f"offline switch off (remove {runtime.OFFLINE_VARIABLE}) to download the real file."
        )
    return path


def _place_it_yourself(asset: Asset) -> str:
    """The sentence that says where a copy downloaded by hand goes."""
    unpack = " (the workshop unpacks it)" if asset.extract else ""
    return (
        f"You can also download {asset.urls[0]} yourself, in a browser, and put it at "
        f"{_download_path(asset)}{unpack}; the workshop then uses that copy."
    )


def _offline_message(asset: Asset) -> str:
    return (
        f"'{asset.name}' ({asset.purpose}, about {format_size(asset.size)}) is not on this "
        f"computer yet, and the offline switch is on ({runtime.OFFLINE_VARIABLE}=1), so the "
        "workshop downloads nothing. To download it, turn the offline switch off (remove "
        f"{runtime.OFFLINE_VARIABLE} or set it to 0) and run this "
        f"again with internet. {_place_it_yourself(asset)}"
    )


def _cached_mismatch_message(asset: Asset, path: Path, actual: str) -> str:
    return (
        f"The file {path} does not match the checksum of '{asset.name}' (expected "
        f"{_expected(asset)}, got {actual}), so it is incomplete or a different file. Delete it "
        f"and download {asset.urls[0]} again, or turn the offline switch off (remove "
        f"{runtime.OFFLINE_VARIABLE}) so the workshop downloads it itself."
    )


def _offline_hint() -> str:
    return (
        f"Without internet, turn the offline switch on ({runtime.OFFLINE_VARIABLE}=1) to use the "
        "small stand-ins that ship with the workshop instead of downloads."
    )


def _no_space_message(asset: Asset, folder: Path, needed: int | None, free: int) -> str:
    need = f"it needs about {format_size(needed)}, and" if needed else "the disk filled up:"
    return (
        f"There is not enough free disk space to download '{asset.name}' ({asset.purpose}) "
        f"from {asset.urls[0]}: {need} {folder} has {format_size(free)} free. Delete files you "
        f"no longer need, or set the environment variable {CACHE_VARIABLE} to a folder on a "
        f"disk with more room. {_place_it_yourself(asset)} {_offline_hint()}"
    )


def _check_free_space(asset: Asset, folder: Path) -> None:
    """Refuse a download that would not fit on the disk (archives need room to unpack too)."""
    needed = asset.size * (2 if asset.extract else 1) + SPARE_SPACE
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise WorkshopError(_no_space_message(asset, folder, needed, free))


class _Progress:
    """A ``tqdm.auto`` bar in the shape pooch's downloader expects (it sets ``total`` late)."""

    def __init__(self, description: str):
        from tqdm.auto import tqdm

        self._bar = tqdm(desc=description, unit="B", unit_scale=True, leave=True)

    @property
    def total(self):
        return self._bar.total

    @total.setter
    def total(self, value):
        self._bar.reset(total=value or None)

    def update(self, count):
        self._bar.update(count)

    def reset(self):
        self._bar.reset()

    def close(self):
        self._bar.close()


def _download(asset: Asset, destination: Path, progress: bool) -> None:
    """Download an asset to ``destination``, trying its mirrors in order."""
    failures, last_error = [], None
    for url in asset.urls:
        reason, last_error = _attempt(asset, url, destination, progress)
        if reason is None:
            return
        failures.append(f"From {url}: {reason}.")
    raise WorkshopError(
        f"Could not download '{asset.name}' ({asset.purpose}, about {format_size(asset.size)}). "
        f"{' '.join(failures)} {_place_it_yourself(asset)} {_offline_hint()}"
    ) from last_error


def _attempt(asset: Asset, url: str, destination: Path, progress: bool):
    """Download one address into a part file, check it, then move it into place.

    Returns ``(None, None)`` on success, else a reason in plain words and the error behind it.
    """
    import pooch
    import requests

    handle, part_name = tempfile.mkstemp(
        dir=destination.parent, prefix=f"{destination.name}.", suffix=".part"
    )
    os.close(handle)
    part = Path(part_name)
    bar = _Progress(asset.name) if progress else None
    downloader = pooch.HTTPDownloader(progressbar=bar or False, chunk_size=_CHUNK, timeout=_TIMEOUT)
    try:
        downloader(url, str(part), None)
        actual = _checksum(part, _algorithm(asset))
        if not _hash_matches(actual, asset.sha256 or asset.md5):
            return _mismatch_reason(asset, actual), None
        part.replace(destination)
        _remember(destination, actual, _algorithm(asset))
        return None, None
    except requests.RequestException as err:
        return _download_reason(err), err
    except OSError as err:
        if err.errno == errno.ENOSPC:
            free = shutil.disk_usage(destination.parent).free
            raise WorkshopError(_no_space_message(asset, destination.parent, None, free)) from err
        raise
    finally:
        part.unlink(missing_ok=True)
        if bar:
            bar.close()


def _download_reason(err: Exception) -> str:
    """Explain a failed download in plain words (the words come from :mod:`workshop_lib.net`)."""
    import requests

    said = net.failure_reason(err)
    if isinstance(err, requests.HTTPError):
        return said
    if isinstance(err, (requests.Timeout, requests.ConnectionError)):
        return f"{said}. Check the internet connection and try again"
    return f"{said} during the download, and the unfinished file was deleted. Check the internet connection and try again"


def _mismatch_reason(asset: Asset, actual: str) -> str:
    """Explain a checksum mismatch in plain words."""
    return (
        f"the downloaded file did not match its checksum (expected {_expected(asset)}, "
        f"got {actual}), so the download was deleted. The likely cause is an interrupted "
        "download or a file that changed on the server; try again"
    )
