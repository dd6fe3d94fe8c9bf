"""Shared fixtures: a fresh store and app per test, over the bundled default fixture.

The fixture file is parsed once per session (``load_fixture`` caches it); a store builds its
tenants from it in well under a millisecond, so every test gets a pristine sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sandbox.fixtures import Fixture, load_fixture
from sandbox.http.app import SandboxApp, create_app
from sandbox.settings import Settings
from sandbox.store import Store

FULL = "sk-sandbox-full"
READONLY = "sk-sandbox-readonly"
LIMITED = "sk-sandbox-limited"


@pytest.fixture(scope="session")
def fixture() -> Fixture:
    return load_fixture()


@pytest.fixture
def store(fixture: Fixture) -> Store:
    return Store(fixture)


@pytest.fixture
def app(store: Store) -> SandboxApp:
    return create_app(store, Settings())


@pytest.fixture
def client(app: SandboxApp) -> Iterator[TestClient]:
    """A client of the app, authenticated with the full-scope key of user 1001."""
    with TestClient(app, base_url="http://sandbox", raise_server_exceptions=True) as c:
        c.headers["Authorization"] = f"Bearer {FULL}"
        yield c


@pytest.fixture
def anonymous(app: SandboxApp) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://sandbox") as c:
        yield c


def error(status: int, message: object, phrase: str) -> dict[str, object]:
    """The reference's error body."""
    return {"statusCode": status, "message": message, "error": phrase}
