"""The Colorizer: hints and their history, colours and gamut, suggestions, results, saving, scores.

Offline (WORKSHOP_OFFLINE=1), so the networks are the small random-weight stand-ins: these tests
check what the code does with any network's output, not how good the colours are.
"""

import ast
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from workshop_lib import WorkshopError
from workshop_lib.assets import bundled
from workshop_lib.colorize import Colorizer, Hint, colorize, hint_sweep, plot_sweep, psnr
from workshop_lib.colorize.colors import in_gamut, parse_color


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")


@pytest.fixture
def portrait():
    """The astronaut portrait: a colour photo, so the true colours are known."""
    return Colorizer(bundled("images/astronaut.jpg"))


# --- loading -----------------------------------------------------------------------------------


def test_a_colour_photo_is_turned_grey_and_its_colours_kept(portrait):
    grey = np.asarray(portrait.grey).astype(int)

    assert portrait.has_truth
    assert portrait.original.size == portrait.size == (512, 512)
    assert np.abs(grey[..., 0] - grey[..., 2]).max() <= 1


def test_a_black_and_white_photo_has_no_truth():
    colorizer = Colorizer(bundled("images/cameraman.jpg"))

    assert not colorizer.has_truth
    with pytest.raises(WorkshopError, match="black and white to begin with"):
        colorizer.psnr()


def test_a_huge_photo_is_worked_on_at_a_capped_size_with_a_note():
    colorizer = Colorizer(np.full((300, 900, 3), 90, np.uint8), max_side=450)

    assert colorizer.size == (450, 150)
    assert "shrunk" in colorizer.note
    assert colorizer.result().size == (450, 150)


def test_a_tiny_photo_is_refused():
    with pytest.raises(WorkshopError, match="too small"):
        Colorizer(np.zeros((1, 1), np.uint8))


# --- results -----------------------------------------------------------------------------------


def test_result_has_the_photo_full_size_and_its_own_fine_detail():
    photo = np.full((600, 900), 120, np.uint8)
    photo[100:140, 100:140] = np.indices((40, 40)).sum(axis=0) % 2 * 200  # 1-pixel checks
    colorizer = Colorizer(photo)

    result = colorizer.result()

    assert result.size == (900, 600)
    brightness = np.asarray(result.convert("L")).astype(int)
    checks = brightness[100:140, 100:140]
    assert np.abs(np.diff(checks, axis=1)).min() > 20  # every neighbour differs: detail kept
    assert colorizer._network_l.shape == (256, 256)  # while the network saw 256 x 256


def test_a_hint_changes_the_colour_where_it_is_placed(portrait):
    before = np.asarray(portrait.automatic()).astype(float)

    portrait.add_hint(300, 150, "blue", size=9)
    after = np.asarray(portrait.result()).astype(float)

    change = np.abs(after - before).sum(axis=-1)
    near = change[140:160, 290:310].mean()
    assert near > 1.0
    assert near > change[450:, :60].mean()


def test_automatic_ignores_hints_without_losing_them(portrait):
    auto = np.asarray(portrait.automatic())
    portrait.add_hint(300, 150, "blue", size=9)

    again = np.asarray(portrait.result(automatic=True))

    assert np.array_equal(auto, again)
    assert len(portrait.hints) == 1


def test_preview_is_quicker_grid_of_the_same_size(portrait):
    portrait.add_hint(100, 100, "red")

    preview = portrait.result(preview=True, max_side=200)

    assert preview.size == (200, 200)


def test_eccv16_colours_automatically_and_refuses_hints():
    colorizer = Colorizer(bundled("images/chelsea.jpg"), model="eccv16")

    assert colorizer.result().size == (451, 300)
    colorizer.add_hint(10, 10, "red")
    with pytest.raises(WorkshopError, match="cannot take hints"):
        colorizer.result()


def test_colorize_in_one_call_with_hints():
    picture = colorize(
        bundled("images/chelsea.jpg"), hints=[{"x": 200, "y": 150, "color": "orange"}]
    )

    assert picture.size == (451, 300)


def test_unknown_model_is_explained():
    with pytest.raises(WorkshopError, match="no colorization model called 'deoldify'"):
        Colorizer(bundled("images/chelsea.jpg"), model="deoldify")


# --- hints and their history ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "color", ["red", "#ff0000", "#f00", "ff0000", (255, 0, 0), (1.0, 0.0, 0.0), "RED"]
)
def test_a_colour_can_be_written_many_ways(portrait, color):
    hint = portrait.add_hint(256, 256, color)

    assert hint.color == "#ff0000"


