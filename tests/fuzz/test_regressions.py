"""Every input the fuzz suite once found breaking the promise, replayed on every run.

Binary cases live in ``tests/fuzz/cases/<entry point>/``; cases found by generated values are
kept as ``@example`` lines next to their test.
"""

from pathlib import Path

import pytest
from fuzzing import CASES, Fuzzer


def _image(data, tmp: Path):
    from workshop_lib.media.images import open_image

    return open_image(data)


def _audio(data, tmp: Path):
    from workshop_lib.media.audio import load_audio

    return load_audio(data)


REPLAY = {"load_image": _image, "load_audio": _audio}


def _extract(kind):
    def run(data, tmp: Path):
        from workshop_lib import assets

        archive = tmp / f"case.{kind}"
        archive.write_bytes(data)
        return assets.extract_archive(archive, tmp / "out", kind=kind)

    return run


def _cases():
    found = []
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()) if CASES.is_dir() else []:
        for case in sorted(folder.iterdir()):
            found.append(pytest.param(folder.name, case, id=f"{folder.name}/{case.name}"))
    return found


@pytest.mark.parametrize(("entry", "case"), _cases())
def test_regression_case(entry, case, tmp_path):
    kind = case.suffix.lstrip(".")
    if entry.startswith("extract_archive"):
        run = _extract("zip" if kind == "zip" else "tar")
    else:
        run = REPLAY.get(entry)
    if run is None:
        pytest.fail(f"No replay for fuzz cases of {entry!r}: add one to REPLAY.")
    fuzzer = Fuzzer(entry=f"regression-{entry}", long=False, seed=0)
    data = case.read_bytes()
    fuzzer.check(lambda: run(data, tmp_path), None)
    assert fuzzer.ran == 1
