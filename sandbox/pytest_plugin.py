"""The pytest plugin: installing the package is the whole set-up (a ``pytest11`` entry point).

It registers two options, one marker and four fixtures, and nothing else; the helpers live in
:mod:`sandbox.testing` and the server in :mod:`sandbox.server`, imported only when a test asks
for them, so that pytest runs that never use the sandbox pay nothing for it.

- ``--sandbox-url URL`` (or ``SANDBOX_URL``): test against that sandbox (a container, say)
  instead of starting one in a thread.
- ``--sandbox-admin-token TOKEN`` (or ``SANDBOX_ADMIN_TOKEN``): sent with every control
  request; a threaded server is started requiring it.
- ``sandbox_server`` (session): the server; ``.url``.
- ``sandbox_connection`` (session): the :class:`sandbox.testing.Connection` every tenant of
  the session shares (one transport, one control client).
- ``sandbox`` (function): a freshly minted isolated tenant with every scope, retired at
  teardown; ``.key``, ``.user_id``, ``.client``, ``.async_client`` and the control helpers
  of :class:`sandbox.testing.Sandbox`.
- ``sandbox_factory`` (function): ``sandbox_factory(scopes=None, balance=None, story=True)``
  mints another tenant; each is retired at teardown.
- ``@pytest.mark.sandbox_scenario(...)``: scenarios on the ``sandbox`` tenant, by name, by
  path or as a dict.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sandbox.testing import Connection, Sandbox, SandboxFactory, SandboxServer

MARKER = "sandbox_scenario"

#: File name endings that make a marker's string argument a path rather than a name.
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sandbox", "commerce API sandbox")
    group.addoption(
        "--sandbox-url",
        dest="sandbox_url",
        default=None,
        metavar="URL",
        help="test against the sandbox at URL (default: $SANDBOX_URL, else start one in a "
        "thread on a free port)",
    )
    group.addoption(
        "--sandbox-admin-token",
        dest="sandbox_admin_token",
        default=None,
        metavar="TOKEN",
        help="the sandbox's admin token, sent with every control request (default: "
        "$SANDBOX_ADMIN_TOKEN); a threaded sandbox then requires it",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*scenarios): activate sandbox scenarios on the test's tenant (the `sandbox` "
        "fixture): bundled or known names, paths of scenario files, or scenario dicts.",
    )


def _admin_token(config: pytest.Config) -> str | None:
    token: str | None = config.getoption("sandbox_admin_token")
    return token or os.environ.get("SANDBOX_ADMIN_TOKEN") or None


@pytest.fixture(scope="session")
def sandbox_server(pytestconfig: pytest.Config) -> Iterator[SandboxServer]:
    """The sandbox of this test session: the one at ``--sandbox-url`` / ``SANDBOX_URL``
    (waited for until healthy), else a real server in a thread on a free port (one per
    pytest-xdist worker)."""
    url = pytestconfig.getoption("sandbox_url") or os.environ.get("SANDBOX_URL")
    if url:
        from sandbox.testing import ExternalServer

        yield ExternalServer(url.rstrip("/")).wait_until_healthy()
        return

    from sandbox.server import ThreadedServer
    from sandbox.settings import Settings

    settings = Settings.from_env()
    token = _admin_token(pytestconfig)
    if token is not None:
        settings = dataclasses.replace(settings, admin_token=token)
    server = ThreadedServer(settings=settings).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sandbox_connection(
    sandbox_server: SandboxServer, pytestconfig: pytest.Config
) -> Iterator[Connection]:
    """What every tenant of the session shares: one HTTP transport and one control client
    that carries the admin token (:class:`sandbox.testing.Connection`)."""
    from sandbox.testing import Connection

    with Connection(sandbox_server.url, admin_token=_admin_token(pytestconfig)) as connection:
        yield connection


@pytest.fixture
def sandbox(
    sandbox_server: SandboxServer,
    sandbox_connection: Connection,
    request: pytest.FixtureRequest,
) -> Iterator[Sandbox]:
    """A new isolated tenant with every scope and a copy of user 1001's story, with the
    marker's scenarios active; retired at teardown (``DELETE /__sandbox/keys/{key}``)."""
    specs = _scenario_specs(request.node.get_closest_marker(MARKER))
    tenant = sandbox_connection.mint()
    try:
        for spec in specs:
            _apply(tenant, spec, request)
        yield tenant
    finally:
        try:
            tenant.retire()
        finally:
            tenant.close()
    # An error inside an in-process server (an unhandled exception behind a 500) fails the
    # test that caused it, with its traceback.
    sandbox_server.check()


@pytest.fixture
def sandbox_factory(
    sandbox_server: SandboxServer, sandbox_connection: Connection
) -> Iterator[SandboxFactory]:
    """Mint more tenants: ``sandbox_factory(scopes=None, balance=None, story=True)`` returns
    a new :class:`~sandbox.testing.Sandbox` (a second user, a key with chosen scopes, a
    chosen wallet balance, or, with ``story=False``, an empty user). Every tenant it minted is
    retired at teardown."""
    minted: list[Sandbox] = []

    def factory(
        scopes: list[str] | tuple[str, ...] | None = None,
        balance: float | Decimal | None = None,
        story: bool = True,
    ) -> Sandbox:
        tenant = sandbox_connection.mint(scopes=scopes, balance=balance, story=story)
        minted.append(tenant)
        return tenant

    try:
        yield factory
    finally:
        errors: list[BaseException] = []
        for tenant in minted:
            try:
                tenant.retire()
            except BaseException as exc:  # retire the others all the same
                errors.append(exc)
            finally:
                tenant.close()
        if errors:
            raise errors[0]
    sandbox_server.check()


ScenarioSpec = str | Path | Mapping[str, Any]


def _scenario_specs(marker: pytest.Mark | None) -> tuple[ScenarioSpec, ...]:
    if marker is None:
        return ()
    usable = marker.args and all(isinstance(a, str | Path | Mapping) for a in marker.args)
    if marker.kwargs or not usable:
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes one or more scenarios: a bundled or known name "
            f'("invalid-key"), a path to a scenario file ("scenarios/flaky.yaml" or a '
            f"pathlib.Path) or a scenario document as a dict; got {marker.args!r} "
            f"{marker.kwargs!r}"
        )
    return tuple(marker.args)


def _apply(tenant: Sandbox, spec: ScenarioSpec, request: pytest.FixtureRequest) -> None:
    """Activate one of the marker's scenarios on the tenant."""
    if isinstance(spec, Mapping):
        tenant.scenario(spec)
    elif isinstance(spec, Path) or spec.endswith(SCENARIO_SUFFIXES) or "/" in spec:
        tenant.scenario(_scenario_file(Path(spec), request))
    else:
        tenant.activate(spec)


def _scenario_file(path: Path, request: pytest.FixtureRequest) -> Path:
    """A marker's scenario file: absolute, else beside the test's file, else below the
    directory pytest was started in."""
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [Path(request.node.path).parent / path,
                      request.config.invocation_params.dir / path]  # fmt: skip
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise pytest.UsageError(
        f"@pytest.mark.{MARKER}: no scenario file {path} (looked for "
        + " and ".join(str(c) for c in candidates)
        + ")"
    )
