"""The pytest plugin: installing the package is the whole set-up (a ``pytest11`` entry point).

It registers one option, one marker and two fixtures, and nothing else; the helpers live in
:mod:`sandbox.testing` and the server in :mod:`sandbox.server`, imported only when a test asks
for them, so that pytest runs that never use the sandbox pay nothing for it.

- ``--sandbox-url URL`` (or ``SANDBOX_URL``): test against that sandbox (a container, say)
  instead of starting one in a thread.
- ``sandbox_server`` (session): the server; ``.url``.
- ``sandbox`` (function): a freshly minted isolated tenant with every scope; ``.key``,
  ``.user_id``, ``.client`` and the control helpers of :class:`sandbox.testing.Sandbox`.
- ``@pytest.mark.sandbox_scenario("name", ...)``: activate scenarios on the test's tenant.

``SANDBOX_ADMIN_TOKEN``, when set, is sent with every control request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sandbox.testing import Sandbox, SandboxServer

MARKER = "sandbox_scenario"


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*names): activate these sandbox scenarios on the test's tenant "
        "(the `sandbox` fixture).",
    )


@pytest.fixture(scope="session")
def sandbox_server(pytestconfig: pytest.Config) -> Iterator[SandboxServer]:
    """The sandbox of this test session: the one at ``--sandbox-url`` / ``SANDBOX_URL``
    (waited for until healthy), else a real server in a thread on a free port."""
    url = pytestconfig.getoption("sandbox_url") or os.environ.get("SANDBOX_URL")
    if url:
        from sandbox.testing import ExternalServer

        yield ExternalServer(url.rstrip("/")).wait_until_healthy()
        return

    from sandbox.server import ThreadedServer

    server = ThreadedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A new isolated tenant with every scope, its scenarios (the marker's) active."""
    from sandbox.testing import Sandbox, admin_token_from_env

    names = _scenario_names(request.node.get_closest_marker(MARKER))
    tenant = Sandbox.mint(sandbox_server.url, admin_token=admin_token_from_env())
    try:
        for name in names:
            tenant.activate(name)
        yield tenant
    finally:
        tenant.close()
    # An error inside an in-process server (an unhandled exception behind a 500) fails the
    # test that caused it, with its traceback.
    sandbox_server.check()


def _scenario_names(marker: pytest.Mark | None) -> tuple[str, ...]:
    if marker is None:
        return ()
    if marker.kwargs or not marker.args or not all(isinstance(a, str) for a in marker.args):
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes one or more scenario names: "
            f'@pytest.mark.{MARKER}("invalid-key"); got {marker.args!r} {marker.kwargs!r}'
        )
    return tuple(marker.args)
