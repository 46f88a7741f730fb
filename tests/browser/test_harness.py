"""The browser harness itself: a working widget passes, a deliberately broken one fails."""

import pytest

from .harness import assert_widget_rendered


def test_working_widget_renders_and_talks_to_python(open_notebook):
    notebook = open_notebook("widget_fixture.ipynb")
    notebook.run_all()

    output = notebook.output("# working widget")
    assert_widget_rendered(output)
    output.get_by_role("button").click()
    output.get_by_role("button").click()
    output.get_by_text("clicks=2").wait_for()
    notebook.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    notebook.wait_until_idle()

    assert "python sees clicks=0" in notebook.output("python sees").inner_text()


def test_broken_widget_is_caught(open_notebook):
    notebook = open_notebook("widget_fixture.ipynb")
    notebook.run_all()

    with pytest.raises(AssertionError):
        assert_widget_rendered(notebook.output("# broken widget"), timeout_ms=10_000)
