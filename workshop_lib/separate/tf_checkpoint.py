"""Read TensorFlow checkpoints (the ``.index`` table and ``.data`` shard) with plain Python and numpy.

A TensorFlow checkpoint such as Deezer's ``2stems/model`` is two files: ``model.index``, a small
sorted table (LevelDB's "SSTable" layout) that names every tensor and says where its bytes are,
and ``model.data-00000-of-00001``, the raw tensor bytes one after another. This module reads
both without TensorFlow or the protobuf package, and checks everything it reads: the table's
magic number, the checksum of every table block, every tensor's size, and (by default) every
tensor's own checksum. A truncated, damaged or foreign file gives a clear :class:`WorkshopError`.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import WorkshopError

__all__ = ["TensorInfo", "crc32c", "find_checkpoint", "list_tensors", "read_checkpoint"]

_MAGIC = 0xDB4775248B80FB57  # LevelDB table magic number, at the end of every .index file
_FOOTER_SIZE = 48  # two block handles padded to 40 bytes, then the 8-byte magic number
_TRAILER_SIZE = 5  # after each block: 1 byte compression type, 4 bytes masked CRC32C
_MASK_DELTA = 0xA282EAD8

# TensorFlow's DataType enum -> numpy dtype (types.proto). bfloat16 and strings are not readable.
_DTYPES = {
    1: np.float32,
    2: np.float64,
    3: np.int32,
    4: np.uint8,
    5: np.int16,
    6: np.int8,
    8: np.complex64,
    9: np.int64,
    10: np.bool_,
    17: np.uint16,
    18: np.complex128,
    19: np.float16,
    22: np.uint32,
    23: np.uint64,
}
_DTYPE_NAMES = {7: "string", 14: "bfloat16"}


# --- CRC32C (Castagnoli), the checksum TensorFlow and LevelDB use ------------------------------


def _crc_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0x82F63B78), table >> 1)
    return table.astype(np.uint32)


_TABLE = _crc_table()
_TABLE_LIST = _TABLE.tolist()
_LANES = 4096  # bytes of a long buffer processed side by side by numpy


def _crc_bytes(register: int, data) -> int:
    """Advance the CRC register over bytes, one at a time (for short pieces)."""
    table = _TABLE_LIST
    for byte in bytes(data):
        register = table[(register ^ byte) & 0xFF] ^ (register >> 8)
    return register


def _shift_tables(length: int) -> list[list[int]]:
    """Four byte tables that move a CRC register past ``length`` zero bytes in one step."""
    registers = np.uint32(1) << np.arange(32, dtype=np.uint32)
    for _ in range(length):
        registers = _TABLE[registers & 0xFF] ^ (registers >> 8)
    values = np.arange(256, dtype=np.uint32)
    tables = []
    for byte in range(4):
        table = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            column = registers[8 * byte + bit]
            table ^= np.where((values >> bit) & 1, column, np.uint32(0)).astype(np.uint32)
        tables.append(table.tolist())
    return tables


def crc32c(data: Any, crc: int = 0) -> int:
    """Return the CRC32C checksum of ``data`` (continuing from ``crc``), as TensorFlow computes it.

    Long buffers are cut into 4096 pieces whose checksums numpy computes side by side; the
    pieces' checksums are then joined (a CRC is linear, so moving a register past ``n`` zero
    bytes is one table look-up per byte of the register).

    ``data`` is anything with the buffer protocol: bytes, a memoryview, a numpy array.

    Examples
    --------
    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    """
    view = memoryview(data).cast("B")
    register = crc ^ 0xFFFFFFFF
    length = view.nbytes // _LANES
    if length < 64:
        return _crc_bytes(register, view) ^ 0xFFFFFFFF
    body = np.frombuffer(view, dtype=np.uint8, count=_LANES * length)
    columns = body.reshape(_LANES, length).T.copy()
    lanes = np.zeros(_LANES, dtype=np.uint32)
    for column in columns:
        lanes = _TABLE[(lanes ^ column) & 0xFF] ^ (lanes >> 8)
    t0, t1, t2, t3 = _shift_tables(length)
    for value in lanes.tolist():
        register = (
            t0[register & 0xFF]
            ^ t1[(register >> 8) & 0xFF]
            ^ t2[(register >> 16) & 0xFF]
            ^ t3[register >> 24]
            ^ value
        )
    return _crc_bytes(register, view[_LANES * length :]) ^ 0xFFFFFFFF


def _unmask(masked: int) -> int:
    """Undo LevelDB's masking of a stored CRC (it rotates and adds a constant)."""
    rotated = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF


