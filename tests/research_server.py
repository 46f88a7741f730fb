"""A local stand-in for arXiv's and GitHub's APIs on 127.0.0.1, for the research tests.

It answers with recorded responses (or whatever a test sets), and keeps a list of the requests
it received: path, query parameters, headers and time.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).resolve().parent.parent / "workshop_lib" / "data" / "recorded"


def recorded_body(file: str) -> bytes:
    return (RECORDED / file).read_bytes()


def recorded_entry(service: str, kind: str, key: str) -> dict:
    index = json.loads((RECORDED / "recordings.json").read_text("utf-8"))
    return next(
        e
        for e in index["recordings"]
        if (e["service"], e["kind"], e["key"]) == (service, kind, key)
    )


class ApiServer:
    """Serve ``answer(path, query, headers) -> (status, headers, body)`` on a free local port."""

    def __init__(self, answer):
        self.answer = answer
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                headers = dict(self.headers.items())
                server.requests.append(
                    {
                        "path": parts.path,
                        "query": query,
                        "headers": headers,
                        "time": time.monotonic(),
                    }
                )
                status, extra, body = server.answer(parts.path, query, headers)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """An address on this machine where nothing listens (connections are refused)."""
    probe = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = probe.server_address[1]
    probe.server_close()
    return f"http://127.0.0.1:{port}"


class GitHubStandIn:
    """Answer like GitHub from the packaged recordings, counting the limits as GitHub does.

    Searches leave out forks, as GitHub's repository search does unless asked with
    ``fork:true``. With limits, every request counts against the address's budget whatever its
    answer, and a request over the limit gets GitHub's 403 "rate limit exceeded" answer with
    its ``X-RateLimit-*`` headers. ``clock`` gives the time in seconds (a test may move it on).
    """

    def __init__(self, *, searches_per_minute=None, requests_per_hour=None, clock=time.time):
        self.limits = {"search": (searches_per_minute, 60.0), "core": (requests_per_hour, 3600.0)}
        self.clock = clock
        self.windows = {"search": [], "core": []}  # [start of window, used]
        self.refused = 0
        index = json.loads((RECORDED / "recordings.json").read_text("utf-8"))
        self.entries = [e for e in index["recordings"] if e["service"] == "github"]

    def _over_limit(self, resource):
        limit, seconds = self.limits[resource]
        if limit is None:
            return None
        now = self.clock()
        window = self.windows[resource]
        if not window or now >= window[0] + seconds:
            window[:] = [now, 0]
        window[1] += 1
        if window[1] <= limit:
            return None
        self.refused += 1
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Used": str(window[1]),
            "X-RateLimit-Resource": resource,
            "X-RateLimit-Reset": str(int(time.time() + window[0] + seconds - now)),
        }
        body = b'{"message": "API rate limit exceeded for 203.0.113.7."}'
        return 403, headers, body

    def __call__(self, path, query, headers):
        json_type = {"Content-Type": "application/json; charset=utf-8"}
        resource = "search" if path.startswith("/search/") else "core"
        refusal = self._over_limit(resource)
        if refusal is not None:
            return refusal
        if resource == "search":
            return 200, json_type, self._search(query.get("q", ""))
        parts = path.strip("/").split("/")
        name = "/".join(parts[1:3]).lower()
        kind = "readme" if path.endswith("/readme") else "repo"
        for entry in self.entries:
            if entry["kind"] == kind and entry["key"].lower() == name:
                return 200, json_type, recorded_body(entry["file"])
        return 404, json_type, b'{"message": "Not Found"}'

    def _search(self, words):
        for entry in self.entries:
            if entry["kind"].startswith("search/") and entry["key"] == words:
                data = json.loads(recorded_body(entry["file"]))
                data.pop("_recording", None)
                if "fork:true" not in words:
                    data["items"] = [i for i in data["items"] if not i.get("fork")]
                data["total_count"] = len(data["items"])
                return json.dumps(data).encode()
        return b'{"total_count": 0, "incomplete_results": false, "items": []}'
