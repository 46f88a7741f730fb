"""SECURITY.md, "File routes": the app serves only its own pages and the files it created.

Every way we know to reach outside the app's private folder is tried over raw HTTP (so no
client library tidies the path first): ``../``, absolute paths, encoded and double-encoded
separators, backslashes, a symlink and a symlinked folder planted inside the app's folder, the
home folder, the package's own source, and a URL that would make the server fetch from itself.
Each must be refused and the secret's text must appear in no answer. A file the app did create
is served, so the test can tell a refusal from a broken route.
"""

import http.client
import json
import os
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from PIL import Image

from workshop_lib import app
from workshop_lib.assets import bundled

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import handle_file  # noqa: E402
from ports import free_port  # noqa: E402

SECRET = "secret-canary-7d1f0c2e-not-for-visitors"


@pytest.fixture(scope="module")
def running():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_OFFLINE", "1")
        made = app.create_app(limits=app.Limits(photo_megabytes=2))
        made.launch(port=free_port(), inline=False)
        yield made
        made.close()


@pytest.fixture(scope="module")
def secret(running):
    """A file beside the app's folder (outside it), and links to it planted inside the folder."""
    outside = running.folder.parent / f"{running.folder.name}-secret"
    outside.mkdir()
    target = outside / "secret.txt"
    target.write_text(SECRET)
    (running.folder / "link.txt").symlink_to(target)
    (running.folder / "linked_folder").symlink_to(outside, target_is_directory=True)
    yield target
    target.unlink()
    outside.rmdir()


def raw_get(running, path: str) -> tuple[int, bytes]:
    """GET exactly this path (no normalising of ``..`` or of percent signs on the way)."""
    address = urlsplit(running.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def attempts(folder: Path, secret: Path, port: int = 7860) -> dict[str, str]:
    """Name -> raw path of every attempt to read outside the app's folder."""
    up = "../" * (len(folder.parts) + 2)
    relative = os.path.relpath(secret, folder)
    source = Path(app.__file__).resolve()
    return {
        "absolute path": f"/gradio_api/file={secret}",
        "absolute /etc/passwd": "/gradio_api/file=/etc/passwd",
        "../ from the folder": f"/gradio_api/file={folder}/{relative}",
        "../ to the root": f"/gradio_api/file={up}etc/passwd",
        "encoded slashes": "/gradio_api/file=" + quote(f"{folder}/{relative}", safe=""),
        "encoded dots": f"/gradio_api/file={folder}/%2e%2e/{secret.parent.name}/{secret.name}",
        "double-encoded": "/gradio_api/file="
        + quote(quote(f"{folder}/{relative}", safe=""), safe=""),
        "backslashes": f"/gradio_api/file={folder}\\..\\{secret.parent.name}\\{secret.name}",
        "symlink inside the folder": f"/gradio_api/file={folder}/link.txt",
        "symlinked folder": f"/gradio_api/file={folder}/linked_folder/{secret.name}",
        "home folder": "/gradio_api/file=~/.bashrc",
        "the package's source": f"/gradio_api/file={source}",
        "relative to the server": "/gradio_api/file=workshop_lib/__init__.py",
        "static route": f"/static/{up}etc/passwd",
        "assets route": f"/assets/{up}etc/passwd",
        "the server fetching itself": f"/gradio_api/file=http://127.0.0.1:{port}/config",
        "encoded null byte": f"/gradio_api/file={folder}/link.txt%00.png",
    }


@pytest.mark.parametrize(
    "name",
    list(attempts(Path("/tmp/workshop-app-x"), Path("/tmp/workshop-app-x-secret/secret.txt"))),
)
def test_a_file_route_never_serves_a_file_outside_the_app(running, secret, name):
    path = attempts(running.folder, secret, urlsplit(running.url).port)[name]

    status, body = raw_get(running, path)

    assert status != 200 or b"root:" not in body, f"{name}: {path} was served"
    assert SECRET.encode() not in body, f"{name}: {path} gave the secret"
    assert b"root:x:0:0" not in body
    assert status in (400, 403, 404, 405, 422), f"{name}: {path} answered {status}"


def test_the_app_serves_its_own_results(running, tmp_path):
    photo = tmp_path / "street.png"
    Image.open(bundled("images/astronaut.jpg")).convert("L").resize((64, 64)).save(photo)
    client = running.client(download_folder=tmp_path / "downloads")
    client.predict(handle_file(photo), "[]", True, api_name="/colorize")
    served = [p for p in running.files_left() if p.suffix == ".png"]
    assert served

    status, body = raw_get(running, f"/gradio_api/file={served[0]}")

    assert status == 200 and body.startswith(b"\x89PNG")


def test_the_page_and_its_config_name_no_file_outside_the_app(running, secret):
    for path in ("/", "/config", "/gradio_api/info"):
        status, body = raw_get(running, path)
        assert status == 200
        assert SECRET.encode() not in body
    config = json.loads(raw_get(running, "/config")[1])
    assert str(secret) not in json.dumps(config)
