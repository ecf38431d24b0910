"""A loopback HTTP server that records POSTed JSON and answers with a scripted status sequence."""

from __future__ import annotations

import threading
from typing import Any

from tests.support.loopback import LoopbackServer, Reply, Request


class Receiver(LoopbackServer):
    """``statuses`` are answered in order (then 200 forever): ``Receiver([503, 503])`` fails twice."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        self.hanging = threading.Event()  # while set, a POST gets no answer until release() or close()
        self.hung = 0  # POSTs left without an answer
        super().__init__()

    @property
    def url(self) -> str:
        return f"{self.origin}/hook"

    def answer(self, request: Request) -> Reply | None:
        if request.method != "POST":
            return Reply(501)
        if self.hanging.is_set():
            with self.lock:
                self.hung += 1
            self.release.wait(30)
            request.handler.close_connection = True
            return None
        with self.lock:
            status = self.statuses.pop(0) if self.statuses else 200
            if status < 300:
                self.bodies.append(request.json())
        return Reply(status, b"ok")

    def hang(self) -> None:
        self.release.clear()
        self.hanging.set()

    def release_hung(self) -> None:
        """Answer again (and drop the POSTs left hanging)."""
        self.hanging.clear()
        self.release.set()
