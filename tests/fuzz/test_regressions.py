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


def _song(data, tmp: Path, suffix: str = ".ogg"):
    from workshop_lib.separate import Separator

    song = tmp / f"song{suffix}"
    song.write_bytes(data)
    return Separator("2stems").separate_file(song, tmp / "stems", progress=False)


REPLAY = {"load_image": _image, "load_audio": _audio, "separator_files": _song}


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


# --- cases found by generated answers, kept as explicit tests --------------------------------


def test_github_search_404_is_a_sentence(monkeypatch, tmp_path):
    """Found: a 404 from the search address escaped as the client's internal NotFound."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from research_server import ApiServer

    from workshop_lib.errors import WorkshopError
    from workshop_lib.research import _common, github_client
    from workshop_lib.research import github as research_github

    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))
    monkeypatch.setattr(github_client, "_SEARCHES", _common.Window(60.0))
    with ApiServer(lambda path, query, headers: (404, {}, b"{}")) as server:
        monkeypatch.setenv(github_client.GITHUB_API_VARIABLE, server.url)
        with pytest.raises(WorkshopError, match="search address was not found"):
            research_github.search_github("no such thing at all")


def test_github_fields_of_the_wrong_type_count_as_unknown():
    """Found: a star count or licence of the wrong type broke the record or its table."""
    from workshop_lib.research.github_records import to_repository

    repo = to_repository(
        {
            "full_name": "a/b",
            "stargazers_count": "many",
            "license": [],
            "topics": {"x": 1},
            "pushed_at": 5,
            "archived": "no",
        },
        "test",
    )
    assert repo.stars is None and repo.licence == "other" and repo.topics == ()
    assert repo.pushed is None and repo.archived is None
    assert "a/b" in str(repo)


def test_arxiv_damaged_feed_falls_back_to_the_recording(monkeypatch, tmp_path):
    """Found: a feed with a damaged <updated> date escaped as ValueError from the parser."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from research_server import ApiServer, recorded_body

    from workshop_lib.research import _common
    from workshop_lib.research import arxiv as research_arxiv

    body = recorded_body("arxiv/id-1705.02999.atom.xml").replace(
        b"2017-05-08T00:00:00Z</updated>", b"2017-05-08T00:00:00Z>/updated>"
    )
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path))
    monkeypatch.setattr(research_arxiv, "_PACER", _common.Pacer(0.0))
    with ApiServer(lambda path, query, headers: (200, {}, body)) as server:
        monkeypatch.setenv(research_arxiv.ARXIV_API_VARIABLE, server.url)
        paper = research_arxiv.get_paper("1705.02999")
    assert "Real-Time User-Guided" in paper.title