def test_an_unknown_colour_name_suggests_close_ones(portrait):
    with pytest.raises(WorkshopError, match="Did you mean 'red'"):
        portrait.add_hint(10, 10, "redd")

    assert portrait.hints == ()


@pytest.mark.parametrize(("x", "y"), [(-1, 10), (10, 512), (600, 600), ("left", 3)])
def test_a_hint_outside_the_photo_is_explained(portrait, x, y):
    with pytest.raises(WorkshopError, match=r"outside the photo|two numbers"):
        portrait.add_hint(x, y, "red")


@pytest.mark.parametrize("size", [0, 10, 2.5, True])
def test_hint_size_is_a_whole_number_from_1_to_9(portrait, size):
    with pytest.raises(WorkshopError, match="from 1"):
        portrait.add_hint(10, 10, "red", size=size)


def test_add_move_recolour_resize_remove(portrait):
    portrait.add_hint(10, 10, "red")
    portrait.add_hint(20, 20, "green", size=3)

    portrait.move_hint(0, 30, 40)
    portrait.recolor_hint(0, "blue")
    portrait.resize_hint(1, 9)
    removed = portrait.remove_hint(1)

    assert [(h.x, h.y, h.color, h.size) for h in portrait.hints] == [(30, 40, "#0000ff", 5)]
    assert removed.size == 9


def test_undo_steps_back_one_change_at_a_time(portrait):
    portrait.add_hint(10, 10, "red")
    portrait.add_hint(20, 20, "green")
    portrait.recolor_hint(1, "blue")

    portrait.undo()
    assert portrait.hints[1].color == "#008000"
    portrait.undo()
    assert len(portrait.hints) == 1
    portrait.undo()
    assert portrait.hints == ()
    assert portrait.undo() is False


def test_a_drag_of_many_moves_is_undone_at_once(portrait):
    portrait.add_hint(10, 10, "red")
    for step in range(1, 6):
        portrait.move_hint(0, 10 + step * 10, 10)

    portrait.undo()

    assert (portrait.hints[0].x, portrait.hints[0].y) == (10, 10)


def test_clear_is_undone_in_one_step(portrait):
    portrait.add_hint(10, 10, "red")
    portrait.add_hint(20, 20, "green")

    portrait.clear()
    assert portrait.hints == ()
    portrait.undo()

    assert len(portrait.hints) == 2


def test_a_wrong_hint_number_is_explained(portrait):
    portrait.add_hint(10, 10, "red")

    with pytest.raises(WorkshopError, match="no hint number 3: there are 1"):
        portrait.move_hint(3, 5, 5)


def test_hint_at_finds_the_top_hint_near_a_point(portrait):
    portrait.add_hint(100, 100, "red", size=5)
    portrait.add_hint(102, 100, "blue", size=1)

    assert portrait.hint_at(102, 101) == 1
    assert portrait.hint_at(97, 100) == 0
    assert portrait.hint_at(300, 300) is None


def test_listeners_hear_every_change(portrait):
    heard = []
    portrait.on_change(lambda c: heard.append(len(c.hints)))

    portrait.add_hint(10, 10, "red")
    portrait.undo()

    assert heard == [1, 0]


# --- gamut snapping --------------------------------------------------------------------------------


def test_a_colour_is_snapped_into_the_gamut_at_the_pixel_lightness():
    bright = np.full((64, 64), 250, np.uint8)  # near-white: no deep red possible
    colorizer = Colorizer(bright)

    hint = colorizer.add_hint(32, 32, "red")

    lightness = colorizer.lightness_at(32, 32)
    assert lightness > 95
    assert in_gamut(lightness, *hint.ab)
    red_ab = np.array([80.1, 67.2])
    assert 0 < np.hypot(*hint.ab) < 0.3 * np.hypot(*red_ab)
    assert np.sign(hint.ab[0]) == 1 and np.sign(hint.ab[1]) == 1  # still reddish, paler


def test_a_displayable_colour_is_kept_as_it_is():
    colorizer = Colorizer(np.full((64, 64), 128, np.uint8))

    hint = colorizer.add_hint(32, 32, (150, 110, 100))

    from workshop_lib.colorize.apply import rgb_to_lab

    wanted = rgb_to_lab(np.array([150, 110, 100]))[1:]
    assert np.allclose(hint.ab, wanted, atol=0.1)


