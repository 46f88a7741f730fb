"""Unpack a downloaded tar or zip archive safely, refusing anything that could land outside its folder.

Every entry is checked before anything is written (paths, links, devices, declared sizes), and
unpacking happens in a scratch folder renamed into place at the end. This module imports only
:mod:`errors` of the library, so :mod:`assets` (which re-exports :func:`extract_archive`) can use it.
"""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .errors import WorkshopError

__all__ = ["MAX_ENTRIES", "MAX_UNPACKED", "SPARE_SPACE", "extract_archive", "format_size"]

SPARE_SPACE = 50 * 10**6
"""Bytes of free space kept on top of what a download or an unpacked archive needs."""
_CACHE_VARIABLE = "WORKSHOP_CACHE"  # the same name as assets.CACHE_VARIABLE (a test checks)


def format_size(size: int) -> str:
    """Write a number of bytes the way people say it, such as ``"137 MB"``."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            break
        value /= 1000
    if unit == "bytes":
        return f"{int(value)} bytes"
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


def extract_archive(
    archive: str | os.PathLike, target: str | os.PathLike, *, kind: str | None = None
) -> Path:
    """Unpack a tar or zip archive into a new folder, refusing anything that could land outside it.

    Every entry is checked before anything is written: an absolute path, a ``..`` part, a link
    pointing outside the folder, or a device or pipe makes the whole archive refused. Unpacking
    happens in a temporary folder beside ``target``, renamed into place at the end, so a
    half-unpacked folder never looks complete.

    Parameters
    ----------
    archive : str or path
        The ``.tar``, ``.tar.gz`` or ``.zip`` file.
    target : str or path
        The folder to create; it must not exist yet.
    kind : {None, "tar", "zip"}
        The archive format; None works it out from the file.

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    WorkshopError
        For an unreadable or unsafe archive, or when ``target`` already exists.
    """
    archive, target = Path(archive), Path(target)
    if target.exists():
        raise WorkshopError(f"{target} already exists; delete it to unpack {archive.name} again.")
    kind = kind or _archive_kind(archive)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        scratch.chmod(0o755)
        if kind == "tar":
            _extract_tar(archive, scratch)
        else:
            _extract_zip(archive, scratch)
        scratch.rename(target)
    except OSError as err:
        if err.errno != errno.ENOSPC:
            raise WorkshopError(
                f"{archive.name} could not be unpacked into {target.parent} ({err.strerror or err})."
                " It is not the file we expect: delete it and download it again."
            ) from err
        raise WorkshopError(
            f"The disk filled up while unpacking {archive.name} into {target.parent} "
            f"({format_size(shutil.disk_usage(target.parent).free)} free). Delete files you no "
            f"longer need, or set {_CACHE_VARIABLE} to a folder on a disk with more room."
        ) from err
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def _archive_kind(archive: Path) -> str:
    """Say whether a file is a tar or a zip archive."""
    if archive.is_file() and tarfile.is_tarfile(archive):
        return "tar"
    if archive.is_file() and zipfile.is_zipfile(archive):
        return "zip"
    raise WorkshopError(
        f"{archive} is not a tar or zip archive that can be read. Delete it and download it again."
    )


def _refuse(archive: Path, name: str, why: str) -> WorkshopError:
    """The message for an archive entry that is not safe to unpack."""
    return WorkshopError(
        f"The archive {archive.name} was not unpacked: its entry '{name}' {why}. A safe archive "
        "keeps all its files inside one folder; this one is damaged or made to write elsewhere "
        f"on your computer, so nothing was written. Delete {archive} and download it again."
    )


def _parts(name: str) -> tuple[str, ...]:
    """The parts of an archive entry's path, splitting on both kinds of slash."""
    return PurePosixPath(name.replace("\\", "/")).parts


def _escapes(name: str) -> bool:
    """True when an entry path is absolute or has a ``..`` part."""
    parts = _parts(name)
    is_absolute = name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":")
    return is_absolute or ".." in parts


