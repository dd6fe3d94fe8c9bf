"""The command line: ``sandbox serve | validate``.

Every ``serve`` option has an environment variable (``SANDBOX_HOST``, ``SANDBOX_PORT``, ...);
a flag wins over its variable, a variable over the default.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from sandbox import __version__
from sandbox.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sandbox", description="A stateful sandbox of the commerce API v1."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the sandbox over HTTP")
    serve.add_argument("--host", help="interface to bind (SANDBOX_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind, 0 for any (SANDBOX_PORT, 8080)")
    serve.add_argument("--fixtures", type=Path, help="fixture file (SANDBOX_FIXTURES)")
    serve.add_argument("--seed", type=int, help="seed of generated data (SANDBOX_SEED)")
    serve.add_argument("--admin-token", help="guard /__sandbox (SANDBOX_ADMIN_TOKEN)")
    serve.add_argument("--access-log", action="store_true", default=None,
                       help="print uvicorn's access log (SANDBOX_ACCESS_LOG); the journal "
                            "at /__sandbox/requests is the usual log")  # fmt: skip

    validate = commands.add_parser("validate", help="check fixture files")
    validate.add_argument("paths", nargs="+", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(settings_from(args))
    if args.command == "validate":
        return validate(args.paths)
    raise AssertionError(args.command)  # pragma: no cover


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    flags = {
        "host": args.host,
        "port": args.port,
        "fixtures": args.fixtures,
        "seed": args.seed,
        "admin_token": args.admin_token,
        "access_log": args.access_log,
    }
    return dataclasses.replace(settings, **{k: v for k, v in flags.items() if v is not None})


def serve(settings: Settings) -> int:
    import uvicorn

    from sandbox.fixtures import FixtureError, load_fixture
    from sandbox.http.app import create_app
    from sandbox.store import Store

    try:
        store = Store(load_fixture(settings.fixtures), seed=settings.seed)
    except FixtureError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    app = create_app(store, settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="auto",
        http="auto",
        lifespan="off",
        access_log=settings.access_log,
        log_level="info" if settings.access_log else "warning",
        timeout_keep_alive=5,
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    server = uvicorn.Server(config)
    _announce(settings, store)
    server.run()
    return 0


def _announce(settings: Settings, store: object) -> None:
    from sandbox.store import Store

    assert isinstance(store, Store)
    print(f"Sandbox listening on http://{settings.host}:{settings.port}", flush=True)
    print(f"Fixture: {store.fixture.source}", flush=True)
    for key in store.keys.values():
        print(f"  key {key.key}  user {key.user_id}  scopes {', '.join(key.scopes)}", flush=True)


def validate(paths: Sequence[Path]) -> int:
    from sandbox.fixtures import FixtureError, build_fixture, read_document

    failed = 0
    for path in paths:
        try:
            build_fixture(read_document(path), source=str(path))
        except FixtureError as exc:
            failed += 1
            print(exc, file=sys.stderr)
        else:
            print(f"{path}: ok")
    return 1 if failed else 0
