"""The workshop's command line: ``python -m workshop_lib prefetch | doctor | list | handout | kit | app | snapshot``.

- ``prefetch [names...]`` downloads the models ahead of time (all of them when none are named).
- ``doctor`` says what this computer has: Python, device, packages, programs, cache, downloads.
- ``list`` shows every model with its download size, licences and what it is.
- ``handout [--out DIR]`` runs every notebook and writes them, with results, as a static web site.
- ``kit [--out DIR]`` makes a folder for a room with poor internet: handout, wheel, models.
- ``app [--port N] [--share] [--concurrency N] [--device D]`` starts the web app (needs the ``app``
  extra).
- ``snapshot [--out FILE]`` records fresh arXiv and GitHub answers for every search and lookup
  the notebooks make, for learners to fall back on (the instructor runs it before a session).
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
from importlib import metadata

from . import assets, catalog, runtime
from .errors import WorkshopError

__all__ = ["main"]

_PACKAGES = (
    ("torch", "torch"),
    ("torchaudio", "torchaudio"),
    ("torchcodec", "torchcodec"),
    ("numpy", "numpy"),
    ("ipywidgets", "ipywidgets"),
    ("anywidget", "anywidget"),
    ("pooch", "pooch"),
    ("matplotlib", "matplotlib"),
    ("PIL", "pillow"),
)
"""Key packages for ``doctor``: the import name, and the name pip knows it by."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (the program's own arguments when None).

    Returns
    -------
    int
        The exit status: 0 when all went well, 1 when a download failed, 2 for a wrong command.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits on --help and on mistakes
        return stop.code if isinstance(stop.code, int) else 2
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    """The argument parser with its commands."""
    parser = argparse.ArgumentParser(
        prog="python -m workshop_lib",
        description="Helpers for the workshop: download models ahead of time, check this computer.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    prefetch = commands.add_parser("prefetch", help="download models now (all, or those named)")
    prefetch.add_argument("names", nargs="*", help="names from 'list'; none means all")
    prefetch.set_defaults(run=_prefetch)
    doctor = commands.add_parser("doctor", help="check Python, device, packages, programs, cache")
    doctor.set_defaults(run=_doctor)
    for name, what, default in (
        ("handout", "run every notebook and write a static web site of them", "handout"),
        ("kit", "make an offline workshop kit: handout, wheel, models, README", "workshop-kit"),
    ):
        command = commands.add_parser(name, help=what)
        command.add_argument("--out", default=default, help=f"folder to write (default: {default})")
        command.add_argument("--notebooks", help="folder with the notebooks (default: notebooks/)")
        command.add_argument(
            "--offline",
            action="store_true",
            help="run with the small offline models, even with internet",
        )
        command.set_defaults(run=_handout if name == "handout" else _kit)
    listing = commands.add_parser("list", help="show every model: size, licence, purpose")
    listing.set_defaults(run=_list)
    web = commands.add_parser("app", help="start the web app on this computer (Ctrl+C stops it)")
    web.add_argument("--port", type=int, help="port (default: the first free one from 7860)")
    web.add_argument("--share", action="store_true", help="also make a public link (internet)")
    web.add_argument("--concurrency", type=int, default=1, help="requests at a time (default 1)")
    web.add_argument("--device", help="where the models run: cpu, cuda, mps (default: the best)")
    web.set_defaults(run=_app)
    snap = commands.add_parser(
        "snapshot", help="record fresh GitHub and arXiv answers for the notebooks (instructor)"
    )
    snap.add_argument(
        "--out",
        default="workshop-snapshot.json",
        help="file to write (default: workshop-snapshot.json); give it to the learners",
    )
    snap.set_defaults(run=_snapshot)
    return parser


def _table(rows, headers) -> str:
    """Lay out rows of text in columns under their headers."""
    rows = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


# --- prefetch ---------------------------------------------------------------------------------


def _prefetch(args) -> int:
    """Download the named models (all when none are named), then show where they are.

    Names are model names from ``list`` (a model may have several files) or single file names
    from the asset registry.
    """
    models = catalog.bundles()
    names = list(args.names) or list(models)
    unknown = [name for name in names if name not in models and name not in assets.REGISTRY]
    if unknown:
        print(
            f"Unknown name(s): {', '.join(unknown)}. Known names: {', '.join(models)}. "
            "'python -m workshop_lib list' shows what each one is.",
            file=sys.stderr,
        )
        return 2
    if runtime.is_offline():
        _prefetch_plan(names, models)
        return 0
    failed: list[str] = []
    skipped: list[str] = []
    for name in names:
        try:
            if name in models:
                models[name].fetch(progress=True)
            else:
                assets.fetch(name, progress=True)
        except WorkshopError as err:
            message = str(err)
            (skipped if "skipped:" in message else failed).append(name)
            print(f"\n{message}\n", file=sys.stderr)
    rows = [(name, _prefetch_state(name, models, failed, skipped)) for name in names]
    print()
    print(_table(rows, ("name", "state")))
    if failed:
        print(f"\n{len(failed)} download(s) failed: {', '.join(failed)}.", file=sys.stderr)
        return 1
    return 0


def _prefetch_state(name: str, models: dict, failed: list, skipped: list) -> str:
    if name in failed:
        return "failed"
    if name in skipped:
        return "skipped"
    if name in models:
        return models[name].state()
    entry = assets.status([name])[0]
    return f"ready, at {entry.path}" if entry.cached else "missing"


def _prefetch_plan(names, models) -> None:
    """Say what prefetch would download, without downloading anything (offline switch on)."""
    print(
        f"The offline switch is on ({runtime.OFFLINE_VARIABLE}=1), so nothing is downloaded. "
        f"With it off (remove {runtime.OFFLINE_VARIABLE}), prefetch would do this:\n"
    )
    for name in names:
        files = models[name].assets if name in models else (name,)
        if name in models and not files:
            print(f"{name}: {models[name].state()}; its own program downloads it")
            continue
        if name in models and models[name].cached():
            print(f"{name}: already here")
            continue
        for entry in assets.status(list(files)):
            asset = assets.REGISTRY[entry.name]
            if entry.cached:
                print(f"{name} / {asset.name}: already here, at {entry.path}")
            else:
                print(
                    f"{name} / {asset.name}: would download about {assets.format_size(asset.size)}\n"
                    f"  from {asset.urls[0]}\n"
                    f"  into {entry.path}"
                )


# --- doctor -----------------------------------------------------------------------------------


def _doctor(args) -> int:
    """Print what this computer has, section by section; a failing section prints its message."""
    sections = (
        ("Python", _python_lines),
        ("Device", lambda: [runtime.device_summary()]),
        ("Python packages", _package_lines),
        ("System programs", _program_lines),
        ("Cache folder", _cache_lines),
        ("Models", _model_lines),
        ("Offline switch", _offline_lines),
    )
    for title, lines in sections:
        print(title)
        try:
            body = lines()
        except Exception as err:
            body = [f"This part could not be checked: {err}"]
        print("\n".join(f"  {line}" for line in body), end="\n\n")
    return 0


def _python_lines() -> list[str]:
    places = {"colab": "Google Colab", "jupyter": "Jupyter", "python": "plain Python"}
    return [
        f"Python {platform.python_version()} at {sys.executable}",
        f"Running in {places.get(runtime.where(), runtime.where())}",
    ]


def _version(distribution: str) -> str:
    """The installed version of a package, or "not installed"."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _package_lines() -> list[str]:
    rows = [(name, _version(distribution)) for name, distribution in _PACKAGES]
    return _table(rows, ("package", "version")).splitlines()


def _program_lines() -> list[str]:
    programs = list(runtime.system_programs().values())
    rows = [(p.name, "installed" if p.installed else "missing", p.purpose) for p in programs]
    lines = _table(rows, ("program", "state", "used for")).splitlines()
    missing = sorted({p.package for p in programs if not p.installed})
    if missing:
        lines.append(f"To install the missing ones: sudo apt-get install {' '.join(missing)}")
    return lines


def _cache_lines() -> list[str]:
    folder = assets.cache_dir(create=False)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    return [
        f"{folder} (set {assets.CACHE_VARIABLE} to use another folder)",
        f"{'exists' if folder.is_dir() else 'not created yet'}; "
        f"{assets.format_size(free)} free on its disk",
    ]


def _model_lines() -> list[str]:
    rows = [(b.name, b.task, b.state(), b.licence) for b in catalog.bundles().values()]
    lines = _table(rows, ("model", "for", "state", "licence")).splitlines()
    lines.append("'python -m workshop_lib prefetch' downloads the missing ones.")
    return lines


def _offline_lines() -> list[str]:
    if runtime.is_offline():
        return [
            f"on ({runtime.OFFLINE_VARIABLE}=1): small stand-ins and recorded answers are used, "
            "and nothing is downloaded"
        ]
    return [f"off (set {runtime.OFFLINE_VARIABLE}=1 to work without the internet)"]


# --- list -------------------------------------------------------------------------------------


def _list(args) -> int:
    """Show every model: name, what it is for, download size, licences and what it is."""
    rows = []
    for b in catalog.bundles().values():
        size = f"about {assets.format_size(b.size())}" if b.assets else "its program fetches it"
        licence = b.licence + (f"; program: {b.code_licence}" if b.code_licence else "")
        rows.append((b.name, b.task, size, licence, b.title))
    print(_table(rows, ("name", "for", "size", "licence", "what it is")))
    return 0


def _handout(args) -> int:
    from .handout import build_handout

    try:
        report = build_handout(
            args.out, notebooks=args.notebooks, offline=True if args.offline else None
        )
    except WorkshopError as err:
        print(err)
        return 1
    print(report)
    return 1 if report.failures else 0


def _kit(args) -> int:
    from .handout import build_kit

    try:
        readme = build_kit(
            args.out, notebooks=args.notebooks, offline=True if args.offline else None
        )
    except WorkshopError as err:
        print(err)
        return 1
    print(f"Kit ready: {readme.parent} (read {readme.name} first)")
    return 0


def _app(args) -> int:
    """Start the web app and keep it running until Ctrl+C or SIGTERM; then delete every file it kept."""
    try:
        from .app import create_app

        made = create_app(concurrency=args.concurrency, device=args.device)
        made.launch(share=args.share, port=args.port, inline=False, block=True, quiet=False)
    except WorkshopError as err:
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C during start-up: the app has already cleaned up
        print("Stopped; the app's files are deleted.")
    return 0


def _snapshot(args) -> int:
    """Record the instructor's snapshot; the GitHub token (if any) is used, never shown or saved."""
    from .research.snapshot import make_snapshot

    try:
        report = make_snapshot(args.out)
    except WorkshopError as err:
        print(err, file=sys.stderr)
        return 1
    print(report)
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
