"""The TensorFlow checkpoint reader: real files written by TensorFlow, and damaged copies of them."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from workshop_lib.errors import WorkshopError
from workshop_lib.separate import tf_checkpoint

OFFLINE = Path(tf_checkpoint.__file__).parent / "offline"


@pytest.fixture
def model(tmp_path) -> Path:
    """A copy of the packaged 2stems checkpoint (written by TensorFlow 2.12.1's Saver)."""
    return Path(shutil.copytree(OFFLINE / "2stems", tmp_path / "2stems"))


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_crc32c_matches_the_published_check_value():
    assert tf_checkpoint.crc32c(b"123456789") == 0xE3069283


def test_crc32c_of_a_long_buffer_matches_the_byte_by_byte_version():
    data = np.random.default_rng(0).integers(0, 256, 300_007, dtype=np.uint8).tobytes()

    fast = tf_checkpoint.crc32c(data)
    slow = tf_checkpoint._crc_bytes(0xFFFFFFFF, data) ^ 0xFFFFFFFF

    assert fast == slow


def test_reader_lists_every_tensor_of_a_two_stem_model(model):
    tensors = tf_checkpoint.read_checkpoint(model)

    assert len(tensors) == 149  # as Deezer's 2stems: 2 U-Nets x 74 tensors + global_step
    assert tensors["global_step"].dtype == np.int64
    assert tensors["conv2d/kernel"].shape == (5, 5, 2, 2)  # conv widths 2..8 in the stand-in
    assert tensors["conv2d_6/kernel"].shape == (4, 4, 1, 2)  # vocals' final 4x4 convolution
    assert tensors["conv2d_transpose_11/kernel"].shape == (5, 5, 1, 4)
    assert tensors["batch_normalization_23/moving_variance"].shape == (1,)
    assert all(np.all(np.isfinite(v)) for v in tensors.values())


@pytest.mark.parametrize("given", ["folder", "prefix", "index"])
def test_reader_accepts_a_folder_a_prefix_or_the_index_file(model, given):
    path = {"folder": model, "prefix": model / "model", "index": model / "model.index"}[given]

    assert tf_checkpoint.find_checkpoint(path) == model / "model"


def test_reader_finds_the_checkpoint_without_the_checkpoint_file(model):
    (model / "checkpoint").unlink()

    assert len(tf_checkpoint.list_tensors(model)) == 149


def test_truncated_index_is_reported(model):
    index = model / "model.index"
    index.write_bytes(index.read_bytes()[:-10])

    with pytest.raises(WorkshopError, match="magic number"):
        tf_checkpoint.read_checkpoint(model)


def test_damaged_index_block_fails_its_checksum(model):
    _flip_byte(model / "model.index", 100)

    with pytest.raises(WorkshopError, match=r"checksum.*download the model again"):
        tf_checkpoint.read_checkpoint(model)


def test_damaged_tensor_data_fails_its_checksum(model):
    _flip_byte(model / "model.data-00000-of-00001", 1000)

    with pytest.raises(WorkshopError, match="fails its checksum"):
        tf_checkpoint.read_checkpoint(model)
    assert len(tf_checkpoint.read_checkpoint(model, verify=False)) == 149


def test_truncated_data_file_is_reported(model):
    data = model / "model.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:5000])

    with pytest.raises(WorkshopError, match="truncated"):
        tf_checkpoint.read_checkpoint(model)


def test_missing_data_file_is_reported(model):
    (model / "model.data-00000-of-00001").unlink()

    with pytest.raises(WorkshopError, match=r"data file .* is missing"):
        tf_checkpoint.read_checkpoint(model)


def test_foreign_file_is_not_read_as_a_checkpoint(model):
    (model / "model.index").write_bytes(b"<html>Not found</html>" * 10)

    with pytest.raises(WorkshopError, match="could not be read as a TensorFlow checkpoint"):
        tf_checkpoint.read_checkpoint(model)


def test_folder_without_a_checkpoint_is_reported(tmp_path):
    with pytest.raises(WorkshopError, match="does not hold exactly one TensorFlow checkpoint"):
        tf_checkpoint.read_checkpoint(tmp_path)


def test_reader_lists_deezers_released_2stems_index():
    # The 5,244-byte model.index of Deezer's 2stems release (v1.4.0), as TensorFlow wrote it.
    index = Path(__file__).parent / "fixtures" / "spleeter" / "release_2stems" / "model.index"

    tensors = tf_checkpoint.list_tensors(index)

    assert len(tensors) == 149  # 148 weights and global_step
    assert sum(info.size for info in tensors.values()) == 78_614_080  # the release's data file
    assert tensors["conv2d_7/kernel"].shape == (5, 5, 2, 16)  # accompaniment's first conv
    assert tensors["conv2d_6/kernel"].shape == (4, 4, 1, 2)  # vocals' final conv
    assert tensors["global_step"].dtype == np.int64
    assert all(info.crc is not None for info in tensors.values())
