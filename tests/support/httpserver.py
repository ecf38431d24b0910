"""A scripted loopback HTTP server: routes are Python callables, every request is logged.

Besides plain ``Reply`` routes, the module has ready-made misbehaviours (scrapy's mockserver in
spirit): ``hang`` (accept, never answer), ``stall_after_headers``, ``huge`` (with or without
Content-Length), ``gzip_bomb``, ``truncated``, ``sequence`` (503 then 200 ...), ``redirect_to``,
``gate`` (hold requests until N are in flight at once). Hanging routes wait on ``release``,
which ``close()`` sets, so no handler thread outlives the server.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from tests.support.loopback import LoopbackServer, Reply, Request, write_reply

__all__ = ["Reply", "Request", "Route", "ScriptedServer"]

Route = Callable[[Request], Reply | None]


class ScriptedServer(LoopbackServer):
    """``server.route("/feed", fn)``; ``fn(request)`` returns a Reply, or writes to the socket
    itself through ``request.handler`` and returns None (for hangs, truncation and the like)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        super().__init__(host)

    def serve(self, request: Request) -> None:
        with self.seen:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.seen.notify_all()
        answered = False
        try:
            route = self.routes.get(request.route)
            reply = Reply(404, b"not found") if route is None else route(request)
            # A request stops counting as in flight before its answer is written, so a
            # client that starts its next request on receipt is never counted twice.
            with self.lock:
                self.in_flight -= 1
                answered = True
            if reply is not None:
                write_reply(request.handler, reply)
        finally:
            if not answered:
                with self.lock:
                    self.in_flight -= 1

    @property
    def url(self) -> str:
        return self.origin

    def route(self, path: str, fn: Route | Reply) -> None:
        if isinstance(fn, Reply):
            reply = fn

            def fixed(_req: Request) -> Reply:
                return reply

            self.routes[path] = fixed
        else:
            self.routes[path] = fn

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.route == path)

    def requests_to(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.route == path]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        """Block until ``predicate()`` (checked under the lock at each request) holds."""
        with self.seen:
            return self.seen.wait_for(predicate, timeout)


# --- misbehaviours ---------------------------------------------------------------------------


def _raw(req: Request, status: int, headers: dict[str, str]) -> Any:
    h = req.handler
    h.send_response(status)
    for k, v in headers.items():
        h.send_header(k, v)
    h.end_headers()
    return h


def hang(server: ScriptedServer) -> Route:
    """Accept the request and never answer (until the server closes)."""

    def route(req: Request) -> None:
        server.release.wait(60)
        req.handler.close_connection = True

    return route


def stall_after_headers(server: ScriptedServer, length: int = 10_000) -> Route:
    """Send the status line, headers and a few bytes, then go silent."""

    def route(req: Request) -> None:
        h = _raw(req, 200, {"Content-Length": str(length), "Content-Type": "application/rss+xml"})
        h.wfile.write(b"<?xml version='1.0'?><rss>")
        h.wfile.flush()
        server.release.wait(60)
        h.close_connection = True

    return route


def huge(size: int, *, with_length: bool, chunk: int = 65_536) -> Route:
    """Stream ``size`` bytes of XML-ish filler; without Content-Length the end is the close."""

    def route(req: Request) -> None:
        headers = {"Content-Type": "application/rss+xml"}
        if with_length:
            headers["Content-Length"] = str(size)
        else:
            headers["Connection"] = "close"
        h = _raw(req, 200, headers)
        h.close_connection = True
        block = b"<!-- filler -->" * (chunk // 15 + 1)
        sent = 0
        try:
            while sent < size:
                part = block[: min(chunk, size - sent)]
                h.wfile.write(part)
                sent += len(part)
        except (BrokenPipeError, ConnectionResetError):
            return

    return route


def gzip_bomb(expanded: int) -> Route:
    """A small gzip body that expands to ``expanded`` bytes."""
    body = gzip.compress(b"\0" * expanded, compresslevel=9)

    def route(req: Request) -> Reply:
        return Reply(200, body, {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})

    return route


def truncated(body: bytes, *, send: int) -> Route:
    """Declare ``len(body)`` bytes, send the first ``send``, then drop the connection."""

    def route(req: Request) -> None:
        h = _raw(req, 200, {"Content-Length": str(len(body)), "Content-Type": "application/rss+xml"})
        h.wfile.write(body[:send])
        h.wfile.flush()
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(socket.SHUT_RDWR)

    return route


def sequence(replies: Iterable[Reply]) -> Route:
    """Answer with each reply in turn; the last one repeats."""
    items = list(replies)
    state = {"i": 0}
    lock = threading.Lock()

    def route(req: Request) -> Reply:
        with lock:
            i = min(state["i"], len(items) - 1)
            state["i"] += 1
        return items[i]

    return route


def redirect_to(location: str, status: int = 302) -> Reply:
    return Reply(status, b"", {"Location": location})


def gate(server: ScriptedServer, reply: Reply, *, until: int, timeout: float = 3.0, total: int | None = None) -> Route:
    """Hold each request until ``until`` are in flight at once (or ``timeout``), then answer.

    With a correct client-side cap of ``until``, requests meet quickly; the wait only runs out
    when fewer are allowed in flight, which the caller's assertion then reports. ``total`` (the
    number of requests the test will make to this path) releases the stragglers once every one
    has arrived, since no more will come to fill the gate.
    """

    def route(req: Request) -> Reply:
        path = req.path.split("?", 1)[0]
        with server.seen:
            server.seen.wait_for(
                lambda: (
                    server.in_flight >= until
                    or server.release.is_set()
                    or (total is not None and server.hits(path) >= total)
                ),
                timeout,
            )
        return reply

    return route


def robots(text: str) -> Reply:
    return Reply(200, text.encode(), {"Content-Type": "text/plain"})