# --- reading the table ------------------------------------------------------------------------


class _Damaged(Exception):
    """Raised inside the parser; turned into a WorkshopError that names the file."""


def _varint(data: bytes, position: int, limit: int | None = None) -> tuple[int, int]:
    """Read a protobuf/LevelDB varint; return it and the position after it."""
    limit = len(data) if limit is None else limit
    result = shift = 0
    while True:
        if position >= limit or shift > 63:
            raise _Damaged("a number runs past the end of its block")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _block_handle(data: bytes, position: int) -> tuple[tuple[int, int], int]:
    offset, position = _varint(data, position)
    size, position = _varint(data, position)
    return (offset, size), position


def _read_block(index: bytes, handle: tuple[int, int]) -> bytes:
    """Return one table block's contents after checking its bounds, type and checksum."""
    offset, size = handle
    end = offset + size + _TRAILER_SIZE
    if end > len(index) - _FOOTER_SIZE:
        raise _Damaged(f"a block at byte {offset} runs past the end of the file (truncated?)")
    contents = index[offset : offset + size]
    kind = index[offset + size]
    (stored,) = struct.unpack_from("<I", index, offset + size + 1)
    actual = crc32c(index[offset : offset + size + 1])
    if _unmask(stored) != actual:
        raise _Damaged(f"the block at byte {offset} fails its checksum (the file is damaged)")
    if kind != 0:
        raise _Damaged(
            f"the block at byte {offset} is compressed (type {kind}); only uncompressed "
            "checkpoints, as TensorFlow writes them, can be read"
        )
    return contents


def _block_entries(block: bytes):
    """Yield (key, value) pairs from one block (keys are prefix-compressed)."""
    if len(block) < 4:
        raise _Damaged("a block is too short")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * restarts
    if restarts == 0 or end < 0:
        raise _Damaged("a block's restart list is damaged")
    position, key = 0, b""
    while position < end:
        shared, position = _varint(block, position, end)
        unshared, position = _varint(block, position, end)
        value_length, position = _varint(block, position, end)
        if shared > len(key) or position + unshared + value_length > end:
            raise _Damaged("an entry runs past the end of its block")
        key = key[:shared] + block[position : position + unshared]
        position += unshared
        yield key, block[position : position + value_length]
        position += value_length


def _table_entries(index: bytes):
    """Yield every (key, value) of an SSTable held in memory, checking footer and blocks."""
    if len(index) < _FOOTER_SIZE:
        raise _Damaged(f"the file has only {len(index)} bytes (truncated?)")
    (magic,) = struct.unpack_from("<Q", index, len(index) - 8)
    if magic != _MAGIC:
        raise _Damaged("it does not end with the checkpoint index's magic number")
    footer = len(index) - _FOOTER_SIZE
    _metaindex, position = _block_handle(index, footer)
    index_handle, _ = _block_handle(index, position)
    for _key, handle_bytes in _block_entries(_read_block(index, index_handle)):
        handle, _ = _block_handle(handle_bytes, 0)
        yield from _block_entries(_read_block(index, handle))


# --- protobuf wire format (only what BundleEntryProto and BundleHeaderProto use) ---------------


def _fields(message: bytes) -> Iterator[tuple[int, Any]]:
    """Yield (field number, value) of a protobuf message; values are ints or bytes."""
    position = 0
    while position < len(message):
        tag, position = _varint(message, position)
        number, wire = tag >> 3, tag & 7
        value: Any
        if wire == 0:
            value, position = _varint(message, position)
        elif wire == 1:
            if position + 8 > len(message):
                raise _Damaged("a tensor's description is cut short")
            (value,) = struct.unpack_from("<Q", message, position)
            position += 8
        elif wire == 2:
            length, position = _varint(message, position)
            if position + length > len(message):
                raise _Damaged("a tensor's description is cut short")
            value = bytes(message[position : position + length])
            position += length
        elif wire == 5:
            if position + 4 > len(message):
                raise _Damaged("a tensor's description is cut short")
            (value,) = struct.unpack_from("<I", message, position)
            position += 4
        else:
            raise _Damaged(f"a tensor's description has an unknown field type {wire}")
        yield number, value


