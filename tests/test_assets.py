"""Tests for workshop_lib.assets: downloads from a local server, checksums, archives, offline."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import socket
import tarfile
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from workshop_lib import WorkshopError
from workshop_lib.assets import (
    REGISTRY,
    Asset,
    bundled,
    cache_dir,
    extract_archive,
    fetch,
    status,
    use_drive_cache,
)

CONTENT = b"pretend model weights\n" * 500


class _CountingHandler(SimpleHTTPRequestHandler):
    """Serves a folder, remembers every request, and can break off a body on purpose."""

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.startswith("/truncated/"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(CONTENT)))
            self.end_headers()
            self.wfile.write(CONTENT[: len(CONTENT) // 3])
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, format, *args):
        pass


class LocalServer:
    """A web server on 127.0.0.1 that stands in for the internet, serving one folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._server = ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(_CountingHandler, directory=str(folder))
        )
        self._server.requests = []
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def requests(self) -> list[str]:
        return self._server.requests

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{name}"

    def publish(self, name: str, content: bytes = CONTENT) -> str:
        (self.folder / name).write_bytes(content)
        return self.url(name)


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    local = LocalServer(site)
    local._thread.start()
    yield local
    local._server.shutdown()
    local._server.server_close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, with the offline switch off (CI runs with it on)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WORKSHOP_CACHE", str(folder))
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    return folder


@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/weights.pth"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def make_asset(urls, digest=None, **options) -> Asset:
    fields = {
        "name": "tiny",
        "urls": urls,
        "sha256": sha256(CONTENT) if digest is None else digest,
        "size": len(CONTENT),
        "licence": "CC0",
        "citation": "nobody, 2025",
        "purpose": "a tiny test file",
        "filename": "tiny.bin",
    }
    return Asset(**{**fields, **options})


