"""Replies encoded once per tenant state (sandbox.replies): served again while the tenant is
unchanged, never once anything may have changed it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from sandbox.http.app import SandboxApplication, create_app
from sandbox.http.responses import Encoded
from sandbox.http.routes import orders as order_routes
from sandbox.replies import ReplyCache

FULL = {"Authorization": "Bearer sk-sandbox-full"}
ORDER = {"items": [{"productId": 12345, "skuId": "s001", "quantity": 1}]}
MANUAL = b"name: by-reads\norders: {progression: manual, times: 2}\n"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The order numbers ``GET /orders`` rendered, one per rendered summary."""
    rendered: list[str] = []
    summary = order_routes.order_summary

    def counting(order: Any) -> dict[str, Any]:
        rendered.append(order.order_no)
        return summary(order)

    monkeypatch.setattr(order_routes, "order_summary", counting)
    return rendered


def statuses(client: TestClient, auth: dict[str, str] = FULL) -> dict[str, str]:
    items = client.get("/orders", headers=auth).json()["data"]["items"]
    return {item["orderNo"]: item["status"] for item in items}


def test_an_unchanged_tenant_s_list_is_rendered_once(
    client: TestClient, app: SandboxApplication, counted: list[str]
) -> None:
    first = client.get("/orders?page=1&limit=20")
    again = client.get("/orders?page=1&limit=20")
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert len(counted) == len(first.json()["data"]["items"])  # the second was not rendered
    assert again.headers["x-ratelimit-remaining"] != first.headers["x-ratelimit-remaining"]
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert len(app.backend.journal.entries(1001)) == 2  # both journaled


def test_a_write_is_seen_by_the_next_read(client: TestClient, counted: list[str]) -> None:
    before = statuses(client)
    placed = client.post("/orders", json=ORDER).json()["data"]["orderNo"]
    after = statuses(client)
    assert placed in after and placed not in before
    client.post(f"/orders/{placed}/cancel", json={})
    assert statuses(client)[placed] == "cancelled"
    assert client.get(f"/orders/{placed}").json()["data"]["status"] == "cancelled"


def test_a_refused_write_still_counts_as_a_possible_change(
    client: TestClient, app: SandboxApplication
) -> None:
    client.get("/orders")
    generation = app.backend.replies.generations.get(1001, 0)
    assert client.post("/orders", json={"items": []}).status_code == 400
    assert app.backend.replies.generations[1001] > generation


def test_control_plane_changes_are_seen(client: TestClient, anonymous: TestClient) -> None:
    number = next(n for n, s in statuses(client).items() if s == "pending")
    assert client.get(f"/orders/{number}/status").json()["data"]["status"] == "pending"
    client.post(f"/__sandbox/orders/{number}/advance", json={})
    assert client.get(f"/orders/{number}/status").json()["data"]["status"] != "pending"
    assert statuses(client)[number] != "pending"

    balance = client.get("/user/wallet/balance").json()["data"]["balance"]
    client.post("/__sandbox/wallet/topup", json={"amount": 5})
    assert client.get("/user/wallet/balance").json()["data"]["balance"] == balance + 5

    anonymous.post("/__sandbox/reset")  # the whole sandbox
    assert statuses(client)[number] == "pending"
    client.post(f"/__sandbox/orders/{number}/advance", json={})
    client.post("/__sandbox/reset")  # the key's tenant
    assert statuses(client)[number] == "pending"


def test_a_restored_state_is_seen(client: TestClient) -> None:
    saved = client.get("/__sandbox/state").json()["data"]
    placed = client.post("/orders", json=ORDER).json()["data"]["orderNo"]
    assert placed in statuses(client)
    assert client.put("/__sandbox/state", json=saved).status_code == 200
    assert placed not in statuses(client)


def test_scenario_effects_are_seen(client: TestClient) -> None:
    before = client.get("/user/wallet/balance").json()["data"]
    client.post("/__sandbox/scenarios/insufficient-balance/activate")
    after = client.get("/user/wallet/balance").json()["data"]
    assert after["availableBalance"] != before["availableBalance"]


def test_a_progression_stepped_by_reads_is_seen(client: TestClient) -> None:
    number = next(n for n, s in statuses(client).items() if s == "pending")
    posted = client.post(
        "/__sandbox/scenarios", content=MANUAL, headers={"Content-Type": "application/yaml"}
    )
    assert posted.status_code == 201, posted.json()
    seen = [client.get(f"/orders/{number}").json()["data"]["status"] for _ in range(3)]
    assert seen[0] == "pending" and seen[-1] != "pending"
    client.post("/__sandbox/scenarios/by-reads/deactivate")
    assert client.get(f"/orders/{number}").json()["data"]["status"] == seen[-1]
    assert statuses(client)[number] == seen[-1]


