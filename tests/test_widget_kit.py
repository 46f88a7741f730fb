"""The three widget scripts share one kit; each view cleans up after itself and keeps to itself.

The Python side puts ``workshop_lib/media/widget_kit.js`` in front of each widget's script
(anywidget modules cannot import files). These tests check the module each widget really sends
to the browser: the kit is in it once, nothing mutable lives at the top level (so two widgets on
one page share nothing), and, with Node.js, that rendering two views and removing them leaves no
listener, object URL or timer behind. The browser tests (tests/browser) drive them for real.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import traitlets

from workshop_lib.media.esm import KIT, widget_module

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = {
    "colorize": ROOT / "workshop_lib" / "colorize" / "widget.js",
    "separate": ROOT / "workshop_lib" / "separate" / "widget.js",
    "speech": ROOT / "workshop_lib" / "speech" / "widget.js",
}


def widget_class(name: str):
    if name == "colorize":
        from workshop_lib.colorize.widget import ColorizeWidget

        return ColorizeWidget
    if name == "separate":
        from workshop_lib.separate.widget import SeparateWidget

        return SeparateWidget
    from workshop_lib.speech.widget import RecorderWidget

    return RecorderWidget


def top_level_statements(source: str) -> list[str]:
    """The lines that start a statement at the top of the module (column 0, not a comment)."""
    return [
        line
        for line in source.splitlines()
        if line and not line[0].isspace() and not line.startswith(("//", "}", ")", "]"))
    ]


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_widget_sends_its_script_with_the_kit_once(name):
    esm = widget_class(name)._esm

    assert isinstance(esm, str)
    assert esm.count("function makeKit(") == 1
    assert esm.count(KIT.read_text("utf-8")) == 1
    assert esm.endswith(SCRIPTS[name].read_text("utf-8"))
    assert esm.count("export default { render }") == 1
    assert "return kit.dispose;" in SCRIPTS[name].read_text("utf-8")


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_no_widget_keeps_mutable_state_at_the_top_level(name):
    for line in top_level_statements(widget_class(name)._esm):
        assert not line.startswith(("let ", "var ")), line
        if line.startswith("const "):
            value = line.split("=", 1)[1].strip()
            assert re.match(r'^(-?[\d.]+|"[^"]*"|Object\.freeze\()', value), line
        else:
            assert line.startswith(("function ", "export default ")), line


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_widget_scripts_do_not_repeat_the_kit(name):
    script = SCRIPTS[name].read_text("utf-8")

    for helper in ("function el(", "createObjectURL", "revokeObjectURL", "model.on(", "model.off("):
        assert helper not in script, f"{name}/widget.js should use the kit for {helper}"


def test_the_kit_module_is_built_from_files(tmp_path):
    script = tmp_path / "widget.js"
    script.write_text("function render() { return () => {}; }\nexport default { render };\n")

    assert widget_module(script).startswith("// ---- workshop widget kit")


NODE = shutil.which("node")


def _traits(cls) -> dict:
    values, byte_names = {}, []
    for trait_name, trait in cls.class_traits(sync=True).items():
        if trait_name.startswith("_") or trait_name in ("layout", "tabbable", "tooltip"):
            continue
        if isinstance(trait, traitlets.Bytes):
            values[trait_name] = None
            byte_names.append(trait_name)
        else:
            default = trait.default()
            try:
                json.dumps(default)
            except TypeError:
                continue
            values[trait_name] = default
    return {"values": values, "bytes": byte_names}


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed here")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_two_views_keep_to_themselves_and_leave_nothing_behind(name, tmp_path):
    cls = widget_class(name)
    module = tmp_path / f"{name}.mjs"
    module.write_text(cls._esm, "utf-8")
    traits = tmp_path / "traits.json"
    traits.write_text(json.dumps(_traits(cls)), "utf-8")
    check = ROOT / "tests" / "fixtures" / "widget_kit_check.mjs"

    run = subprocess.run(
        [NODE, str(check), str(module), str(traits)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["cleanup_is_function"]
    assert found["model_listeners_a"] > 0 and found["page_listeners_two_views"] > 0
    assert found["sent_a"] > 0 and found["sent_b"] == 0  # a click in one view stays there
    assert found["model_listeners_a_after"] == 0  # view A's cleanup took its listeners
    assert found["model_listeners_b_after"] == found["model_listeners_a"]  # B's are untouched
    # Each picture or sound sent twice is shown with one URL: the first was given back.
    assert found["urls_while_shown"] <= len(_traits(cls)["bytes"])
    assert found["urls_after_a"] <= found["urls_of_b_before"]
    assert found["page_listeners_after_both"] == 0
    assert found["timers_after_both"] == 0
    assert found["urls_after_both"] == 0
    if name == "colorize":  # a finger on the canvas presses, drags and releases
        assert found["actions_a"][-3:] == ["press", "drag", "release"]
