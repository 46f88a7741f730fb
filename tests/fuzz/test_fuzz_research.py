"""Fuzzing the arXiv and GitHub response parsers: the real clients, on a local stand-in server
that answers with recorded responses made wrong (truncated, wrong JSON types, huge fields)."""

import copy
import json
import random
import sys
from pathlib import Path

import pytest
from fuzzing import mutate

from workshop_lib.research import _common, github_client
from workshop_lib.research import arxiv as research_arxiv
from workshop_lib.research import github as research_github

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from research_server import ApiServer, recorded_body

WRONG = [
    None,
    0,
    -1,
    10**18,
    3.5,
    True,
    "",
    "x" * 200_000,
    [],
    {},
    [1, "a"],
    {"a": None},
    "2020-13-45T99:99:99Z",
]


def _wrong_json(value, rng: random.Random):
    """The value with one random part replaced by a value of the wrong type, or deleted."""
    value = copy.deepcopy(value)
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for index, child in enumerate(node[:5]):
                walk(child, (*path, index))

    walk(value, ())
    path = rng.choice(paths)
    if not path:
        return rng.choice(WRONG)
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and rng.random() < 0.3:
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(WRONG)
    return value


def _bodies(files: list[str], rng: random.Random):
    seeds = [recorded_body(f) for f in files]
    while True:
        seed = rng.choice(seeds)
        if seed.lstrip().startswith((b"{", b"[")) and rng.random() < 0.7:
            yield json.dumps(_wrong_json(json.loads(seed), rng)).encode()
        else:
            yield mutate(seed, rng, seeds)


@pytest.fixture
def online(monkeypatch):
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setattr(github_client, "_COLAB_SECRET", [], raising=False)


def _fresh_limits(monkeypatch):
    monkeypatch.setattr(github_client, "_SEARCHES", _common.Window(60.0))
    if hasattr(github_client, "_BLOCKED"):
        monkeypatch.setattr(github_client, "_BLOCKED", {})
    monkeypatch.setattr(research_arxiv, "_PACER", _common.Pacer(0.0))


def test_github_parsers(fuzzer, online, monkeypatch):
    rng = random.Random(fuzzer.seed)
    bodies = _bodies(
        [
            "github/search/spleeter.json",
            "github/repos/deezer-spleeter.json",
            "github/readme/deezer-spleeter.json",
        ],
        rng,
    )
    current = {}

    def answer(path, query, headers):
        return rng.choice([200, 200, 200, 200, 403, 404, 500, 304]), {}, current["body"]

    with ApiServer(answer) as server:
        monkeypatch.setenv(github_client.GITHUB_API_VARIABLE, server.url)
        for index in fuzzer.rounds():
            current["body"] = next(bodies)
            _fresh_limits(monkeypatch)
            fuzzer.check(
                lambda i=index: str(research_github.search_github(f"spleeter {i}")),
                current["body"],
                name=".json",
            )
            fuzzer.check(
                lambda i=index: str(research_github.repository(f"fuzz/repo{i}", check_readme=True)),
                current["body"],
                name=".json",
            )


def test_arxiv_parsers(fuzzer, online, monkeypatch):
    rng = random.Random(fuzzer.seed)
    bodies = _bodies(
        [
            "arxiv/search-real-time-guided-image-colorization.atom.xml",
            "arxiv/id-1705.02999.atom.xml",
        ],
        rng,
    )
    current = {}

    def answer(path, query, headers):
        status = rng.choice([200, 200, 200, 200, 503, 400])
        return status, {"Content-Type": "application/atom+xml"}, current["body"]

    with ApiServer(answer) as server:
        monkeypatch.setenv(research_arxiv.ARXIV_API_VARIABLE, server.url)
        for index in fuzzer.rounds():
            current["body"] = next(bodies)
            _fresh_limits(monkeypatch)
            fuzzer.check(
                lambda i=index: str(research_arxiv.search_arxiv(f"colour {i}")),
                current["body"],
                name=".xml",
            )
            fuzzer.check(
                lambda i=index: str(research_arxiv.get_paper(f"1705.{i:05d}")),
                current["body"],
                name=".xml",
            )
