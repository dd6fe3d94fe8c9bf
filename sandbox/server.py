"""``ThreadedServer``: the sandbox served by uvicorn in a background thread.

This is what the pytest plugin starts once per session, and what any Python program can embed::

    with ThreadedServer() as server:
        httpx.get(f"{server.url}/products/12345", headers={"Authorization": "Bearer ..."})

The server binds port 0 unless told otherwise and reads the port the OS chose back from its
listening socket. It is ready when ``GET /__sandbox/health`` answers. It stops the way uvicorn
stops: ``should_exit``, then ``join()``. Whatever goes wrong in the server thread (a port
already taken, uvicorn dying, an unhandled error inside the app) is kept and raised again in
the caller's thread as :class:`ServerError`, with the original exception as its cause.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sandbox.settings import Settings

if TYPE_CHECKING:
    import uvicorn

__all__ = ["ServerError", "ThreadedServer", "wait_until_healthy"]

#: The loggers whose error records, emitted from the server thread, are errors of the server:
#: uvicorn's (a failed bind is logged, then ``sys.exit(1)``) and the app's (an unhandled
#: exception becomes a 500 and is logged with its traceback).
_WATCHED_LOGGERS = ("uvicorn.error", "sandbox")

#: Seconds to wait for the thread to end: uvicorn's graceful shutdown (5 s) and some slack.
_STOP_TIMEOUT = 10.0


class ServerError(RuntimeError):
    """The sandbox server thread failed; ``__cause__`` is what it raised, when it raised."""


class ThreadedServer:
    """The sandbox in a daemon thread of this process.

    ``app`` is any ASGI application; by default, the sandbox over a new store of the
    ``settings``' fixture and seed (``settings`` default to ``Settings.from_env()``, so
    ``SANDBOX_FIXTURES``, ``SANDBOX_SEED`` and ``SANDBOX_ADMIN_TOKEN`` apply). The settings'
    own host and port are not used: a threaded server binds ``host``/``port``, by default
    127.0.0.1 and a free port.
    """

    def __init__(
        self,
        app: Any = None,
        *,
        settings: Settings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 15.0,
    ) -> None:
        self.settings = settings if settings is not None else Settings.from_env()
        self.app = app
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self.errors: list[BaseException] = []
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._handler = _ThreadErrorHandler(self)
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (the bound port once started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> ThreadedServer:
        """Start serving and return once ``/__sandbox/health`` answers.

        Raises :class:`ServerError` when the thread fails or the server is not ready within
        ``startup_timeout`` seconds (the thread is stopped first).
        """
        if self._thread is not None:
            raise RuntimeError("the server was already started")
        import uvicorn

        from sandbox.http.limits import uvicorn_options

        config = uvicorn.Config(
            self.app if self.app is not None else self._build_app(),
            host=self.host,
            port=self.port,
            access_log=False,
            log_config=None,  # leave the host program's logging configuration alone
            log_level="warning",
            **uvicorn_options(self.settings),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="sandbox-server", daemon=True)
        for name in _WATCHED_LOGGERS:
            logging.getLogger(name).addHandler(self._handler)
        self._thread.start()
        try:
            self._wait_started()
            self._wait_healthy()
        except BaseException:
            self._shutdown()
            raise
        return self

    def stop(self) -> None:
        """Stop serving, wait for the thread, and raise what it raised, if anything."""
        self._shutdown()
        self.check()

    def check(self) -> None:
        """Raise (and forget) the first error the server thread recorded since the last check."""
        with self._lock:
            errors, self.errors = self.errors, []
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ServerError(f"the sandbox server thread failed: {first!r}{more}") from first

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.stop()
        else:  # the caller's error is the one to see
            self._shutdown()

    def record(self, error: BaseException) -> None:
        """Keep an error of the server thread for the caller (:meth:`check`)."""
        with self._lock:
            self.errors.append(error)

    def _build_app(self) -> Any:
        from sandbox.fixtures import load_fixture
        from sandbox.http.app import create_app
        from sandbox.store import Store

        store = Store(load_fixture(self.settings.fixtures), seed=self.settings.seed)
        return create_app(store, self.settings)

    def _serve(self) -> None:
        assert self._server is not None
        try:
            self._server.run()
        except SystemExit as exc:
            # uvicorn logs why it cannot start (the handler keeps that), then exits.
            if exc.code not in (0, None) and not self.errors:
                self.record(ServerError(f"uvicorn exited with status {exc.code}"))
        except BaseException as exc:
            self.record(exc)

    def _wait_started(self) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + self.startup_timeout
        while not self._server.started:
            if not self._thread.is_alive():
                self.check()
                raise ServerError("the sandbox server thread ended before it started")
            if time.monotonic() > deadline:
                raise ServerError(f"the sandbox server did not start in {self.startup_timeout}s")
            time.sleep(0.005)
        # Port 0 asks the OS for a free port; the listening socket knows which one.
        for server in self._server.servers:
            for sock in server.sockets or ():
                self.port = sock.getsockname()[1]
                return

    def _wait_healthy(self) -> None:
        try:
            wait_until_healthy(self.url, self.startup_timeout, check=self.check, interval=0.01)
        except TimeoutError as exc:
            raise ServerError(str(exc)) from None

    def _shutdown(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_STOP_TIMEOUT)
            if self._thread.is_alive():
                self.record(ServerError("the sandbox server thread did not stop"))
        for name in _WATCHED_LOGGERS:
            logging.getLogger(name).removeHandler(self._handler)


class _ThreadErrorHandler(logging.Handler):
    """Turns error records logged from one server's thread into errors of that server."""

    def __init__(self, server: ThreadedServer) -> None:
        super().__init__(level=logging.ERROR)
        self.server = server

    def emit(self, record: logging.LogRecord) -> None:
        thread = self.server._thread
        if thread is None or record.thread != thread.ident:
            return
        if record.exc_info and record.exc_info[1] is not None:
            self.server.record(record.exc_info[1])
        elif isinstance(record.msg, BaseException):  # uvicorn's ``logger.error(exc)``
            self.server.record(record.msg)
        else:
            self.server.record(ServerError(record.getMessage()))


def wait_until_healthy(
    url: str,
    timeout: float = 30.0,
    *,
    check: Callable[[], None] | None = None,
    interval: float = 0.05,
) -> None:
    """Poll ``{url}/__sandbox/health`` until it answers 200, for at most ``timeout`` seconds
    (:class:`TimeoutError` then); ``check`` runs before each try and may raise to give up."""
    deadline = time.monotonic() + timeout
    health = f"{url.rstrip('/')}/__sandbox/health"
    last: object = None
    while True:
        if check is not None:
            check()
        try:
            with urllib.request.urlopen(health, timeout=2.0) as response:
                if response.status == 200:
                    return
                last = f"status {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        if time.monotonic() > deadline:
            raise TimeoutError(f"{health} did not answer within {timeout}s (last: {last})")
        time.sleep(interval)
