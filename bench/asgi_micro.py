"""The ASGI apps alone, without sockets: microseconds per ``GET /products/12345`` for the
sandbox and for the bare app, and where the sandbox's own time goes (cProfile).

    python bench/asgi_micro.py [--requests 50000] [--profile] [--path P] [--post JSON]

``--path`` (and ``--post``, a JSON body that makes it a POST) time the sandbox on another
request; the bare app always serves its product read.

This isolates the Python each app runs per request from what uvicorn and the kernel cost
(which both pay alike; see bench/PROFILE.md).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fixture_files import write_fixture

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]
KEY = b"sk-sandbox-full"


def make_scope(target: str = "/products/12345", body: bytes = b"") -> Scope:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1:8080"), (b"authorization", b"Bearer " + KEY)]
    if body:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]  # fmt: skip
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST" if body else "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "server": ("127.0.0.1", 8080),
        "client": ("127.0.0.1", 50000),
        "headers": headers,
    }


async def drive(
    app: App, requests: int, target: str = "/products/12345", body: bytes = b""
) -> float:
    """Seconds per request of ``app`` over ``requests`` calls (each checked for a 2xx)."""
    statuses: list[int] = []
    message = {"type": "http.request", "body": body, "more_body": False}

    async def _receive() -> dict[str, Any]:
        return message

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(requests):
        await app(make_scope(target, body), _receive, send)
    elapsed = time.perf_counter() - started
    if not all(200 <= status < 300 for status in statuses):
        raise RuntimeError(f"unexpected statuses {set(statuses)}")
    return elapsed / requests


def sandbox_app(fixture: Path) -> App:
    from sandbox.fixtures import load_fixture
    from sandbox.http.app import create_app
    from sandbox.store import Store

    app: App = create_app(Store(load_fixture(fixture)))
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the sandbox's calls")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--path", default="/products/12345", help="the sandbox's request")
    parser.add_argument("--post", default="", help="a JSON body: POST it to --path")
    args = parser.parse_args(argv)
    body = args.post.encode()
    with tempfile.TemporaryDirectory(prefix="sandbox-micro-") as tmp:
        sandbox = sandbox_app(write_fixture(Path(tmp) / "bench-fixture.json"))
    from bare_app import app as bare

    runs = (("sandbox", sandbox, args.path, body), ("bare", bare, "/products/12345", b""))
    for name, app, target, sent in runs:
        asyncio.run(drive(app, 2000, target, sent))  # warm up
        best = min(asyncio.run(drive(app, args.requests, target, sent)) for _ in range(3))
        print(f"{name:8s} {best * 1e6:6.1f} µs per request (best of 3 x {args.requests:,})")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(drive(sandbox, args.requests, args.path, body))
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