def test_a_reply_cached_for_one_tenant_is_not_served_to_another(client: TestClient) -> None:
    minted = client.post("/__sandbox/keys", json={"story": False}).json()["data"]["key"]
    assert statuses(client)  # the story's orders, cached for user 1001
    assert statuses(client, {"Authorization": f"Bearer {minted}"}) == {}


def test_a_cached_reply_still_answers_304_to_its_etag(client: TestClient) -> None:
    tag = client.get("/orders").headers["etag"]
    assert client.get("/orders", headers={"If-None-Match": tag}).status_code == 304
    client.post("/orders", json=ORDER)
    assert client.get("/orders", headers={"If-None-Match": tag}).status_code == 200


# -- the cache itself ------------------------------------------------------------------------


def encoded(size: int) -> Encoded:
    return Encoded(b"x" * size, b'W/"tag"')


def test_the_cache_keeps_its_budget_dropping_the_least_recently_used() -> None:
    cache = ReplyCache(budget=3 * (1000 + 256))
    for name in ("a", "b", "c"):
        cache.put(1, name, encoded(1000))
    assert cache.get(1, "a") is not None  # now the most recent
    cache.put(1, "d", encoded(1000))
    assert cache.get(1, "b") is None and cache.get(1, "a") is not None
    assert cache.size <= cache.budget and len(cache) == 3
    cache.put(1, "huge", encoded(10_000))  # larger than the whole budget: not kept
    assert cache.get(1, "huge") is None and len(cache) == 3


def test_a_change_hides_the_tenant_s_answers_and_only_its_own() -> None:
    cache = ReplyCache()
    cache.put(1, "q", encoded(10))
    cache.put(2, "q", encoded(10))
    cache.changed(1)
    assert cache.get(1, "q") is None and cache.get(2, "q") is not None
    cache.put(1, "q", encoded(10))
    assert cache.get(1, "q") is not None
    cache.changed(None)
    assert cache.get(1, "q") is None and cache.get(2, "q") is None and cache.size == 0


# -- cached and uncached answer alike -------------------------------------------------------

reads = [
    "/orders", "/orders?page=1&limit=2", "/orders?status=pending", "/user/wallet/balance",
    "/user/wallet/transactions", "/shipping/orders", "/user/profile", "/user/addresses",
]  # fmt: skip
steps = st.one_of(
    st.tuples(st.just("read"), st.sampled_from(reads)),
    st.tuples(st.just("detail"), st.integers(0, 5)),
    st.tuples(st.just("order"), st.just(0)),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("advance"), st.integers(0, 5)),
    st.tuples(st.just("topup"), st.sampled_from([1, 250])),
    st.tuples(st.just("clock"), st.sampled_from([60, 86400])),
    st.tuples(st.just("scenario"), st.sampled_from(["order-lifecycle", "insufficient-balance"])),
    st.tuples(st.just("reset"), st.just(0)),
)


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[TestClient, TestClient]]:
    cached, plain = create_app(), create_app()
    plain.backend.replies.budget = 0  # keeps nothing: every answer rendered afresh
    one, two = TestClient(cached, base_url="http://s"), TestClient(plain, base_url="http://s")
    with one, two:
        yield one, two


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(steps, min_size=1, max_size=30))
def test_any_sequence_answers_as_it_would_without_the_cache(
    pair: tuple[TestClient, TestClient], sequence: list[tuple[str, Any]]
) -> None:
    answers: list[list[tuple[int, bytes]]] = []
    for client in pair:
        client.headers.pop("Authorization", None)
        assert client.post("/__sandbox/reset").status_code == 200  # the whole sandbox
        start = {"now": "2024-01-23T12:00:00Z", "frozen": True}
        frozen = client.put("/__sandbox/clock", json=start)
        assert frozen.status_code == 200
        client.headers.update(FULL)
        answers.append([_step(client, step) for step in sequence])
    assert answers[0] == answers[1]


def _step(client: TestClient, step: tuple[str, Any]) -> tuple[int, bytes]:
    kind, argument = step
    numbers = sorted(statuses(client))
    picks = kind in ("detail", "cancel", "advance") and numbers
    number = numbers[argument % len(numbers)] if picks else "none"
    if kind == "read":
        reply = client.get(argument)
    elif kind == "detail":
        reply = client.get(f"/orders/{number}")
    elif kind == "order":
        reply = client.post("/orders", json=ORDER)
    elif kind == "cancel":
        reply = client.post(f"/orders/{number}/cancel", json={})
    elif kind == "advance":
        reply = client.post(f"/__sandbox/orders/{number}/advance", json={})
    elif kind == "topup":
        reply = client.post("/__sandbox/wallet/topup", json={"amount": argument})
    elif kind == "clock":
        reply = client.post("/__sandbox/clock/advance", json={"seconds": argument})
    elif kind == "scenario":
        reply = client.post(f"/__sandbox/scenarios/{argument}/activate")
    else:
        reply = client.post("/__sandbox/reset")  # the key's tenant
    assert reply.status_code < 500, (step, reply.content)
    return reply.status_code, reply.content
