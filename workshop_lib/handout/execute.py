"""Run a notebook top to bottom, as a learner's "Run all" does, in a folder of its own.

The handout and the tests use this one function, so what the tests check is what the handout shows.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import WorkshopError

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["NotebookFailed", "execute_notebook"]

CELL_TIMEOUT = 1800  # seconds: a real model's first download and run on a slow CPU


class NotebookFailed(WorkshopError):
    """A notebook stopped with an error; the message names the cell and the error."""


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


YOUR_TURN = "# Your turn"  # first line of a prepared exercise cell


def execute_notebook(
    path: str | os.PathLike,
    workdir: str | os.PathLike,
    *,
    offline: bool,
    cell_timeout: int = CELL_TIMEOUT,
    rerun_exercises: bool = False,
) -> NotebookNode:
    """Run every cell of a notebook in ``workdir`` and return the notebook with its outputs.

    The kernel is this Python's ``python3`` kernel, started in ``workdir`` (a folder outside the
    repository, as on Colab), with the offline switch set as asked.

    Parameters
    ----------
    path : str or path
        The ``.ipynb`` file.
    workdir : str or path
        An empty folder to run it in; uploads, saved results and downloads land here.
    offline : bool
        True sets ``WORKSHOP_OFFLINE=1`` for the kernel (small test models, recorded answers).
    rerun_exercises : bool
        True runs every ``# Your turn`` cell a second time after the last cell, as a learner
        who tries again does; their indices go into ``metadata["workshop_rerun"]``.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    NotebookFailed
        When a cell stops with an error (also in a second run of an exercise cell).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path, workdir = Path(path), Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env["WORKSHOP_OFFLINE"] = "1" if offline else "0"
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    count = len(notebook.cells)
    exercises = [
        index
        for index, cell in enumerate(notebook.cells)
        if rerun_exercises and cell.cell_type == "code" and cell.source.startswith(YOUR_TURN)
    ]
    notebook.cells += [nbformat.from_dict(notebook.cells[index]) for index in exercises]
    try:
        client.execute(cwd=str(workdir), env=env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        again = any(o.output_type == "error" for c in notebook.cells[count:] for o in c.outputs)
        what = "when its exercise cells ran a second time" if again else "with an error"
        raise NotebookFailed(f"{path.name} stopped {what}:\n{_plain(str(err))}") from err
    finally:
        del notebook.cells[count:]
    if rerun_exercises:
        notebook.metadata["workshop_rerun"] = exercises
    return notebook


def fresh_folder(folder: Path) -> Path:
    """Empty ``folder`` (creating it) and return it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
