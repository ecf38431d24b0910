"""A loopback HTTP server that records POSTed JSON and answers with a scripted status sequence."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """``statuses`` are answered in order (then 200 forever): ``Receiver([503, 503])`` fails twice."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        self.lock = threading.Lock()
        self.hanging = threading.Event()  # while set, a POST gets no answer until release() or close()
        self.released = threading.Event()
        self.hung = 0  # POSTs left without an answer
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.hanging.is_set():
                    with receiver.lock:
                        receiver.hung += 1
                    receiver.released.wait(30)
                    self.close_connection = True
                    return
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if status < 300:
                        receiver.bodies.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def hang(self) -> None:
        self.released.clear()
        self.hanging.set()

    def release(self) -> None:
        """Answer again (and drop the POSTs left hanging)."""
        self.hanging.clear()
        self.released.set()

    def close(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()