def test_snap_names_the_colour_a_hint_shows_at_a_spot():
    colorizer = Colorizer(np.full((64, 64), 250, np.uint8))

    shown = colorizer.snap("red", 5, 5)

    assert shown != "#ff0000"
    assert parse_color(shown)[0] > 0.9


def test_gamut_picture_at_a_spot():
    colorizer = Colorizer(np.full((64, 64), 128, np.uint8))
    colorizer.add_hint(32, 32, "teal")

    picture = colorizer.gamut(32, 32, size=128)

    assert picture.size == (128, 128)
    pixels = np.asarray(picture)
    assert (pixels == 236).all(axis=-1).any()  # some colours cannot be shown
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 100


def test_gamut_of_black_and_white_spots_is_nearly_empty():
    from workshop_lib.colorize.colors import gamut_image

    dark = np.asarray(gamut_image(0.5, size=64))
    middle = np.asarray(gamut_image(50, size=64))

    def shown(pixels):
        return (pixels != 236).any(axis=-1).mean()

    assert shown(dark) < 0.1 < shown(middle)


# --- suggestions -----------------------------------------------------------------------------------


def test_suggestions_are_distinct_displayable_colours_biggest_first(portrait):
    found = portrait.suggestions(130, 420, count=6)

    lightness = portrait.lightness_at(130, 420)
    assert 1 <= len(found) <= 6
    assert len({s.color for s in found}) == len(found)
    assert all(in_gamut(lightness, *s.ab) for s in found)
    shares = [s.share for s in found]
    assert shares == sorted(shares, reverse=True)
    assert 0 < sum(shares) <= 1 + len(shares) * 5e-5  # each share is rounded to 4 decimals


def test_suggestions_come_from_the_distribution_at_that_spot(portrait):
    centres, chances = portrait.distribution(130, 420)

    assert centres.shape == (313, 2)
    assert chances.shape == (313,)
    assert chances.sum() == pytest.approx(1.0, abs=1e-4)
    assert portrait.suggestions(130, 420) == portrait.suggestions(130, 420)


def test_clustering_finds_the_two_likely_colours_with_their_shares():
    from workshop_lib.colorize.suggest import cluster_colours

    grid = np.array([(a, b) for a in range(-100, 101, 10) for b in range(-100, 101, 10)], float)
    chances = np.full(len(grid), 1e-6)
    chances[np.hypot(grid[:, 0] - 60, grid[:, 1] - 40) < 15] = 3.0  # mostly red-orange
    chances[np.hypot(grid[:, 0] + 50, grid[:, 1] + 50) < 15] = 1.0  # some blue-green

    clusters = cluster_colours(grid, chances, 2)

    (first, first_share), (second, second_share) = clusters
    assert np.allclose(first, (60, 40), atol=3)
    assert np.allclose(second, (-50, -50), atol=3)
    assert first_share == pytest.approx(0.75, abs=0.02)
    assert second_share == pytest.approx(0.25, abs=0.02)


def test_plot_of_the_distribution(portrait):
    figure = portrait.plot_distribution(256, 200)

    assert len(figure.axes) == 1


# --- saving and resuming ---------------------------------------------------------------------------


def test_save_writes_the_full_size_picture_and_the_hints(portrait, tmp_path):
    portrait.add_hint(100, 120, "gold", size=7)

    paths = portrait.save(tmp_path / "drive")

    assert Image.open(paths["image"]).size == (512, 512)
    record = json.loads(paths["hints"].read_text())
    assert record["fingerprint"] == portrait.fingerprint
    assert record["hints"][0] == {
        "x": 100,
        "y": 120,
        "color": "#ffd700",
        "size": 7,
        "ab": list(portrait.hints[0].ab),
    }


def test_saved_hints_come_back_on_the_same_photo(portrait, tmp_path):
    portrait.add_hint(100, 120, "gold", size=7)
    portrait.add_hint(300, 320, "navy")
    paths = portrait.save(tmp_path)
    expected = portrait.result()

    fresh = Colorizer(bundled("images/astronaut.jpg"))
    count = fresh.load_hints(paths["hints"])

    assert count == 2
    assert fresh.hints == portrait.hints
    assert np.array_equal(np.asarray(fresh.result()), np.asarray(expected))


