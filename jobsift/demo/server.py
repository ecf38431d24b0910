"""A loopback HTTP server for the offline demo: serves the bundled feeds, dated as of now, with ETags."""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from jobsift.demo.dates import shift_dates, shift_for

FEEDS = Path(__file__).parent / "feeds"
CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".xml": "application/xml",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml",
}


def _handler(root: Path, shift: timedelta) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "jobsift-demo/1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].lstrip("/")
            if path == "robots.txt":
                self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
                return
            target = (root / path).resolve()
            if root.resolve() not in target.parents or not target.is_file():
                self._send(404, b"not found", "text/plain")
                return
            body = shift_dates(target.read_bytes(), shift)
            etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            guessed = mimetypes.guess_type(target.name)[0]
            ctype = CONTENT_TYPES.get(target.suffix) or guessed or "application/octet-stream"
            self._send(200, body, ctype, etag)

        def _send(self, status: int, body: bytes, ctype: str, etag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class DemoServer:
    """``with DemoServer() as base_url: ...`` serves ``root`` on 127.0.0.1 (a free port).

    The feeds' dates are moved so that they read as of ``now`` (default: the current time).
    """

    def __init__(self, root: Path = FEEDS, port: int = 0, now: datetime | None = None) -> None:
        self.shift = shift_for(now or datetime.now(UTC))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(root, self.shift))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> str:
        self.thread.start()
        return self.base_url

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
