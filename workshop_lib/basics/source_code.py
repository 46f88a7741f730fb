"""Source code and programs: compile a C file with gcc, run it, and look inside the program file.

Source code is text that people write and read. A compiler (here gcc) translates it once into
machine code, the numbers a processor runs; the program file holds those numbers. Python works
differently: the interpreter reads the source each time the program runs.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import runtime
from ..errors import WorkshopError

__all__ = ["HexDump", "compile_c", "hex_dump", "run_program"]

_TIMEOUT = 60  # seconds for compiling or running the small examples


def compile_c(
    source: str | os.PathLike, output: str | os.PathLike | None = None, *, quiet: bool = False
) -> Path:
    """Compile a C source file with gcc into a program, and return the program's path.

    The command is run as a list of words (``gcc hello.c -o hello``), never through a shell,
    and printed so that you can type it yourself in a terminal.

    Parameters
    ----------
    source : str or Path
        The C file, such as ``"hello.c"``.
    output : str or Path, optional
        The program file to make; by default the source's name without ``.c``.
    quiet : bool
        Do not print the command.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    WorkshopError
        When gcc is not installed, the file is missing, or the code has errors (gcc's message
        is included: it names the line).
    """
    source = Path(source)
    if not source.is_file():
        raise WorkshopError(f"There is no file '{source}'. Run the cell that writes it first.")
    gcc = shutil.which("gcc")
    if gcc is None:
        raise WorkshopError(
            "The C compiler gcc is not installed. On Colab the setup cell installs it; on Debian "
            "or Ubuntu run: sudo apt-get install gcc"
        )
    output = Path(output) if output is not None else source.with_suffix("")
    command = ["gcc", str(source), "-o", str(output)]
    if not quiet:
        print("$", " ".join(command))
    try:
        result = subprocess.run(
            [gcc, *command[1:]], capture_output=True, text=True, timeout=_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise WorkshopError("gcc took more than a minute; try again.") from err
    if result.returncode != 0:
        raise WorkshopError(
            f"gcc could not compile {source.name}: the code has a mistake. gcc says:\n"
            f"{result.stderr.strip()}\nThe numbers after the file name are the line and column."
        )
    if result.stderr.strip() and not quiet:
        print(result.stderr.strip())  # warnings
    return output.resolve()


def run_program(program: str | os.PathLike, *arguments: str) -> str:
    """Run a program file and return what it printed.

    Parameters
    ----------
    program : str or Path
        The program, such as the path :func:`compile_c` returned.
    *arguments : str
        Words to pass to it.

    Raises
    ------
    WorkshopError
        When the file is missing or the program fails.
    """
    program = Path(program).resolve()
    if not program.is_file():
        raise WorkshopError(f"There is no program '{program}'. Compile it first.")
    try:
        result = subprocess.run(
            [str(program), *map(str, arguments)],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise WorkshopError(f"{program.name} could not be run ({err}).") from err
    if result.returncode != 0:
        raise WorkshopError(
            f"{program.name} stopped with exit code {result.returncode}. It said: {result.stderr.strip()}"
        )
    return result.stdout


@dataclass(frozen=True)
class HexDump:
    """Some bytes of a file, shown as hexadecimal numbers with the readable characters beside them."""

    path: Path
    start: int
    data: bytes
    size: int
    highlight: tuple[int, int] | None = None  # (start, end) of found bytes, as file offsets

    def lines(self) -> list[str]:
        rows = []
        for offset in range(0, len(self.data), 16):
            chunk = self.data[offset : offset + 16]
            hexes = " ".join(f"{b:02x}" for b in chunk)
            text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
            rows.append(f"{self.start + offset:08x}  {hexes:<47}  {text}")
        return rows

    def __str__(self) -> str:
        header = f"{self.path.name}: {self.size:,} bytes; showing bytes {self.start:,} to {self.start + len(self.data) - 1:,}"
        return "\n".join([header, *self.lines()])

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self) -> str:
        rows = []
        for offset in range(0, len(self.data), 16):
            cells_hex, cells_text = [], []
            for index, byte in enumerate(self.data[offset : offset + 16]):
                position = self.start + offset + index
                mark = (
                    self.highlight is not None and self.highlight[0] <= position < self.highlight[1]
                )
                style = ' style="background:#ffe066"' if mark else ""
                cells_hex.append(f"<span{style}>{byte:02x}</span>")
                char = html.escape(chr(byte)) if 32 <= byte < 127 else "."
                cells_text.append(f"<span{style}>{char}</span>")
            rows.append(f"{self.start + offset:08x}  {' '.join(cells_hex)}  {''.join(cells_text)}")
        header = html.escape(str(self).splitlines()[0])
        return (
            f"<div><b>{header}</b></div><pre style='line-height:1.3'>" + "\n".join(rows) + "</pre>"
        )


def hex_dump(
    path: str | os.PathLike, *, start: int = 0, length: int = 128, find: bytes | str | None = None
) -> HexDump:
    """Show the bytes of a file as hexadecimal numbers, as programmers look inside binary files.

    Parameters
    ----------
    path : str or Path
        Any file.
    start : int
        The first byte to show (0 is the beginning).
    length : int
        How many bytes to show (at most 4096).
    find : bytes or str, optional
        Look for these bytes (such as ``"Hello, world!"``), show the lines around them and
        mark them.

    Returns
    -------
    HexDump
        Shows as a table of numbers in a notebook.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkshopError(f"There is no file '{path}'.")
    if not 1 <= length <= 4096:
        raise WorkshopError(f"length must be from 1 to 4096 bytes, not {length}.")
    content = path.read_bytes()
    highlight = None
    if find is not None:
        needle = find.encode("utf-8") if isinstance(find, str) else bytes(find)
        where = content.find(needle)
        if where < 0:
            raise WorkshopError(f"{path.name} does not contain {find!r}.")
        highlight = (where, where + len(needle))
        start = max(0, (where // 16) * 16 - 16)
    start = max(0, min(int(start), max(0, len(content) - 1)))
    return HexDump(
        path=path,
        start=start,
        data=content[start : start + length],
        size=len(content),
        highlight=highlight,
    )


def gcc_available() -> bool:
    """True when the gcc compiler is installed here."""
    return runtime.system_programs()["gcc"].installed