def _link_escapes(member_name: str, link: str) -> bool:
    """True when a symbolic link, read from its own folder, points outside the archive's folder."""
    if link.startswith(("/", "\\")) or (len(link) > 1 and link[1] == ":"):
        return True
    depth = len(_parts(member_name)) - 1
    for part in _parts(link):
        if part == "..":
            depth -= 1
        elif part != ".":
            depth += 1
        if depth < 0:
            return True
    return False


def _check_tar_member(archive: Path, member: tarfile.TarInfo) -> None:
    """Refuse a tar entry that could write outside the target folder."""
    if _escapes(member.name):
        raise _refuse(archive, member.name, "would be written outside the folder")
    if member.isdev():
        raise _refuse(archive, member.name, "is a device or a pipe, not a file")
    if member.issym() and _link_escapes(member.name, member.linkname):
        raise _refuse(archive, member.name, f"is a link to '{member.linkname}', outside the folder")
    if member.islnk() and _escapes(member.linkname):
        raise _refuse(archive, member.name, f"is a link to '{member.linkname}', outside the folder")


MAX_UNPACKED = 4 * 10**9
"""Bytes an archive may unpack to, all entries together (the largest model is about 200 MB)."""
MAX_ENTRIES = 20_000
"""Entries an archive may hold."""


def _check_declared_size(archive: Path, folder: Path, sizes: list[int]) -> None:
    """Refuse an archive bomb by the sizes it declares, before anything is unpacked."""
    total = sum(max(0, size) for size in sizes)
    if len(sizes) > MAX_ENTRIES or total > MAX_UNPACKED:
        raise WorkshopError(
            f"{archive.name} says it unpacks to {len(sizes)} files and {format_size(total)}, far "
            "more than any workshop model, so it was not unpacked. It is not the file we expect: "
            "delete it and download it again."
        )
    free = shutil.disk_usage(folder).free
    if total + SPARE_SPACE > free:
        raise WorkshopError(
            f"{archive.name} unpacks to {format_size(total)}, but only {format_size(free)} is "
            f"free in {folder}. Delete files you no longer need, or set {_CACHE_VARIABLE} to a "
            "folder on a disk with more room."
        )


def _extract_tar(archive: Path, folder: Path) -> None:
    """Check every tar entry, then unpack them all (with tarfile's own "data" filter too)."""
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                _check_tar_member(archive, member)
            _check_declared_size(archive, folder, [m.size for m in members if m.isfile()])
            if hasattr(tarfile, "data_filter"):
                tar.extractall(folder, members=members, filter="data")
            else:  # Python before 3.11.4: the checks above do the filter's work
                tar.extractall(folder, members=members)  # noqa: S202
    except tarfile.FilterError as err:
        raise _refuse(archive, err.tarinfo.name, "is not a safe file to unpack") from err
    except (
        tarfile.TarError,
        EOFError,
        gzip.BadGzipFile,
        zlib.error,
        ValueError,
        KeyError,
        RecursionError,
    ) as err:  # RecursionError: a link that points at itself
        raise WorkshopError(
            f"{archive} could not be unpacked ({str(err)[:200]}); it is probably incomplete. "
            "Delete it and download it again."
        ) from err


def _extract_zip(archive: Path, folder: Path) -> None:
    """Check every zip entry, then unpack them all."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            for name in bundle.namelist():
                if _escapes(name):
                    raise _refuse(archive, name, "would be written outside the folder")
            _check_declared_size(archive, folder, [i.file_size for i in bundle.infolist()])
            bundle.extractall(folder)  # noqa: S202 (every name was checked above)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        zlib.error,
        ValueError,
        RuntimeError,  # an entry marked as encrypted
    ) as err:
        raise WorkshopError(
            f"{archive} could not be unpacked ({str(err)[:200]}); it is probably incomplete. "
            "Delete it and download it again."
        ) from err
