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
