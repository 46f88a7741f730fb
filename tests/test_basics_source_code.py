"""Compiling, running and looking inside a C program (notebook 03)."""

import shutil

import pytest

from workshop_lib import WorkshopError
from workshop_lib.basics import compile_c, hex_dump, run_program

HELLO = (
    '#include <stdio.h>\n\nint main(void) {\n    printf("Hello, world!\\n");\n    return 0;\n}\n'
)

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@needs_gcc
def test_hello_world_compiles_runs_and_holds_its_text(tmp_path, capsys):
    source = tmp_path / "hello.c"
    source.write_text(HELLO)

    program = compile_c(source)
    printed = run_program(program)
    start = hex_dump(program, length=16)
    text = hex_dump(program, find="Hello, world!")

    assert printed == "Hello, world!\n"
    assert capsys.readouterr().out.startswith("$ gcc ")
    assert start.data[:4] == b"\x7fELF"  # the mark of a Linux program file
    begin, end = text.highlight
    assert program.read_bytes()[begin:end] == b"Hello, world!"
    assert "Hello, world" in str(text) and "background" in text._repr_html_()


@needs_gcc
def test_a_mistake_in_the_code_is_reported_with_its_line(tmp_path):
    source = tmp_path / "broken.c"
    source.write_text(HELLO.replace("return 0;", "return 0"))

    with pytest.raises(WorkshopError, match=r"broken.c:\d+"):
        compile_c(source, quiet=True)


def test_missing_gcc_is_explained(tmp_path, monkeypatch):
    source = tmp_path / "hello.c"
    source.write_text(HELLO)
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(WorkshopError, match="apt-get install gcc"):
        compile_c(source)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: compile_c(p / "nothing.c"), "no file"),
        (lambda p: run_program(p / "nothing"), "no program"),
        (lambda p: hex_dump(p / "nothing"), "no file"),
    ],
)
def test_missing_files_get_a_clear_message(tmp_path, call, message):
    with pytest.raises(WorkshopError, match=message):
        call(tmp_path)


def test_hex_dump_of_a_text_file_shows_its_letters(tmp_path):
    path = tmp_path / "hello.py"
    path.write_text('print("Hello, world!")\n')

    dump = hex_dump(path)

    assert dump.size == 23
    assert dump.lines()[0].startswith("00000000  70 72 69 6e 74")  # p r i n t
