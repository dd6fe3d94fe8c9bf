"""Write-through persistence (``--state-file NAME.db``): a request that changes a tenant is
committed before its reply, whatever its method; a read that changes nothing writes nothing.

A "crash" here is reading the database from a second store while the first one is still
running and never saved: what that second store finds is what a restart after a SIGKILL
would find.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from sandbox.domain.fixture import Fixture
from sandbox.http.app import SandboxApplication, create_app
from sandbox.persistence import load_if_present
from sandbox.settings import Settings
from sandbox.store import Store

FULL = {"Authorization": "Bearer sk-sandbox-full"}
PAID = "ORD-20240115-002"  # the default fixture's order of user 1001 that is paid


class Writes:
    """The tenants each commit to the database named (None: every tenant)."""

    def __init__(self, app: SandboxApplication) -> None:
        durable = app.backend.durable
        assert durable is not None
        self.calls: list[list[int] | None] = []
        write = durable.write

        def counted(store: Store, user_ids: list[int] | None = None) -> None:
            self.calls.append(None if user_ids is None else list(user_ids))
            write(store, user_ids)

        durable.write = counted  # type: ignore[method-assign]

    def take(self) -> list[list[int] | None]:
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def app(fixture: Fixture, database: Path) -> SandboxApplication:
    return create_app(Store(fixture), Settings(state_file=database))


@pytest.fixture
def client(app: SandboxApplication) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://sandbox") as c:
        c.headers.update(FULL)
        yield c


def after_a_crash(fixture: Fixture, database: Path) -> Store:
    """The state a restart from ``database`` would find."""
    store = Store(fixture)
    assert load_if_present(store, database)
    return store


def status(client: TestClient, number: str) -> Any:
    response = client.get(f"/orders/{number}")
    assert response.status_code == 200
    return response.json()["data"]["status"]


def test_a_read_that_advances_a_manual_progression_is_committed_before_its_reply(
    app: SandboxApplication, client: TestClient, fixture: Fixture, database: Path
) -> None:
    scenario = {"name": "read-along", "orders": {"progression": "manual", "times": 1}}
    assert client.post("/__sandbox/scenarios", json=scenario).status_code == 201
    writes = Writes(app)
    assert status(client, PAID) == "paid"  # the first read only counts
    assert writes.take() == []
    assert status(client, PAID) == "purchased"  # the read after the first moves it
    assert writes.take() == [[1001]]
    restarted = after_a_crash(fixture, database)
    assert restarted.tenant(1001).orders[PAID].status == "purchased"
    assert status(client, PAID) == "purchased"  # counted again: no step, no write
    assert writes.take() == []


def test_a_step_made_on_the_tick_of_an_unrelated_read_is_committed(
    app: SandboxApplication, client: TestClient, fixture: Fixture, database: Path
) -> None:
    scenario = {"name": "at-once", "orders": {"progression": "immediate"}}
    assert client.post("/__sandbox/scenarios", json=scenario).status_code == 201
    order = {"items": [{"productId": 12345, "skuId": "s001", "quantity": 1}]}
    created = client.post("/orders", json=order)
    assert created.status_code == 201
    number = created.json()["data"]["orderNo"]
    assert created.json()["data"]["status"] == "pending"  # the tick came before the handler
    writes = Writes(app)
    assert client.get("/cart").status_code == 200  # its tick moves the new order
    assert writes.take() == [[1001]]
    assert after_a_crash(fixture, database).tenant(1001).orders[number].status == "completed"


def test_a_refused_request_whose_tick_stepped_an_order_is_committed(
    app: SandboxApplication, client: TestClient, fixture: Fixture, database: Path
) -> None:
    scenario = {"name": "at-once", "orders": {"progression": "immediate"}}
    assert client.post("/__sandbox/scenarios", json=scenario).status_code == 201
    order = {"items": [{"productId": 12345, "skuId": "s001", "quantity": 1}]}
    number = client.post("/orders", json=order).json()["data"]["orderNo"]
    writes = Writes(app)
    assert client.get("/orders/NO-SUCH-ORDER").status_code == 404
    assert writes.take() == [[1001]]
    assert after_a_crash(fixture, database).tenant(1001).orders[number].status == "completed"


def test_reads_that_change_nothing_write_nothing(
    app: SandboxApplication, client: TestClient
) -> None:
    writes = Writes(app)
    for path in ("/products/12345", "/cart", f"/orders/{PAID}", "/orders?page=1&limit=20"):
        assert client.get(path).status_code == 200
    assert client.get("/orders/NO-SUCH-ORDER").status_code == 404
    assert writes.take() == []
    # With a progression active, the reads are ticked and counted but still change nothing.
    scenario = {"name": "slow", "orders": {"progression": "manual", "times": 5}}
    assert client.post("/__sandbox/scenarios", json=scenario).status_code == 201
    writes.take()
    for _ in range(3):
        assert status(client, PAID) == "paid"
    assert client.get("/products/12345").status_code == 200
    assert writes.take() == []


def test_an_api_write_is_still_committed_once(app: SandboxApplication, client: TestClient) -> None:
    writes = Writes(app)
    line = {"productId": "12345", "skuId": "s002", "quantity": 1}
    assert client.post("/cart/items", json=line).status_code == 201
    assert writes.take() == [[1001]]
    assert client.post("/cart/items", json={"productId": "12345"}).status_code == 400
    assert writes.take() == []
