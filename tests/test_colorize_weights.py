"""Loading weights: the published file layout loads strictly; the offline stand-ins take the same path."""

import json
from pathlib import Path

import pytest
import torch

from workshop_lib import WorkshopError, assets
from workshop_lib.colorize import bundles, from_pretrained, weights
from workshop_lib.colorize.model import ECCVGenerator, SIGGRAPHGenerator

PUBLISHED = json.loads(
    (Path(__file__).parent / "fixtures" / "colorize" / "published_state_dict_keys.json").read_text()
)


def published_file(name: str, folder: Path, *, drop=(), extra=None, counters=True) -> Path:
    """A .pth file with every key and shape of the published checkpoint (values are zeros).

    The tensors are zero-strided views, so the file is tiny while the shapes are full size.
    """
    state = {}
    for key, shape in PUBLISHED[name].items():
        if key in drop or (not counters and key.endswith("num_batches_tracked")):
            continue
        if key.endswith("num_batches_tracked"):
            state[key] = torch.zeros((), dtype=torch.int64)
        else:
            state[key] = torch.zeros(()).expand(*shape)
    state.update(extra or {})
    path = folder / f"{name}.pth"
    torch.save(state, path)
    return path


@pytest.mark.parametrize(
    ("name", "cls"), [("siggraph17", SIGGRAPHGenerator), ("eccv16", ECCVGenerator)]
)
def test_a_file_in_the_published_layout_loads_strictly_at_full_width(name, cls, tmp_path):
    path = published_file(name, tmp_path)

    model = weights.build(name, weights.read_state_dict(path))

    assert type(model) is cls
    assert model.width == 64
    assert not model.training


def test_a_file_without_batch_counters_still_loads(tmp_path):
    path = published_file("siggraph17", tmp_path, counters=False)

    model = weights.build("siggraph17", weights.read_state_dict(path))

    assert int(model.model1[4].num_batches_tracked) == 0


def test_a_missing_layer_is_refused_by_name(tmp_path):
    path = published_file("siggraph17", tmp_path, drop={"model_class.0.weight"})

    with pytest.raises(WorkshopError, match=r"model_class\.0\.weight"):
        weights.build("siggraph17", weights.read_state_dict(path))


def test_an_unexpected_layer_is_refused(tmp_path):
    path = published_file("eccv16", tmp_path, extra={"model9.0.weight": torch.zeros(3)})

    with pytest.raises(WorkshopError, match=r"model9\.0\.weight"):
        weights.build("eccv16", weights.read_state_dict(path))


def test_weights_for_the_other_network_are_refused(tmp_path):
    path = published_file("eccv16", tmp_path)

    with pytest.raises(WorkshopError, match="does not fit the 'siggraph17' network"):
        weights.build("siggraph17", weights.read_state_dict(path))


def test_a_damaged_file_gives_a_clear_message(tmp_path):
    path = tmp_path / "broken.pth"
    path.write_bytes(b"PK\x03\x04 this is not a whole file")

    with pytest.raises(WorkshopError, match="incomplete"):
        weights.read_state_dict(path)


def test_a_file_that_would_run_code_is_refused(tmp_path):
    path = tmp_path / "code.pth"
    torch.save({"model1.0.weight": torch.zeros(1), "extra": Path("x")}, path)

    with pytest.raises(WorkshopError, match="could run code"):
        weights.read_state_dict(path)


@pytest.mark.parametrize("name", ["siggraph17", "eccv16"])
def test_offline_stand_ins_are_small_files_of_the_same_classes(name, monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    path = assets.fetch(name)
    model = from_pretrained(name, device="cpu")

    assert path.stat().st_size < 2_000_000
    assert type(model) is weights.MODELS[name]
    assert model.width < 64
    state = torch.load(path, weights_only=True)
    assert set(state) == set(PUBLISHED[name])


def test_the_loaded_network_is_kept_for_the_next_call(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    first = from_pretrained("siggraph17", device="cpu")
    second = from_pretrained("siggraph17", device="cpu")

    assert first is second


def test_an_unknown_model_name_lists_the_known_ones():
    with pytest.raises(WorkshopError, match=r"'siggraph17'.*'eccv16'"):
        from_pretrained("deoldify")


@pytest.mark.parametrize("name", ["siggraph17", "eccv16"])
def test_each_network_is_a_bundle_with_its_file_size_and_licence(name):
    bundle = bundles.bundle(name)

    assert bundle.task == "colorize"
    assert bundle.assets == (name,)
    assert bundle.input_size == 256
    assert bundle.licence.startswith("BSD-2-Clause")
    assert "Zhang" in bundle.citation
    assert [b.name for b in bundles.BUNDLES] == ["siggraph17", "eccv16"]


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu"), None])
def test_a_bundle_loads_for_every_form_of_device(device, monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_DEVICE", "cpu")

    model = bundles.bundle("eccv16").load(device)

    assert next(model.parameters()).device == torch.device("cpu")
    assert model is from_pretrained("eccv16", device=device)
    assert "stand-in" in bundles.bundle("eccv16").stand_in_note()


def test_the_catalog_lists_the_colorization_bundles():
    from workshop_lib import catalog

    assert {"siggraph17", "eccv16"} <= set(catalog.BUNDLES)


def test_the_registry_names_the_authors_files():
    assert assets.REGISTRY["siggraph17"].urls[0].endswith("siggraph17-df00044c.pth")
    assert assets.REGISTRY["siggraph17"].sha256 == "df00044c"
    assert assets.REGISTRY["eccv16"].urls[0].endswith("colorization_release_v2-9b330a0b.pth")
    assert assets.REGISTRY["eccv16"].sha256 == "9b330a0b"
