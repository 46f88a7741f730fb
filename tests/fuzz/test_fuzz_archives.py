"""Fuzzing the asset archive extraction: traversal, links, absolute paths, bombs, damage."""

import io
import os
import random
import tarfile
import zipfile

from fuzzing import LONG_INPUTS, examples, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop_lib import assets

NAMES = st.one_of(
    st.sampled_from(
        [
            "../evil",
            "/etc/evil",
            "a/../../evil",
            "..",
            ".",
            "a/./b",
            "C:\\evil",
            "a\\..\\..\\evil",
            "%2e%2e/evil",
            "ok/file.txt",
            "",
            "a" * 300,
        ]
    ),
    st.text(min_size=1, max_size=40),
)


def _tar(entries) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, kind, link, data in entries:
            info = tarfile.TarInfo(name or "x")
            if kind == "file":
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                info.type = {
                    "sym": tarfile.SYMTYPE,
                    "hard": tarfile.LNKTYPE,
                    "dev": tarfile.CHRTYPE,
                    "fifo": tarfile.FIFOTYPE,
                    "dir": tarfile.DIRTYPE,
                }[kind]
                info.linkname = link
                tar.addfile(info)
    return buffer.getvalue()


def _zip(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, _kind, _link, data in entries:
            try:
                bundle.writestr(name or "x", data)
            except (IndexError, ValueError):  # a name zipfile itself cannot write ("/")
                continue
    return buffer.getvalue()


ENTRIES = st.lists(
    st.tuples(
        NAMES,
        st.sampled_from(["file", "sym", "hard", "dev", "fifo", "dir"]),
        NAMES,
        st.binary(max_size=64),
    ),
    min_size=1,
    max_size=5,
)


def _unpack(fuzzer, tmp_path, data: bytes, kind: str, index: int):
    archive = tmp_path / f"archive-{index}.{'tar.gz' if kind == 'tar' else 'zip'}"
    archive.write_bytes(data)
    target = tmp_path / "cache" / f"out-{index}"
    fuzzer.check(lambda: assets.extract_archive(archive, target, kind=kind), data, name=f".{kind}")
    for folder, _dirs, _files in os.walk(tmp_path / "cache"):  # does not follow links
        assert os.path.realpath(folder).startswith(str(tmp_path.resolve())), f"{folder} escaped"
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "cache").glob(".*")), "scratch left"
    archive.unlink()


@settings(
    max_examples=examples(LONG_INPUTS // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=ENTRIES, kind=st.sampled_from(["tar", "zip"]), index=st.integers(0, 10**9))
def test_extract_archive(fuzzer, tmp_path_factory, entries, kind, index):
    tmp_path = tmp_path_factory.mktemp("archive")
    data = _tar(entries) if kind == "tar" else _zip(entries)
    _unpack(fuzzer, tmp_path, data, kind, index)


def test_extract_archive_mutated(fuzzer, tmp_path):
    good = [("model/a.txt", "file", "", b"weights" * 50), ("model/b.bin", "file", "", bytes(300))]
    seeds = {"tar": _tar(good), "zip": _zip(good)}
    rng = random.Random(fuzzer.seed)
    for index in fuzzer.rounds():
        kind = rng.choice(["tar", "zip"])
        _unpack(fuzzer, tmp_path, mutate(seeds[kind], rng, list(seeds.values())), kind, index)


def test_extract_archive_bombs_are_refused_by_declared_size(fuzzer, tmp_path):
    # A zip whose one entry declares 50 GB: refused before a byte is unpacked.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("big.bin", bytes(1000))
    data = bytearray(buffer.getvalue())
    for offset in (22, None):  # local header's size, then the central directory's
        at = data.find(b"PK\x03\x04") + 22 if offset else data.find(b"PK\x01\x02") + 24
        data[at : at + 4] = (4_294_967_000).to_bytes(4, "little")
    fuzzer.limit_seconds = 5
    _unpack(fuzzer, tmp_path, bytes(data), "zip", 0)
    assert fuzzer.refused == 1
    # A tar whose one member declares 6 GB but holds nothing: refused by the declared size.
    info = tarfile.TarInfo("big.bin")
    info.size = 6 * 10**9
    header = info.tobuf(tarfile.GNU_FORMAT, "utf-8", "surrogateescape")
    buffer = io.BytesIO(header + bytes(1024))
    _unpack(fuzzer, tmp_path, buffer.getvalue(), "tar", 1)
    assert fuzzer.refused == 2
    assert any(
        "far more than any workshop model" in m or "unpacks to" in m for m in fuzzer.messages
    )