def leftovers(folder: Path) -> list[str]:
    """Names of everything in the cache folder except the sidecar notes."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".verified"))


def tar_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


# --- downloading ------------------------------------------------------------------------------


def test_fetch_downloads_a_file_with_a_full_checksum(server, cache):
    asset = make_asset(server.publish("tiny.bin"))

    path = fetch(asset, progress=False)

    assert path == cache / "tiny.bin"
    assert path.read_bytes() == CONTENT


def test_fetch_twice_downloads_only_once(server, cache):
    asset = make_asset(server.publish("tiny.bin"))
    fetch(asset, progress=False)

    path = fetch(asset, progress=False)

    assert path.read_bytes() == CONTENT
    assert len(server.requests) == 1


def test_fetch_accepts_a_checksum_prefix(server, cache):
    asset = make_asset(server.publish("tiny.bin"), digest=sha256(CONTENT)[:8])

    path = fetch(asset, progress=True)

    assert path.read_bytes() == CONTENT


def test_fetch_downloads_again_when_the_cached_file_was_changed(server, cache):
    asset = make_asset(server.publish("tiny.bin"))
    path = fetch(asset, progress=False)
    path.write_bytes(b"X" * len(CONTENT))

    path = fetch(asset, progress=False)

    assert path.read_bytes() == CONTENT
    assert len(server.requests) == 2


def test_checksum_mismatch_names_both_hashes_and_leaves_no_file(server, cache):
    wrong = "0" * 64
    asset = make_asset(server.publish("tiny.bin"), digest=wrong)

    with pytest.raises(WorkshopError) as caught:
        fetch(asset, progress=False)

    message = str(caught.value)
    assert wrong in message
    assert sha256(CONTENT) in message
    assert "deleted" in message
    assert leftovers(cache) == []


def test_fetch_tries_the_mirror_when_the_first_address_is_missing(server, cache):
    asset = make_asset((server.url("moved.bin"), server.publish("tiny.bin")))

    path = fetch(asset, progress=False)

    assert path.read_bytes() == CONTENT
    assert server.requests == ["/moved.bin", "/tiny.bin"]


def test_missing_file_message_names_the_status_the_url_and_the_cache_path(server, cache):
    url = server.url("moved.bin")
    asset = make_asset(url)

    with pytest.raises(WorkshopError) as caught:
        fetch(asset, progress=False)

    message = str(caught.value)
    assert "404" in message
    assert url in message
    assert str(cache / "tiny.bin") in message
    assert leftovers(cache) == []


def test_refused_connection_message_mentions_internet_and_offline_switch(closed_port_url, cache):
    asset = make_asset(closed_port_url)

    with pytest.raises(WorkshopError) as caught:
        fetch(asset, progress=False)

    message = str(caught.value)
    assert "internet" in message
    assert "WORKSHOP_OFFLINE=1" in message
    assert closed_port_url in message
    assert leftovers(cache) == []


def test_a_download_cut_short_leaves_no_file(server, cache):
    asset = make_asset(server.url("truncated/tiny.bin"))

    with pytest.raises(WorkshopError) as caught:
        fetch(asset, progress=False)

    assert "try again" in str(caught.value)
    assert leftovers(cache) == []


def test_fetch_refuses_a_file_larger_than_the_free_space_without_downloading(server, cache):
    asset = make_asset(server.publish("tiny.bin"), size=10**18)

    with pytest.raises(WorkshopError) as caught:
        fetch(asset, progress=False)

    message = str(caught.value)
    assert "free" in message
    assert str(cache) in message
    assert "WORKSHOP_CACHE" in message
    assert server.requests == []


def test_fetch_of_an_unknown_name_lists_the_known_names(cache):
    with pytest.raises(WorkshopError, match="siggraph17"):
        fetch("no-such-model")


# --- offline switch ---------------------------------------------------------------------------


def test_offline_switch_without_stand_in_explains_and_downloads_nothing(server, cache, monkeypatch):
    url = server.publish("tiny.bin")
    asset = make_asset(url)
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    with pytest.raises(WorkshopError) as caught:
        fetch(asset, progress=False)

    message = str(caught.value)
    assert url in message
    assert str(cache / "tiny.bin") in message
    assert "WORKSHOP_OFFLINE" in message
    assert server.requests == []
    assert not cache.exists()


def test_offline_switch_uses_the_packaged_stand_in(server, cache, monkeypatch):
    asset = make_asset(server.publish("tiny.bin"), offline="system_programs.txt")
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    path = fetch(asset, progress=False)

    assert path.name == "system_programs.txt"
    assert path.parent.name == "workshop_lib"
    assert server.requests == []


def test_offline_switch_with_a_missing_stand_in_says_so(cache, monkeypatch):
    asset = make_asset("https://example.invalid/tiny.bin", offline="data/not-there.bin")
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    with pytest.raises(WorkshopError, match="stand-in"):
        fetch(asset, progress=False)


def test_offline_switch_returns_a_file_already_in_the_cache(server, cache, monkeypatch):
    asset = make_asset(server.publish("tiny.bin"))
    downloaded = fetch(asset, progress=False)
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")

    path = fetch(asset, progress=False)

    assert path == downloaded
    assert len(server.requests) == 1


def test_offline_switch_accepts_a_copy_placed_by_hand(cache, monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    asset = make_asset("https://example.invalid/tiny.bin")
    cache_dir().joinpath("tiny.bin").write_bytes(CONTENT)

    path = fetch(asset, progress=False)

    assert path.read_bytes() == CONTENT


# --- archives ---------------------------------------------------------------------------------


def test_fetch_unpacks_a_tar_archive_into_a_folder(server, cache):
    archive = tar_bytes({"model.index": b"index", "variables/model.data": b"data"})
    url = server.publish("2stems.tar.gz", archive)
    asset = make_asset(url, sha256(archive), size=len(archive), name="stems", extract="tar")

    folder = fetch(asset, progress=False)

    assert folder == cache / "stems"
    assert (folder / "model.index").read_bytes() == b"index"
    assert (folder / "variables" / "model.data").read_bytes() == b"data"
    assert leftovers(cache) == ["stems"]


def test_fetch_of_an_unpacked_archive_downloads_only_once(server, cache):
    archive = tar_bytes({"model.index": b"index"})
    url = server.publish("2stems.tar.gz", archive)
    asset = make_asset(url, sha256(archive), size=len(archive), name="stems", extract="tar")
    fetch(asset, progress=False)

    folder = fetch(asset, progress=False)

    assert (folder / "model.index").exists()
    assert len(server.requests) == 1


def _tar_with(tmp_path: Path, member: tarfile.TarInfo) -> Path:
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        tar.addfile(tarfile.TarInfo("fine.txt"), io.BytesIO(b""))
        content = b"evil" if member.isfile() else None
        member.size = len(content) if content else 0
        tar.addfile(member, io.BytesIO(content) if content else None)
    return archive


def _member(name, kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


@pytest.mark.parametrize(
    ("member", "why"),
    [
        (_member("../evil"), "outside"),
        (_member("/tmp/workshop-evil-absolute"), "outside"),
        (_member("link", tarfile.SYMTYPE, "../../outside"), "outside"),
        (_member("link", tarfile.SYMTYPE, "/etc/passwd"), "outside"),
        (_member("hard", tarfile.LNKTYPE, "../outside"), "outside"),
        (_member("pipe", tarfile.FIFOTYPE), "pipe"),
        (_member("disk", tarfile.BLKTYPE), "device"),
    ],
    ids=["dot-dot", "absolute", "symlink-up", "symlink-absolute", "hardlink", "fifo", "device"],
)
def test_extract_archive_refuses_unsafe_tar_entries(tmp_path, member, why):
    archive = _tar_with(tmp_path, member)
    target = tmp_path / "inside" / "model"

    with pytest.raises(WorkshopError, match=why):
        extract_archive(archive, target)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.tar", "inside"]
    assert list((tmp_path / "inside").iterdir()) == []
    assert not Path("/tmp/workshop-evil-absolute").exists()


def test_extract_archive_keeps_links_that_stay_inside(tmp_path):
    archive = tmp_path / "ok.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("sub/real.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"ok"))
        tar.addfile(_member("sub/link.txt", tarfile.SYMTYPE, "real.txt"))

    folder = extract_archive(archive, tmp_path / "model")

    assert (folder / "sub" / "link.txt").read_text() == "ok"


def test_extract_archive_refuses_a_zip_that_climbs_out(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("fine.txt", "fine")
        bundle.writestr("../evil", "evil")
    target = tmp_path / "inside" / "model"

    with pytest.raises(WorkshopError, match="outside"):
        extract_archive(archive, target)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.zip", "inside"]
    assert list((tmp_path / "inside").iterdir()) == []


def test_extract_archive_unpacks_a_zip(tmp_path):
    archive = tmp_path / "ok.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("voices/en.json", "{}")

    folder = extract_archive(archive, tmp_path / "voices")

    assert (folder / "voices" / "en.json").read_text() == "{}"


def test_extract_archive_refuses_a_file_that_is_no_archive(tmp_path):
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(b"this is not an archive")

    with pytest.raises(WorkshopError, match="download it again"):
        extract_archive(archive, tmp_path / "model")

    assert not (tmp_path / "model").exists()


def test_unpacking_messages_name_the_cache_variable_assets_reads():
    from workshop_lib import archives, assets

    assert archives._CACHE_VARIABLE == assets.CACHE_VARIABLE


# --- bundled files, cache folder, status ------------------------------------------------------


def test_bundled_names_the_missing_file_and_where_it_looked():
    with pytest.raises(WorkshopError) as caught:
        bundled("photos/no-such-photo.jpg")

    message = str(caught.value)
    assert "photos/no-such-photo.jpg" in message
    assert "ship with the workshop" in message


def test_bundled_refuses_a_path_that_leaves_the_data_folder():
    with pytest.raises(WorkshopError):
        bundled("../errors.py")


def test_cache_dir_follows_the_environment_variable(cache):
    folder = cache_dir()

    assert folder == cache
    assert folder.is_dir()


def test_use_drive_cache_outside_colab_points_to_the_environment_variable():
    with pytest.raises(WorkshopError, match="WORKSHOP_CACHE"):
        use_drive_cache()


def test_status_reports_every_asset_as_missing_in_an_empty_cache(cache):
    entries = status()

    assert [entry.name for entry in entries] == list(REGISTRY)
    assert not any(entry.cached for entry in entries)
    assert all(entry.path.parent == cache for entry in entries)
    assert not cache.exists()


# --- the registry -----------------------------------------------------------------------------


@pytest.mark.parametrize("asset", REGISTRY.values(), ids=list(REGISTRY))
def test_registry_entry_is_well_formed(asset):
    assert asset.urls
    assert all(url.startswith("https://") for url in asset.urls)
    assert re.fullmatch(r"[0-9a-f]{64}|[0-9a-f]{8,63}", asset.sha256) or (
        asset.sha256 == "" and re.fullmatch(r"[0-9a-f]{32}", asset.md5)  # publisher lists MD5 only
    )
    assert asset.size > 0
    assert asset.licence.strip()
    assert asset.purpose.strip()
    assert asset.citation.strip()
    assert asset.extract in (None, "tar", "zip")
    assert asset.filename


@pytest.mark.parametrize(
    ("field", "value"),
    [("sha256", "abc"), ("sha256", "z" * 64), ("sha256", ""), ("extract", "rar"), ("urls", ())],
)
def test_asset_refuses_a_malformed_field(field, value):
    # An empty sha256 is refused too unless a 32-character md5 is given instead.
    good = make_asset("https://example.invalid/tiny.bin")

    with pytest.raises(ValueError):
        dataclasses.replace(good, **{field: value})


def test_an_md5_only_asset_downloads_checked_and_refuses_a_changed_file(server, cache):
    md5 = hashlib.md5(CONTENT).hexdigest()
    asset = make_asset(server.publish("tiny.bin"), digest="", md5=md5)
    wrong = make_asset(server.publish("other.bin", CONTENT + b"!"), digest="", md5=md5)

    assert fetch(asset, progress=False).read_bytes() == CONTENT
    with pytest.raises(WorkshopError, match=f"expected md5 {md5}"):
        fetch(dataclasses.replace(wrong, filename="other.bin"), progress=False)
    assert "other.bin" not in leftovers(cache)
