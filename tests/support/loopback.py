"""The part every loopback stand-in shares: a threaded HTTP/1.1 server on a free port of a loopback
address, started on construction and stopped by ``close()`` (or by leaving a ``with`` block), the
request body read up to a cap (a larger one gets 413 unread), JSON replies, and a log of requests.

A stand-in subclasses ``LoopbackServer`` and implements ``answer(request) -> Reply | None``:
``None`` means the stand-in wrote to the socket itself through ``request.handler`` (hangs,
truncation) or left the request without an answer.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 1 << 20  # bytes of request body a stand-in reads; more is refused with 413


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    at: float = 0.0  # time.monotonic() when the request line was read
    handler: Any = None
    body: bytes = b""

    @property
    def route(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]

    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def json(self) -> Any:
        """The body as JSON (ValueError when it is not)."""
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})})


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients that hang up on purpose (caps, timeouts) are expected here


def write_reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    handler.send_response(reply.status)
    headers = {"Content-Length": str(len(reply.body)), **reply.headers}
    for k, v in headers.items():
        if v is not None:
            handler.send_header(k, v)
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(reply.body)


class LoopbackServer:
    """Subclass and implement ``answer``; ``requests`` logs every request in arrival order."""

    max_body = MAX_BODY

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[Request] = []
        self.lock = threading.RLock()  # re-entrant: wait_for predicates may take it again
        self.seen = threading.Condition(self.lock)
        self.release = threading.Event()  # set by close(): routes that hang wait on it
        self.httpd = _Quiet((host, 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _any(self) -> None:
                at = time.monotonic()
                length = int(self.headers.get("Content-Length") or 0)
                if length > server.max_body:
                    self.close_connection = True
                    write_reply(self, Reply(413, b"request body too large"))
                    return
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.serve(Request(self.command, self.path, headers, at, self, body))

            do_GET = do_POST = _any

        return Handler

    def serve(self, request: Request) -> None:
        """Log the request, then write ``answer``'s reply (if any)."""
        self.record(request)
        reply = self.answer(request)
        if reply is not None:
            write_reply(request.handler, reply)

    def record(self, request: Request) -> None:
        with self.seen:
            self.requests.append(request)
            self.seen.notify_all()

    def answer(self, request: Request) -> Reply | None:
        raise NotImplementedError

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