def test_hints_for_another_photo_are_refused_and_nothing_is_lost(portrait, tmp_path):
    portrait.add_hint(100, 120, "gold")
    paths = portrait.save(tmp_path)
    other = Colorizer(bundled("images/chelsea.jpg"))
    other.add_hint(5, 5, "red")

    with pytest.raises(WorkshopError, match="belong to another photo"):
        other.load_hints(paths["hints"])

    assert [h.color for h in other.hints] == ["#ff0000"]


def test_hints_for_another_photo_can_be_forced_and_scaled(portrait, tmp_path):
    portrait.add_hint(256, 256, "gold")
    paths = portrait.save(tmp_path)
    other = Colorizer(bundled("images/chelsea.jpg"))  # 451 x 300

    other.load_hints(paths["hints"], force=True)

    assert (other.hints[0].x, other.hints[0].y) == (226, 150)


@pytest.mark.parametrize(
    "content", ["not json at all", json.dumps({"some": "thing"})], ids=["text", "other-json"]
)
def test_a_file_that_is_not_a_hints_file_is_explained(portrait, tmp_path, content):
    path = tmp_path / "hints.json"
    path.write_text(content)

    with pytest.raises(WorkshopError, match="not a hints file"):
        portrait.load_hints(path)


def test_save_into_an_impossible_folder_keeps_the_hints(portrait, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    portrait.add_hint(10, 10, "red")

    with pytest.raises(WorkshopError, match="nothing was lost"):
        portrait.save(blocker / "inside")

    assert len(portrait.hints) == 1


def test_save_labels_the_picture_as_ai_coloured(portrait, tmp_path):
    labelled = np.asarray(Image.open(portrait.save(tmp_path / "a")["image"]))
    plain = np.asarray(Image.open(portrait.save(tmp_path / "b", label=False)["image"]))

    bottom_left = (slice(480, 512), slice(0, 200))
    assert not np.array_equal(labelled[bottom_left], plain[bottom_left])
    assert np.array_equal(labelled[:400], plain[:400])


# --- how good is it --------------------------------------------------------------------------------


def test_psnr_follows_its_formula():
    a = np.zeros((8, 8, 3), np.uint8)

    assert psnr(a, a + 10) == pytest.approx(20 * np.log10(255 / 10))
    assert psnr(a, a) == float("inf")


def test_psnr_of_the_result_against_the_truth(portrait):
    score = portrait.psnr()

    assert 5 < score < 60
    assert score == pytest.approx(psnr(portrait.result(), portrait.original))


def test_compare_shows_grey_result_and_truth(portrait):
    picture = portrait.compare(height=100)

    assert picture.height == 122
    assert picture.width == 3 * 100 + 2 * 8


def test_hint_sweep_follows_the_protocol_and_repeats_exactly():
    photos = [bundled("images/chelsea.jpg"), bundled("images/coffee.jpg")]

    first = hint_sweep(photos, points=(0, 1, 5), repeats=2, seed=3, progress=False)
    second = hint_sweep(photos, points=(0, 1, 5), repeats=2, seed=3, progress=False)

    assert first == second
    assert first.points == (0, 1, 5)
    assert len(first.psnr) == len(first.stderr) == 3
    assert set(first.per_photo) == {"chelsea.jpg", "coffee.jpg"}
    assert first.offline
    assert "paper" in first.table()


def test_hint_sweep_needs_colour_photos():
    with pytest.raises(WorkshopError, match="black and white"):
        hint_sweep([bundled("images/cameraman.jpg")], progress=False)


def test_plot_of_the_sweep_shows_the_paper_curve_too():
    result = hint_sweep([bundled("images/chelsea.jpg")], points=(0, 2), repeats=1, progress=False)

    figure = plot_sweep(result)

    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert any("paper" in label for label in labels)
    assert "offline" in figure.axes[0].get_legend().get_texts()[1].get_text()


def test_plots_draw_into_the_learners_own_figure_and_leave_it_open(portrait):
    import matplotlib.pyplot as plt

    result = hint_sweep([bundled("images/chelsea.jpg")], points=(0, 1), repeats=1, progress=False)
    figure = plt.figure(figsize=(10, 4))
    left, right = figure.subfigures(1, 2)
    try:
        assert plot_sweep(result, ax=left.subplots()) is left
        assert portrait.plot_distribution(3, 4, ax=right.subplots()) is right
        assert plt.fignum_exists(figure.number)  # still the learner's to show
    finally:
        plt.close(figure)


def test_hints_are_plain_frozen_records(portrait):
    hint = portrait.add_hint(1, 2, "black")

    assert isinstance(hint, Hint)
    with pytest.raises(AttributeError):
        hint.x = 5


# --- devices, re-running, drawing ------------------------------------------------------------------


@pytest.mark.parametrize("device", ["cpu", "CPU", torch.device("cpu"), None])
def test_the_device_can_be_a_name_a_torch_device_or_left_out(device, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DEVICE", "cpu")

    colorizer = Colorizer(bundled("images/chelsea.jpg"), device=device)

    assert colorizer.device == torch.device("cpu")
    assert colorizer.automatic(max_side=64).size[0] == 64
    assert colorize(bundled("images/chelsea.jpg"), device=device).size == colorizer.size


def test_a_device_that_is_not_there_is_explained_at_once():
    if torch.cuda.is_available():
        pytest.skip("this computer has a CUDA GPU")
    with pytest.raises(WorkshopError, match=r"GPU|CUDA|cuda"):
        Colorizer(bundled("images/chelsea.jpg"), device="cuda")


def test_set_hints_can_run_again_without_adding_twice(portrait):
    wanted = [{"x": 100, "y": 100, "color": "red"}, {"x": 300, "y": 200, "color": "blue"}]

    portrait.set_hints(wanted)
    portrait.set_hints(wanted)  # a notebook cell run a second time

    assert len(portrait.hints) == 2
    portrait.undo()
    assert portrait.hints == ()


def test_set_hints_with_a_malformed_hint_changes_nothing(portrait):
    portrait.add_hint(10, 10, "red")

    with pytest.raises(WorkshopError, match="x, y and color"):
        portrait.set_hints([{"x": 100, "y": 100, "color": "red"}, {"x": 5, "colour": "blue"}])

    assert [h.x for h in portrait.hints] == [10]


@pytest.mark.parametrize(
    "written", ["rgb(255, 136, 0)", "rgba(255, 136, 0, 1)", "RGBA(255.0, 136.0, 0.0, 0.5)"]
)
def test_colour_pickers_css_notation_is_read(written):
    assert parse_color(written) == pytest.approx((1.0, 136 / 255, 0.0))


@pytest.mark.parametrize("written", ["rgb(255, 136)", "rgb(a, b, c)", "rgba(300, 0, 0, 1)"])
def test_broken_css_notation_is_explained(written):
    with pytest.raises(WorkshopError):
        parse_color(written)


def test_the_hint_picture_draws_each_hint_in_its_colour_where_it_is(portrait):
    portrait.add_hint(100, 300, "#0000ff", size=9)

    full = np.asarray(portrait.hint_picture()).astype(int)
    small = portrait.hint_picture(max_side=256)

    assert tuple(full[300, 100]) == (0, 0, 255)
    assert small.size == (256, 256)
    assert tuple(np.asarray(small)[150, 50]) == (0, 0, 255)


def test_the_hint_square_is_the_network_patch_on_the_photo():
    from workshop_lib.colorize.hints import hint_box

    hint = Hint(100, 50, "#ff0000", 4, (0.0, 0.0))

    assert hint_box(hint, (1024, 512)) == (92.0, 46.0, 108.0, 54.0)  # 4/256 of each side
    assert hint_box(hint, (1024, 512), scale=0.5) == (46.0, 22.0, 54.0, 28.0)  # at least 3
    assert hint_box(Hint(10, 10, "#ff0000", 1, (0.0, 0.0)), (256, 256)) == (7.0, 7.0, 13.0, 13.0)


def test_psnr_of_identical_pictures_is_infinite_everywhere(portrait):
    from workshop_lib.colorize import evaluate

    picture = portrait.result()

    assert psnr(picture, picture) == float("inf")
    assert evaluate.psnr is psnr


# --- the shape of the code -------------------------------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "workshop_lib" / "colorize"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
            names.update("." * node.level + alias.name for alias in node.names if not node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_model_side_never_imports_the_widget():
    for path in PACKAGE.glob("*.py"):
        if path.name in ("widget.py", "__init__.py"):
            continue
        found = _imports(path)
        assert ".widget" not in found, f"{path.name} imports the widget"
        assert "workshop_lib.colorize.widget" not in found, path.name


def test_no_function_is_over_80_lines_and_no_module_over_600():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text("utf-8")
        reason = "600 lines" in (ast.get_docstring(ast.parse(source)) or "")
        assert source.count("\n") <= 600 or reason, path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 80, f"{path.name}: {node.name} has {length} lines"
