"""The command line: ``sandbox serve | validate | scenarios | openapi``.

Every ``serve`` option has an environment variable (``SANDBOX_HOST``, ``SANDBOX_PORT``, ...);
a flag wins over its variable, a variable over the default.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from sandbox import __version__
from sandbox.settings import Settings, parse_origins


class StartError(Exception):
    """The server cannot start as it was asked to (a port taken, say); the reason."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sandbox", description="A stateful sandbox of the commerce API v1."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the sandbox over HTTP")
    serve.add_argument("--host", help="interface to bind (SANDBOX_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=port_number,
                       help="port to bind, 0 for any (SANDBOX_PORT, 8080)")  # fmt: skip
    serve.add_argument("--fixtures", type=Path, help="fixture file (SANDBOX_FIXTURES)")
    serve.add_argument("--seed", type=int, help="seed of generated data (SANDBOX_SEED)")
    serve.add_argument("--admin-token",
                       help="guard /__sandbox with this token, or 'auto' for a random one that "
                            "is printed at start (SANDBOX_ADMIN_TOKEN)")  # fmt: skip
    serve.add_argument("--tenant-ttl", type=float, metavar="SECONDS",
                       help="retire minted tenants unused this long, checked at each mint "
                            "(SANDBOX_TENANT_TTL; default: never)")  # fmt: skip
    serve.add_argument("--max-connections", type=int, metavar="N",
                       help="connections served at once, 503 beyond "
                            "(SANDBOX_MAX_CONNECTIONS, 1000)")  # fmt: skip
    serve.add_argument("--state-file", type=Path,
                       help="load the state from this file at start (when it exists), save it "
                            "there on shutdown and on POST /__sandbox/state/save "
                            "(SANDBOX_STATE_FILE)")  # fmt: skip
    serve.add_argument("--access-log", action="store_true", default=None,
                       help="print uvicorn's access log (SANDBOX_ACCESS_LOG); the journal "
                            "at /__sandbox/requests is the usual log")  # fmt: skip
    serve.add_argument("--log-requests", action="store_true", default=None,
                       help="print one line per API request: time, tenant, method, path, "
                            "status, duration, scenario (SANDBOX_LOG_REQUESTS)")  # fmt: skip
    serve.add_argument("--scenario", action="append", dest="scenarios", metavar="NAME|PATH",
                       help="activate a bundled scenario or a scenario file sandbox-wide "
                            "(repeatable; SANDBOX_SCENARIOS, comma-separated)")  # fmt: skip
    serve.add_argument("--cors-origins", type=parse_origins, metavar="ORIGINS",
                       help="let browsers on these origins call the sandbox: a comma-separated "
                            "list, or * (SANDBOX_CORS_ORIGINS; default: off)")  # fmt: skip

    validate = commands.add_parser("validate", help="check fixture and scenario files")
    validate.add_argument("paths", nargs="+", type=Path)

    commands.add_parser("scenarios", help="list the bundled scenarios")
    commands.add_parser("openapi", help="print the OpenAPI 3.1 document as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(settings_from(args))
    if args.command == "validate":
        return validate(args.paths)
    if args.command == "scenarios":
        return list_scenarios()
    if args.command == "openapi":
        return print_openapi()
    raise AssertionError(args.command)  # pragma: no cover


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    flags = {
        "host": args.host,
        "port": args.port,
        "fixtures": args.fixtures,
        "seed": args.seed,
        "admin_token": args.admin_token,
        "state_file": args.state_file,
        "access_log": args.access_log,
        "log_requests": args.log_requests,
        "scenarios": tuple(args.scenarios) if args.scenarios else None,
        "cors_origins": args.cors_origins,
        "tenant_ttl": args.tenant_ttl,
        "max_connections": args.max_connections,
    }
    settings = dataclasses.replace(settings, **{k: v for k, v in flags.items() if v is not None})
    if settings.admin_token == "auto":
        import secrets

        token = secrets.token_urlsafe(18)
        settings = dataclasses.replace(settings, admin_token=token, announce_token=True)
    return settings


def port_number(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535; anything else is refused, never wrapped."""
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535)")
    return int(text)


def serve(settings: Settings) -> int:
    import uvicorn

    from sandbox.collector import tune_for_serving
    from sandbox.fixtures import FixtureError, load_fixture
    from sandbox.http.app import create_app
    from sandbox.http.limits import uvicorn_options
    from sandbox.persistence import StateFileError, load_if_present
    from sandbox.store import Store

    state_file = settings.state_file
    try:
        store = Store(load_fixture(settings.fixtures), seed=settings.seed)
        loaded = state_file is not None and load_if_present(store, state_file)
        if state_file is not None:
            _check_saves(state_file)
        app = create_app(store, settings)
        listener = _listen(settings.host, settings.port)
    except (FixtureError, StateFileError, StartError) as exc:
        # Refused at start, in one message and exit 1: never a server that runs on something
        # else than it was asked for, nor one that fails at its first save.
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        log_level="info" if settings.access_log else "warning",
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    _announce(settings, store, listener.getsockname()[1])
    if state_file is not None:
        print(f"State file: {state_file} ({'loaded' if loaded else 'made on first save'})",
              flush=True)  # fmt: skip
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then re-raises the signal to the
    # handler that was there before it; a no-op one makes that graceful stop exit 0.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, _stopped)
    tune_for_serving()
    server.run(sockets=[listener])
    if state_file is not None and server.started:
        return _save_on_exit(store, state_file)
    return 0


def _check_saves(path: Path) -> None:
    """Refuse a state file whose folder cannot take a save (a read-only or foreign volume)."""
    import tempfile

    from sandbox.persistence import StateFileError

    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        raise StateFileError(
            f"{path}: cannot save the state file there: {exc.strerror} ({path.parent})"
        ) from None


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening before anything is announced, so that a port
    taken is one line at start, not a banner followed by uvicorn's error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        raise StartError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return listener


def _save_on_exit(store: object, path: Path) -> int:
    from sandbox.persistence import save_state
    from sandbox.store import Store

    assert isinstance(store, Store)
    try:
        save_state(store, path)
    except OSError as exc:
        print(f"sandbox: {path}: cannot save the state: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


def _stopped(number: int, frame: object) -> None:
    """The signal handler uvicorn hands a stop signal back to once it has shut down."""


def _announce(settings: Settings, store: object, port: int) -> None:
    from sandbox.store import Store

    assert isinstance(store, Store)
    print(f"Sandbox listening on http://{settings.host}:{port}", flush=True)
    if settings.admin_token is None and not _loopback(settings.host):
        print(f"sandbox: warning: {settings.host} is reachable from other machines and no "
              "admin token is set: anyone who can reach it controls every tenant. Use "
              "--admin-token TOKEN (or auto).", file=sys.stderr, flush=True)  # fmt: skip
    elif settings.announce_token:
        print(f"Admin token: {settings.admin_token}", flush=True)
    print(f"Fixture: {store.fixture.source}", flush=True)
    for key in store.keys.values():
        print(f"  key {key.key}  user {key.user_id}  scopes {', '.join(key.scopes)}", flush=True)


def _loopback(host: str) -> bool:
    if host in ("localhost", "127.0.0.1", "::1"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate(paths: Sequence[Path]) -> int:
    """Check fixture and scenario files (told apart by their content); exit 1 on a bad one,
    printing its path, the field and the reason of each problem.

    Beyond their JSON Schemas, fixtures are checked for referential integrity
    (:mod:`sandbox.integrity`) and scenario rules against the API's operations
    (:mod:`sandbox.scenario.lint`): what would otherwise break, or never match, at run time."""
    from sandbox.control.scenarios import ROUTES
    from sandbox.fixtures import FixtureError, build_fixture, read_document
    from sandbox.scenario.loader import check_scenario, is_scenario_document

    failed = 0
    for path in paths:
        try:
            document = read_document(path)
            if is_scenario_document(document):
                check_scenario(document, source=str(path), routes=ROUTES)
                kind = "scenario"
            else:
                build_fixture(document, source=str(path))
                kind = "fixture"
        except FixtureError as exc:
            failed += 1
            print(exc, file=sys.stderr)
        else:
            print(f"{path}: ok ({kind})")
    return 1 if failed else 0


def list_scenarios() -> int:
    """Print the bundled scenarios, each with its description."""
    import textwrap

    from sandbox.scenario.loader import bundled_scenarios

    for name, scenario in bundled_scenarios().items():
        print(name)
        print(textwrap.fill(scenario.description, width=96, initial_indent="    ",
                            subsequent_indent="    "))  # fmt: skip
    return 0


def print_openapi() -> int:
    """Print the OpenAPI 3.1 document that ``GET /openapi.json`` serves."""
    import json

    from sandbox.http.app import create_app

    print(json.dumps(create_app().document(), indent=2, ensure_ascii=False))
    return 0
