"""A scripted loopback HTTP server: routes are Python callables, every request is logged."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Request], Reply | None]


class ScriptedServer:
    """``server.route("/feed", fn)``; ``fn(request)`` returns a Reply, or writes to the socket
    itself through ``request`` helpers and returns None (for hangs, truncation and the like)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:
                req = Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                with server.lock:
                    server.requests.append(req)
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    reply: Reply | None = Reply(404, b"not found")
                else:
                    req.handler = self  # type: ignore[attr-defined]
                    reply = route(req)
                if reply is None:
                    return
                self.send_response(reply.status)
                headers = {"Content-Length": str(len(reply.body)), **reply.headers}
                for k, v in headers.items():
                    if v is not None:
                        self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, fn: Route | Reply) -> None:
        self.routes[path] = (lambda _r, reply=fn: reply) if isinstance(fn, Reply) else fn

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.split("?", 1)[0] == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
