"""Notebook 06 in a real browser: the mixing widget plays stems, remixes, and shows bad files' messages."""

import re

import pytest

from .conftest import open_shared_notebook, save_screenshot
from .harness import AUDIO_SECONDS, assert_widget_rendered


@pytest.fixture(scope="module")
def separation_notebook(lab, browser, request):
    yield from open_shared_notebook(lab, browser, "06_source_separation.ipynb", request)


def test_mixer_shows_a_player_per_stem_karaoke_and_the_mix(separation_notebook):
    widget = separation_notebook.output("mixer = SeparateWidget(")
    assert_widget_rendered(widget)

    players = widget.locator("audio")
    text = widget.inner_text()

    assert players.count() == 4  # vocals, accompaniment, karaoke, your mix
    assert players.first.evaluate(AUDIO_SECONDS) > 15
    assert "vocals" in text and "accompaniment" in text
    assert "stand-in" not in text  # Deezer's real 2-stem model, offline too
    vocals_sdr = float(re.search(r"vocals \(SDR (-?[\d.]+) dB\)", text).group(1))
    assert vocals_sdr >= 15  # the real model scores about 21 dB on the sample song
    assert not separation_notebook.errors()
    save_screenshot(widget, "06_separation_mixer.png")


def test_moving_a_slider_makes_a_new_mix(separation_notebook):
    widget = separation_notebook.output("mixer = SeparateWidget(")
    mix = widget.locator("audio").last
    before = mix.get_attribute("src")

    widget.locator("input[type=range]").first.evaluate(
        "s => { s.value = 0; s.dispatchEvent(new Event('change')); }"
    )
    separation_notebook.page.wait_for_function(
        "([el, old]) => el.getAttribute('src') && el.getAttribute('src') !== old",
        arg=[mix.element_handle(), before],
        timeout=60_000,
    )

    assert mix.evaluate(AUDIO_SECONDS) > 15


def test_four_stems_after_pressing_separate(separation_notebook):
    widget = separation_notebook.output("mixer = SeparateWidget(")

    widget.locator("select").select_option("4")
    widget.get_by_role("button", name="Separate").click()
    separation_notebook.page.wait_for_function(
        "el => el.querySelectorAll('audio').length === 6 && !el.innerText.includes('Separating')",
        arg=widget.element_handle(),
        timeout=180_000,
    )

    text = widget.inner_text()
    assert all(stem in text for stem in ("vocals", "drums", "bass", "other"))
    assert "stand-in" in text  # offline, the 4-stem model is the random stand-in, and says so


def test_a_bad_file_shows_the_message_inside_the_widget(separation_notebook, tmp_path):
    widget = separation_notebook.output("mixer = SeparateWidget(")
    bad = tmp_path / "not a song.mp3"
    bad.write_text("this is a text file, not music\n" * 20)

    widget.locator("input[type=file]").set_input_files(str(bad))
    widget.get_by_text("could not be read as audio").wait_for(timeout=60_000)

    assert "Traceback" not in widget.inner_text()
    assert "not a song.mp3" in widget.inner_text()