def _shape(message: bytes) -> tuple[int, ...]:
    dims = []
    for number, value in _fields(message):
        if number == 2:  # dim { size: 1, name: 2 }
            size = next((v for n, v in _fields(value) if n == 1), 0)
            dims.append(size - (1 << 64) if size >= 1 << 63 else size)
        elif number == 3 and value:
            raise _Damaged("a tensor has an unknown shape")
    if any(size < 0 for size in dims):
        raise _Damaged("a tensor has a negative size")
    return tuple(dims)


@dataclass(frozen=True)
class TensorInfo:
    """Where one tensor lives in the data file: name, numpy dtype, shape, offset, size, checksum."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]
    shard: int
    offset: int
    size: int
    crc: int | None


def _entry(name: str, message: bytes) -> TensorInfo:
    values: dict[str, Any] = {"dtype": 0, "shape": b"", "shard": 0, "offset": 0, "size": 0}
    values["crc"] = None
    names = {1: "dtype", 2: "shape", 3: "shard", 4: "offset", 5: "size", 6: "crc"}
    for number, value in _fields(message):
        if number == 7:
            raise _Damaged(f"tensor '{name}' is split into slices, which is not supported")
        if number in names:
            values[names[number]] = value
    code = values["dtype"]
    if code not in _DTYPES:
        kind = _DTYPE_NAMES.get(code, f"type number {code}")
        raise _Damaged(f"tensor '{name}' holds {kind} values, which cannot be read here")
    return TensorInfo(
        name=name,
        dtype=np.dtype(_DTYPES[code]),
        shape=_shape(values["shape"]),
        shard=values["shard"],
        offset=values["offset"],
        size=values["size"],
        crc=None if values["crc"] is None else _unmask(values["crc"]),
    )


# --- the public functions ---------------------------------------------------------------------


def find_checkpoint(path: str | os.PathLike) -> Path:
    """Return a checkpoint's prefix (``folder/model``) from a folder, a prefix or its ``.index``.

    In a folder, the ``checkpoint`` file names the prefix when it is there (only the file name
    is used, so a moved folder still works); otherwise the one ``.index`` file does.

    Raises
    ------
    WorkshopError
        When no checkpoint is found, or a folder holds several and none is named.
    """
    path = Path(path)
    if path.suffix == ".index" and path.is_file():
        return path.with_suffix("")
    if path.with_name(path.name + ".index").is_file():
        return path
    if not path.is_dir():
        raise WorkshopError(f"There is no checkpoint at {path}. Check the folder name.")
    named = path / "checkpoint"
    if named.is_file():
        for line in named.read_text("utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model_checkpoint_path":
                prefix = path / Path(value.strip().strip('"').replace("\\", "/")).name
                if prefix.with_name(prefix.name + ".index").is_file():
                    return prefix
    indexes = sorted(path.glob("*.index"))
    if len(indexes) == 1:
        return indexes[0].with_suffix("")
    found = ", ".join(index.name for index in indexes) or "no .index file"
    raise WorkshopError(
        f"The folder {path} does not hold exactly one TensorFlow checkpoint ({found}). It should "
        "contain model.index and model.data-00000-of-00001; download or unpack the model again."
    )


def _damaged_message(path: Path, why: str) -> str:
    return (
        f"{path.name} could not be read as a TensorFlow checkpoint: {why}. It may be incomplete "
        f"or not a checkpoint at all. Delete the folder {path.parent} and download the model again."
    )


def list_tensors(path: str | os.PathLike) -> dict[str, TensorInfo]:
    """List the tensors of a checkpoint (names, dtypes, shapes, where they are) without their values.

    Parameters
    ----------
    path : str or path
        The checkpoint folder, its prefix (``.../model``) or its ``.index`` file.

    Returns
    -------
    dict of str to TensorInfo
        In the table's order (sorted by name).

    Raises
    ------
    WorkshopError
        For a missing, truncated, damaged or foreign file.
    """
    prefix = find_checkpoint(path)
    index_path = prefix.with_name(prefix.name + ".index")
    index = index_path.read_bytes()
    tensors: dict[str, TensorInfo] = {}
    try:
        for key, value in _table_entries(index):
            if key == b"":
                header = dict(_fields(value))
                if header.get(2, 0) not in (0, 1):
                    raise _Damaged("its byte order is unknown")
                if header.get(2, 0) == 1:
                    raise _Damaged("it was written on a big-endian computer")
                continue
            name = key.decode("utf-8", errors="replace")
            tensors[name] = _entry(name, value)
    except _Damaged as err:
        raise WorkshopError(_damaged_message(index_path, str(err))) from err
    if not tensors:
        raise WorkshopError(_damaged_message(index_path, "it lists no tensors"))
    return tensors


def read_checkpoint(path: str | os.PathLike, *, verify: bool = True) -> dict[str, np.ndarray]:
    """Read every tensor of a TensorFlow checkpoint into numpy arrays, without TensorFlow.

    The ``.index`` file is checked (magic number, block checksums) and each tensor's byte count
    must match its dtype and shape. With ``verify`` (the default) each tensor's bytes are also
    checked against the checksum the index stores for them.

    Parameters
    ----------
    path : str or path
        The checkpoint folder, its prefix (``.../model``) or its ``.index`` file.
    verify : bool
        Check every tensor's CRC32C checksum (about 0.3 s per 80 MB).

    Returns
    -------
    dict of str to numpy.ndarray
        Tensor name (such as ``"conv2d/kernel"``) to its values, in TensorFlow's layout.

    Raises
    ------
    WorkshopError
        For a missing, truncated, damaged or foreign file.

    Examples
    --------
    >>> from workshop_lib.separate.tf_checkpoint import read_checkpoint
    >>> from workshop_lib.assets import fetch
    >>> tensors = read_checkpoint(fetch("spleeter-2stems"))  # doctest: +SKIP
    >>> tensors["conv2d/kernel"].shape  # doctest: +SKIP
    (5, 5, 2, 16)
    """
    prefix = find_checkpoint(path)
    infos = list_tensors(prefix)
    shards = 1 + max(info.shard for info in infos.values())
    arrays: dict[str, np.ndarray] = {}
    for shard in range(shards):
        data_path = prefix.with_name(f"{prefix.name}.data-{shard:05d}-of-{shards:05d}")
        if not data_path.is_file():
            raise WorkshopError(
                f"The checkpoint's data file {data_path.name} is missing from {prefix.parent}. "
                "Download or unpack the model again."
            )
        data = np.memmap(data_path, dtype=np.uint8, mode="r") if data_path.stat().st_size else b""
        for info in (i for i in infos.values() if i.shard == shard):
            arrays[info.name] = _tensor(info, data, data_path, verify)
        del data
    return arrays


def _tensor(info: TensorInfo, data, data_path: Path, verify: bool) -> np.ndarray:
    expected = int(np.prod(info.shape, dtype=np.int64)) * info.dtype.itemsize
    if info.size != expected:
        raise WorkshopError(
            _damaged_message(
                data_path,
                f"tensor '{info.name}' should take {expected} bytes for shape {info.shape}, but "
                f"the index says {info.size}",
            )
        )
    if info.offset + info.size > len(data):
        raise WorkshopError(
            _damaged_message(
                data_path,
                f"tensor '{info.name}' lies beyond the end of the file ({len(data)} bytes; "
                "the file is truncated)",
            )
        )
    raw = np.array(data[info.offset : info.offset + info.size], dtype=np.uint8)
    if verify and info.crc is not None and crc32c(raw) != info.crc:
        raise WorkshopError(
            _damaged_message(data_path, f"tensor '{info.name}' fails its checksum (damaged data)")
        )
    values = raw.view(info.dtype.newbyteorder("<")).reshape(info.shape)
    return values.astype(info.dtype, copy=False)  # a copy only on a big-endian computer
