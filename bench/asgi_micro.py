"""The ASGI apps alone, without sockets: microseconds per ``GET /products/12345`` for the
sandbox and for the bare app, and where the sandbox's own time goes (cProfile).

    python bench/asgi_micro.py [--requests 50000] [--profile]

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


def product_scope() -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/products/12345",
        "raw_path": b"/products/12345",
        "root_path": "",
        "query_string": b"",
        "server": ("127.0.0.1", 8080),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1:8080"), (b"authorization", b"Bearer " + KEY)],
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def drive(app: App, requests: int) -> float:
    """Seconds per request of ``app`` over ``requests`` calls (each checked for a 200)."""
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(requests):
        await app(product_scope(), _receive, send)
    elapsed = time.perf_counter() - started
    if set(statuses) != {200}:
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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sandbox-micro-") as tmp:
        sandbox = sandbox_app(write_fixture(Path(tmp) / "bench-fixture.json"))
    from bare_app import app as bare

    for name, app in (("sandbox", sandbox), ("bare", bare)):
        asyncio.run(drive(app, 2000))  # warm up
        best = min(asyncio.run(drive(app, args.requests)) for _ in range(3))
        print(f"{name:8s} {best * 1e6:6.1f} µs per request (best of 3 x {args.requests:,})")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(drive(sandbox, args.requests))
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
