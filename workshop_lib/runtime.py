"""Where the workshop runs: Colab, Jupyter or plain Python; which device; Colab set-up; offline switch.

This is the one place that picks the device (CUDA GPU, Apple MPS or CPU) and the one place that
reads the offline switch, so every capability behaves the same way.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from .errors import WorkshopError

if TYPE_CHECKING:
    import torch

__all__ = [
    "DEVICE_VARIABLE",
    "EXTRAS",
    "OFFLINE_VARIABLE",
    "PROTECTED_PACKAGES",
    "Extra",
    "SetupReport",
    "SystemProgram",
    "device_summary",
    "find_program",
    "gpu_help",
    "install_packages",
    "install_system_programs",
    "is_offline",
    "missing_packages",
    "missing_programs",
    "pick_device",
    "setup",
    "system_programs",
    "where",
]

OFFLINE_VARIABLE = "WORKSHOP_OFFLINE"
"""Set this environment variable to 1 to use small local test models and recorded API answers."""

DEVICE_VARIABLE = "WORKSHOP_DEVICE"
"""Set this environment variable to cpu, cuda or mps to choose the device by hand."""

_TRUE = {"1", "true", "yes", "on"}

_GPU_HELP_COLAB = (
    "To use Colab's free GPU: open the menu Runtime → Change runtime type, choose 'T4 GPU', "
    "press Save, then run the notebook again from the top (Runtime → Run all)."
)
_GPU_HELP_ELSEWHERE = (
    "This computer has no GPU that PyTorch can use. Everything still works on the CPU, a little "
    "slower. For a free GPU, open the notebook in Google Colab (see the badge at the top)."
)


def is_offline() -> bool:
    """Tell whether the offline switch is on.

    With ``WORKSHOP_OFFLINE=1`` the library uses small test models and recorded API answers that
    ship with it, and never touches the network. CI sets it; so can a workshop room without Wi-Fi.
    """
    return os.environ.get(OFFLINE_VARIABLE, "").strip().lower() in _TRUE


def where() -> str:
    """Say where this Python runs: ``"colab"``, ``"jupyter"`` (any other notebook) or ``"python"``."""
    if "google.colab" in sys.modules:
        return "colab"
    try:
        from IPython import get_ipython
    except ImportError:
        return "python"
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        return "jupyter"
    return "python"


def _torch():
    try:
        import torch
    except ImportError as err:
        raise WorkshopError(
            "PyTorch is not installed, and the demos need it. On your own computer run "
            "'bash workshop.sh lab' from the workshop folder, which installs it; on Colab it is "
            "already there."
        ) from err
    return torch


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """Choose where models run: a CUDA GPU, an Apple GPU (MPS), or the CPU.

    This is the one place that decides. Every function that runs a model takes ``device=`` and
    passes it here, so a name, a ``torch.device`` or nothing all work the same way. With nothing
    (or ``"auto"``) the ``WORKSHOP_DEVICE`` environment variable decides, else the fastest
    available. Asking for a GPU that is not there gives a clear message.

    Parameters
    ----------
    device : str, torch.device or None
        ``"cuda"`` (or ``"cuda:1"``), ``"mps"``, ``"cpu"``, ``"auto"``, a ``torch.device``, or
        None for the fastest available.

    Returns
    -------
    torch.device

    Examples
    --------
    >>> pick_device("cpu")
    device(type='cpu')
    >>> import torch
    >>> pick_device(torch.device("cpu"))
    device(type='cpu')
    """
    torch = _torch()
    if isinstance(device, torch.device):
        choice = str(device)
    elif device is None or isinstance(device, str):
        choice = device or ""
    else:
        raise WorkshopError(
            f"device should be a name such as 'cpu' or 'cuda', or left out, not {device!r}."
        )
    choice = choice.strip().lower()
    if choice in ("", "auto"):
        choice = os.environ.get(DEVICE_VARIABLE, "").strip().lower()
    if choice in ("", "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available(torch):
            return torch.device("mps")
        return torch.device("cpu")
    if choice == "cpu":
        return torch.device("cpu")
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise WorkshopError(
                f"You asked for the GPU ('{choice}'), but none is available. {gpu_help()}"
            )
        try:
            return torch.device(choice)
        except RuntimeError as err:
            raise WorkshopError(f"'{choice}' is not a GPU name: use 'cuda' or 'cuda:0'.") from err
    if choice == "mps":
        if not _mps_available(torch):
            raise WorkshopError("You asked for the Apple GPU ('mps'), but this computer has none.")
        return torch.device("mps")
    raise WorkshopError(f"Unknown device '{choice}'. Use 'cuda', 'mps', 'cpu', or leave it empty.")


def _mps_available(torch) -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def device_summary(device: str | torch.device | None = None) -> str:
    """Describe the device in one line, such as ``"GPU: Tesla T4 (15 GB)"``.

    Parameters
    ----------
    device : torch.device or str, optional
        The device to describe; None describes the one :func:`pick_device` chooses.

    Examples
    --------
    >>> device_summary("cpu")
    'No GPU: the demos run on the CPU, a little slower.'
    """
    torch = _torch()
    device = torch.device(device) if device is not None else pick_device()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        gigabytes = round(props.total_memory / 1024**3)
        return f"GPU: {props.name} ({gigabytes} GB)"
    if device.type == "mps":
        return "GPU: Apple silicon (MPS)"
    return "No GPU: the demos run on the CPU, a little slower."


def gpu_help() -> str:
    """Explain the GPU situation here: which GPU is used, or how to get one (Colab's menu steps)."""
    try:
        device = pick_device()
    except WorkshopError as err:
        return str(err)
    if device.type != "cpu":
        return f"{device_summary(device)}. The demos use it; nothing to change."
    return _GPU_HELP_COLAB if where() == "colab" else _GPU_HELP_ELSEWHERE


@dataclass(frozen=True)
class SystemProgram:
    """Something from the operating system that a notebook uses: a program or a voice's files.

    ``program`` is the command's name (found on the PATH), or, for data such as a voice, the
    path of a file that the package installs.
    """

    program: str
    package: str
    purpose: str

    @property
    def name(self) -> str:
        """What to call it in a message: the program, or the package for data files."""
        return self.package if self.program.startswith("/") else self.program

    @property
    def installed(self) -> bool:
        """True when the program is on the PATH (or the data file exists)."""
        if self.program.startswith("/"):
            return os.path.exists(self.program)  # noqa: PTH110 (a plain string path)
        return shutil.which(self.program) is not None


@functools.cache
def system_programs() -> dict[str, SystemProgram]:
    """List the operating-system programs (and voices) the notebooks use, by program name."""
    text = resources.files(__package__).joinpath("system_programs.txt").read_text("utf-8")
    programs = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        program, package, purpose = line.split(maxsplit=2)
        programs[program] = SystemProgram(program, package, purpose.strip())
    return programs


def find_program(name: str) -> SystemProgram:
    """Look up a system program by its program name or its Debian package name."""
    table = system_programs()
    if name in table:
        return table[name]
    for entry in table.values():
        if entry.package == name:
            return entry
    known = sorted(entry.name for entry in table.values())
    raise WorkshopError(f"Unknown system program '{name}'. Known: {', '.join(known)}.")


def missing_programs(names: Iterable[str] | None = None) -> list[SystemProgram]:
    """Return the listed system programs (all of them when ``names`` is None) that are not installed.

    Names may be program names (``"text2wave"``) or Debian package names (``"festival"``).
    """
    if names is None:
        wanted = list(system_programs().values())
    else:
        wanted = [find_program(name) for name in names]
    return [program for program in wanted if not program.installed]


def _apt(arguments: list[str], quiet: bool) -> bool:
    output = subprocess.DEVNULL if quiet else None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(
        ["apt-get", *arguments], stdout=output, stderr=output, env=env, check=False
    )
    return result.returncode == 0


def install_system_programs(names: Iterable[str], *, quiet: bool = True) -> list[str]:
    """Install missing operating-system programs with apt (on Colab, or as root on Debian/Ubuntu).

    Programs already present are left alone, so calling this again costs nothing. When apt
    cannot install them all at once, each package is tried alone, so one unavailable package
    does not keep the others away. Without apt rights it raises a message with the command.

    Returns
    -------
    list of str
        The Debian packages that were installed (empty when nothing was missing).

    Raises
    ------
    WorkshopError
        When something is still missing afterwards, naming it and the install command.
    """
    missing = missing_programs(names)
    if not missing:
        return []
    packages = sorted({program.package for program in missing})
    can_apt = shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_apt:
        raise WorkshopError(
            f"This notebook needs {', '.join(p.name for p in missing)} "
            f"({'; '.join(p.purpose for p in missing)}), which is not installed. "
            f"On Debian or Ubuntu run: sudo apt-get install {' '.join(packages)}"
        )
    install = ["install", "-y", "-qq", "--no-install-recommends"]
    _apt(["update", "-qq"], quiet)
    if not _apt([*install, *packages], quiet):
        for package in packages:
            _apt([*install, package], quiet)
    still_missing = [p for p in missing if not p.installed]
    if still_missing:
        left = sorted({p.package for p in still_missing})
        raise WorkshopError(
            f"apt could not install {', '.join(p.name for p in still_missing)}; the cells that "
            "use it will say so, and everything else works. On Debian these packages are in the "
            "'contrib' and 'non-free' sections, on Ubuntu in 'multiverse': enable them, then "
            f"run: sudo apt-get install {' '.join(left)}"
        )
    return packages


@dataclass(frozen=True)
class Extra:
    """A part of the workshop that needs more than the core library.

    ``packages`` is True when pyproject.toml has optional Python packages of the same name
    (installed with pip on Colab); ``system`` names the operating-system programs it uses.
    """

    name: str
    purpose: str
    packages: bool
    system: tuple[str, ...] = ()


EXTRAS: dict[str, Extra] = {
    extra.name: extra
    for extra in (
        Extra(
            "voices",
            "the classic voices (eSpeak NG, MBROLA, Festival, Flite, SVOX Pico)",
            packages=False,
            system=(
                "espeak-ng",
                "mbrola",
                "mbrola-us1",
                "mbrola-us2",
                "mbrola-us3",
                "mbrola-en1",
                "festival",
                "festvox-kallpc16k",
                "festvox-us-slt-hts",
                "flite",
                "libttspico-utils",
            ),
        ),
        Extra(
            "speech",
            "the neural voices and the offline speech recogniser",
            packages=True,
            system=("espeak-ng",),
        ),
        Extra("app", "the web app", packages=True, system=("espeak-ng", "flite", "ffmpeg")),
    )
}
"""The extras a notebook's setup cell can ask for, such as ``setup("speech")``."""

# Colab installs these; installing an extra must never change them.
PROTECTED_PACKAGES = ("torch", "torchaudio", "torchcodec", "numpy", "ipywidgets")


def _extra(name: str) -> Extra:
    if name not in EXTRAS:
        raise WorkshopError(f"Unknown extra '{name}'. Known: {', '.join(sorted(EXTRAS))}.")
    return EXTRAS[name]


def missing_packages(extra: str) -> list[str]:
    """Return the requirements of an extra (as pip writes them) that are not installed here.

    The list is read from the installed library's own metadata (pyproject.toml's optional
    dependencies), so it is always the same list pip would install.
    """
    from importlib import metadata

    from packaging.requirements import Requirement

    if not _extra(extra).packages:
        return []
    try:
        requirements = metadata.requires("workshop_lib") or []
    except metadata.PackageNotFoundError:  # run from a source folder: nothing to compare with
        return []
    missing = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is None or not requirement.marker.evaluate({"extra": extra}):
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(str(requirement).split(";")[0].strip())
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            missing.append(str(requirement).split(";")[0].strip())
    return missing


def install_packages(requirements: list[str], *, label: str) -> list[str]:
    """Install Python packages with pip, one progress line per package, keeping Colab's own ones.

    The packages in ``PROTECTED_PACKAGES`` that are installed are held at their versions (a pip
    constraint), so torch, numpy and ipywidgets stay as Colab ships them.

    Returns
    -------
    list of str
        The requirements that were installed.

    Raises
    ------
    WorkshopError
        When pip fails, with the last lines pip wrote.
    """
    import tempfile
    import time
    from importlib import invalidate_caches, metadata

    if not requirements:
        return []
    pins = []
    for name in PROTECTED_PACKAGES:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    started = time.monotonic()
    print(f"Installing {label}: {len(requirements)} Python packages, a minute or two…", flush=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\n".join(pins) + "\n")
    command = [sys.executable, "-m", "pip", "install", "--progress-bar", "off"]
    command += ["--constraint", constraints.name, *requirements]
    lines: list[str] = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as pip:
        for line in pip.stdout or ():
            lines.append(line.rstrip())
            if line.startswith("Collecting "):
                print(f"  getting {line.split()[1]}", flush=True)
    os.unlink(constraints.name)  # noqa: PTH108 (a plain string path)
    if pip.returncode != 0:
        tail = "\n".join(lines[-6:])
        raise WorkshopError(
            f"pip could not install {label} ({', '.join(requirements)}). It said:\n{tail}"
        )
    invalidate_caches()
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    return list(requirements)


@dataclass(frozen=True)
class SetupReport:
    """What :func:`setup` found: where we run, on which device, offline or not, and notes.

    Shown as one line, such as ``Ready: GPU Tesla T4 (15 GB) on Google Colab, real models…``;
    a note line follows only when something is missing, saying what to do.
    """

    place: str
    device: str
    offline: bool
    installed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        """The one line: device, place and which models run."""
        places = {"colab": "on Google Colab", "jupyter": "in Jupyter", "python": "in plain Python"}
        models = (
            "offline sample models (small stand-ins, not the real models' results)"
            if self.offline
            else "real models (each downloads once, when first used)"
        )
        return f"Ready: {self.device} {places[self.place]}, {models}."

    def __str__(self) -> str:
        return "\n".join([self.line, *self.notes])

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def _device_words(place: str) -> str:
    """The device in a few words: 'GPU Tesla T4 (15 GB)' or 'no GPU (CPU)' with Colab's fix."""
    try:
        summary = device_summary()
    except WorkshopError as err:
        return f"no usable device ({err})"
    if summary.startswith("GPU: "):
        return "GPU " + summary.removeprefix("GPU: ")
    if place == "colab":
        return "no GPU (CPU; for a GPU: Runtime → Change runtime type → T4 GPU, then Run all)"
    return "no GPU (CPU)"


def setup(*extras: str, system: Iterable[str] = ()) -> SetupReport:
    """Get this notebook ready and say in one line what runs where.

    On Colab it installs what the notebook's extras need (Python packages with pip, keeping
    Colab's torch, numpy and ipywidgets; system programs with apt), once per runtime, with a
    progress line per step, and turns on Colab's support for custom widgets. Elsewhere it
    installs nothing and names anything missing with its install command. It never downloads
    models. Calling it again costs nothing.

    Parameters
    ----------
    *extras : str
        Names from :data:`EXTRAS`, such as ``"speech"``.
    system : sequence of str
        More system programs the notebook uses, such as ``("gcc",)``.

    Returns
    -------
    SetupReport

    Examples
    --------
    >>> print(setup())  # doctest: +ELLIPSIS
    Ready: ...
    """
    place = where()
    chosen = [_extra(name) for name in extras]
    programs = list(dict.fromkeys([p for extra in chosen for p in extra.system] + list(system)))
    installed: list[str] = []
    notes: list[str] = []
    for extra in chosen:
        _ready_extra(extra, place, installed, notes)
    _ready_programs(programs, place, installed, notes)
    return SetupReport(
        place=place,
        device=_device_words(place),
        offline=is_offline(),
        installed=tuple(installed),
        notes=tuple(notes),
    )


def _ready_extra(extra: Extra, place: str, installed: list[str], notes: list[str]) -> None:
    """Install an extra's missing Python packages on Colab; elsewhere note the pip command."""
    missing = missing_packages(extra.name)
    if missing and place == "colab":
        try:
            installed += install_packages(missing, label=extra.purpose)
        except WorkshopError as err:  # the rest of the notebook still works: say it, go on
            notes.append(f"Note: {err}")
    elif missing:
        wanted = " ".join(f'"{requirement}"' for requirement in missing)
        notes.append(
            f"Note: Python packages for {extra.purpose} are missing; the cells that use "
            f"them will say so. Install them with: pip install {wanted}"
        )


def _ready_programs(programs: list[str], place: str, installed: list[str], notes: list[str]):
    """Install missing system programs on Colab (and turn on its widgets); elsewhere note them."""
    if place == "colab":
        if missing_programs(programs):
            print(f"Installing system programs: {', '.join(programs)}…", flush=True)
        try:
            installed += install_system_programs(programs)
        except WorkshopError as err:
            notes.append(f"Note: {err}")
        _enable_colab_widgets()
        return
    absent = missing_programs(programs)
    if absent:
        packages = " ".join(sorted({p.package for p in absent}))
        notes.append(
            f"Note: {', '.join(p.name for p in absent)} is not installed; the cells that "
            f"use it will say so. On Debian or Ubuntu: sudo apt-get install {packages}"
        )


def _enable_colab_widgets() -> None:
    try:
        from google.colab import output
    except ImportError:
        return
    enable = getattr(output, "enable_custom_widget_manager", None)
    if enable is not None:
        enable()
