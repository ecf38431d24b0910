"""Running the web app: in the foreground for ``jobsift serve``, or in a thread for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def uvicorn_config(app: Any, host: str, port: int, *, log_level: str = "warning") -> Any:
    import uvicorn

    # No websockets and no lifespan: the app has neither, and skipping them keeps start-up quick.
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, ws="none", lifespan="off",
                          access_log=False)


def serve_forever(app: Any, host: str, port: int, *, log_level: str = "info") -> None:
    import uvicorn

    uvicorn.Server(uvicorn_config(app, host, port, log_level=log_level)).run()


class ThreadedServer:
    """``with ThreadedServer(app) as url:`` serves on 127.0.0.1:<free port> until the block ends."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int | None = None) -> None:
        import uvicorn

        self.host, self.port = host, port or free_port(host)
        self.server = uvicorn.Server(uvicorn_config(app, self.host, self.port))
        self.thread = threading.Thread(target=self.server.run, name="jobsift-web", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> str:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"web server did not start on {self.url}")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.stop()
