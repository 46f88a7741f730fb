"""Notebook 05b in a real browser: Speak makes a playable sound and a spectrogram; errors stay inside."""

import pytest

from .conftest import open_shared_notebook, save_screenshot
from .harness import AUDIO_SECONDS, assert_widget_rendered


@pytest.fixture(scope="module")
def speech_notebook(lab, browser, request):
    yield from open_shared_notebook(lab, browser, "05b_neural_voices.ipynb", request)


def test_speak_widget_makes_a_playable_sound_and_a_spectrogram(speech_notebook):
    widget = speech_notebook.output("speech.SpeakWidget(SENTENCE)")
    assert_widget_rendered(widget)

    widget.locator("textarea").fill("The library's fab lab teaches machine learning.")
    widget.get_by_role("button", name="Speak").click()
    audio = widget.locator("audio").first
    audio.wait_for(state="attached", timeout=120_000)

    widget.locator("img").first.wait_for(timeout=60_000)  # waveform and spectrogram

    assert audio.evaluate(AUDIO_SECONDS) > 0.5
    assert "s of sound at" in widget.inner_text()
    save_screenshot(widget, "05_speech_speak.png")


def test_empty_text_shows_the_widgets_message_not_a_traceback(speech_notebook):
    widget = speech_notebook.output("speech.SpeakWidget(SENTENCE)")

    widget.locator("textarea").fill("")
    widget.locator("textarea").press("Tab")  # leave the box, so the empty text reaches Python
    widget.get_by_role("button", name="Speak").click()
    widget.get_by_text("⚠").first.wait_for(timeout=60_000)

    assert "Traceback" not in widget.inner_text()
    assert not speech_notebook.errors()


def test_recorder_records_the_microphone_and_plays_it_back(speech_notebook):
    recorder = speech_notebook.output("speech.record_voice(store")
    assert_widget_rendered(recorder)

    recorder.get_by_role("button", name="● Record").click()
    speech_notebook.page.wait_for_timeout(4000)  # Chromium's fake microphone plays a beep
    recorder.get_by_role("button", name="■ Stop").click()
    player = recorder.locator("audio")
    speech_notebook.page.wait_for_function(
        "el => (el.getAttribute('src') || '').startsWith('blob:')",
        arg=player.element_handle(),
        timeout=60_000,
    )

    assert player.evaluate(AUDIO_SECONDS) > 1.0, recorder.inner_text()
    save_screenshot(recorder, "05_speech_recorder.png")
