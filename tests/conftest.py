"""Shared fixtures: a fresh store and app per test, over the bundled default fixture.

The fixture file is parsed once per session (``load_fixture`` caches it); a store builds its
tenants from it in well under a millisecond, so every test gets a pristine sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sandbox.domain.fixture import Fixture
from sandbox.fixtures import load_fixture
from sandbox.http.app import SandboxApplication, create_app
from sandbox.settings import Settings
from sandbox.store import Store
from tests.contract import ContractClient

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
def app(store: Store) -> SandboxApplication:
    return create_app(store, Settings())


@pytest.fixture
def client(app: SandboxApplication) -> Iterator[TestClient]:
    """A client of the app, authenticated with the full-scope key of user 1001. Every response
    it receives is checked against the OpenAPI document (see ``tests/contract.py``)."""
    with ContractClient(app, base_url="http://sandbox") as c:
        c.headers["Authorization"] = f"Bearer {FULL}"
        yield c


@pytest.fixture
def anonymous(app: SandboxApplication) -> Iterator[TestClient]:
    """A client without a key, checked against the document like ``client``."""
    with ContractClient(app, base_url="http://sandbox") as c:
        yield c


def error(status: int, message: object, phrase: str) -> dict[str, object]:
    """The reference's error body."""
    return {"statusCode": status, "message": message, "error": phrase}
