"""Running the web app: in the foreground for ``jobsift serve``, or in a thread for tests and benchmarks."""

from __future__ import annotations

import errno
import socket
import threading
import time
from types import TracebackType
from typing import Any

from jobsift.errors import JobsiftError


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def uvicorn_config(app: Any, host: str, port: int, *, log_level: str = "warning") -> Any:
    import uvicorn

    # No websockets and no lifespan: the app has neither, and skipping them keeps start-up quick.
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, ws="none", lifespan="off", access_log=False)


def bind_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, so a busy port is one clear error before anything says "serving"."""
    try:
        family, kind, proto, _name, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise JobsiftError(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise JobsiftError(
                f"port {port} on {host} is already in use: stop the program using it or pick another with --port"
            ) from None
        raise JobsiftError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def serve_forever(
    app: Any, host: str, port: int, *, log_level: str = "info", sock: socket.socket | None = None
) -> None:
    """Serve until interrupted; on ``sock`` when given (see ``bind_socket``)."""
    import uvicorn

    uvicorn.Server(uvicorn_config(app, host, port, log_level=log_level)).run(sockets=[sock] if sock else None)


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
