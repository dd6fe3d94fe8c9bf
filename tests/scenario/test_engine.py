"""The scenario engine as a pure matcher, and progressions over fake tenants."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.clock import Clock
from sandbox.errors import Conflict
from sandbox.scenario.engine import Activation, ScenarioEngine, UnknownScenario
from sandbox.scenario.loader import parse_scenario
from sandbox.scenario.matching import matches, sample_latency
from sandbox.scenario.model import Latency, Match
from sandbox.scenario.progress import ORDER_FLOW

START = datetime(2024, 1, 23, 12, tzinfo=UTC)


@dataclass
class FakeRequest:
    method: str = "GET"
    path: str = "/products/1"
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    params: dict[str, str | list[str]] = field(default_factory=dict)

    def query(self) -> dict[str, str | list[str]]:
        return self.params

    @property
    def json(self) -> Any:
        return self.body


@dataclass
class FakeOrder:
    status: str
    created_at: datetime = START - timedelta(days=1)


class FakeTenant:
    def __init__(self, user_id: int, orders: dict[str, FakeOrder]) -> None:
        self.user_id = user_id
        self.clock = Clock(START, frozen=True)
        self.orders = orders
        self.shipping: dict[str, FakeOrder] = {}
        self.steps: list[tuple[str, str, datetime, str | None]] = []


class FakeStore:
    def __init__(self, *tenants: FakeTenant) -> None:
        self.tenants = {t.user_id: t for t in tenants}
        self.catalog = None

    def tenant(self, user_id: int) -> FakeTenant:
        return self.tenants[user_id]

    def each(self, user_id: int | None = None) -> list[FakeTenant]:
        return list(self.tenants.values()) if user_id is None else [self.tenants[user_id]]


def fake_step(tenant: FakeTenant, number: str, inspection: str | None) -> None:
    order = tenant.orders[number]
    order.status = ORDER_FLOW[ORDER_FLOW.index(order.status) + 1]
    tenant.steps.append((number, order.status, tenant.clock.now(), inspection))


def engine_with(*documents: bytes, tenant: FakeTenant | None = None) -> ScenarioEngine:
    store = FakeStore(tenant or FakeTenant(1, {}))
    engine = ScenarioEngine(store)
    engine.steps["orders"] = fake_step
    for document in documents:
        engine.known[parse_scenario(document).name] = parse_scenario(document)
    return engine


FLAKY = b"""
name: flaky
rules:
  - match: {method: POST, path: /orders}
    after: 1
    times: 2
    respond: {status: 503}
"""


def test_after_and_times_let_the_first_n_through_then_act_m_times() -> None:
    engine = engine_with(FLAKY)
    engine.activate("flaky", 1)
    post = FakeRequest("POST", "/orders")
    statuses = [
        (o.status if (o := engine.outcome(1, "k", post)) is not None else 200) for _ in range(5)
    ]
    assert statuses == [200, 503, 503, 200, 200]
    assert engine.outcome(1, "k", FakeRequest("GET", "/orders")) is None


def test_a_seeded_probability_gives_the_same_sequence_every_time() -> None:
    document = b"name: p\nseed: 3\nrules: [{probability: 0.3, respond: {status: [500, 503]}}]\n"

    def run() -> list[int]:
        engine = engine_with(document)
        engine.activate("p", 1)
        return [
            o.status if (o := engine.outcome(1, "k", FakeRequest())) else 200 for _ in range(200)
        ]

    first = run()
    assert first == run()
    failures = [s for s in first if s != 200]
    assert 40 <= len(failures) <= 80
    assert set(failures) == {500, 503}


def test_matching_on_key_header_query_and_body_fields() -> None:
    match = Match.build({
        "method": ["POST", "PUT"], "path": "/cart/**", "key": "k1",
        "headers": {"X-Trace": "on"}, "query": {"dry": "1"},
        "body": {"items.0.skuId": "s001", "quantity": 2},
    })  # fmt: skip
    request = FakeRequest(
        "POST", "/cart/items", {"x-trace": "on"},
        {"items": [{"skuId": "s001"}], "quantity": 2}, {"dry": "1"},
    )  # fmt: skip
    assert matches(match, request, "k1")
    assert not matches(match, request, "k2")
    request.body = {"items": [{"skuId": "s001"}], "quantity": True}
    assert not matches(match, request, "k1")
    request.body = {"items": [], "quantity": 2}
    assert not matches(match, request, "k1")


def test_latency_models_stay_in_their_bounds() -> None:
    rng = random.Random(1)
    assert sample_latency(Latency(low=250), rng) == 250
    uniform = [sample_latency(Latency(low=300, high=800), rng) for _ in range(500)]
    assert min(uniform) >= 300 and max(uniform) <= 800
    capped = [sample_latency(Latency(median=200, sigma=2.0, cap=900), rng) for _ in range(500)]
    assert max(capped) == 900 and min(capped) > 0


def test_key_effects_combine_and_follow_the_keys_they_name() -> None:
    engine = engine_with(
        b"name: a\nkey: {match: k1, invalid: true}\n",
        b"name: b\nkey: {removeScopes: ['*:write'], rateLimit: {limit: 2, windowSeconds: 5}}\n",
    )
    engine.activate("a", 1)
    engine.activate("b")
    assert engine.key_effects(1, "k1").invalid_by == "a"
    assert engine.key_effects(1, "k2").invalid_by is None
    limited = engine.key_effects(1, "k2")
    assert limited.rate_limit is not None and limited.rate_limit.limit == 2
    assert engine.scopes(1, "k2", ("cart:read", "cart:write")) == (("cart:read",), "b")


def test_activation_is_idempotent_and_unknown_names_are_404() -> None:
    engine = engine_with(FLAKY)
    assert engine.activate("flaky", 1) is True
    assert engine.activate("flaky", 1) is False
    assert engine.live
    assert engine.deactivate("flaky", 1) is True
    assert not engine.live
    with pytest.raises(UnknownScenario) as caught:
        engine.activate("nope")
    assert caught.value.status_code == 404


def test_time_progression_steps_at_each_due_moment_from_activation() -> None:
    tenant = FakeTenant(1, {"A": FakeOrder("pending"), "B": FakeOrder("in_warehouse")})
    engine = engine_with(
        b"name: t\norders: {progression: time, seconds: 3600, to: in_warehouse}\n",
        b"name: q\norders: {inspection: failed}\n",
        tenant=tenant,
    )
    engine.activate("q", 1)
    engine.activate("t", 1)
    engine.advance_clock(tenant, START + timedelta(hours=10))
    assert [(s[1], s[2]) for s in tenant.steps] == [
        ("paid", START + timedelta(hours=1)),
        ("purchased", START + timedelta(hours=2)),
        ("shipped_to_warehouse", START + timedelta(hours=3)),
        ("in_warehouse", START + timedelta(hours=4)),
    ]
    assert {s[3] for s in tenant.steps} == {"failed"}
    assert tenant.clock.now() == START + timedelta(hours=10)


def test_manual_progression_steps_on_the_read_after_every_n_reads() -> None:
    tenant = FakeTenant(1, {"A": FakeOrder("paid")})
    engine = engine_with(b"name: m\norders: {progression: manual, times: 2}\n", tenant=tenant)
    engine.activate("m", 1)
    seen = []
    for _ in range(6):
        engine.read(tenant, "orders", "A")
        seen.append(tenant.orders["A"].status)
    assert seen == ["paid", "paid", "purchased", "purchased", "purchased",
                    "shipped_to_warehouse"]  # fmt: skip


def test_the_engine_reports_each_change_a_step_makes_and_nothing_else() -> None:
    """``on_change`` (what write-through persistence listens to) hears of a read or a tick
    that moved an order, not of a read that only counted nor of a step the domain refused."""
    tenant = FakeTenant(1, {"A": FakeOrder("paid"), "B": FakeOrder("paid")})
    engine = engine_with(
        b"name: m\norders: {progression: manual, times: 1}\n",
        b"name: t\norders: {progression: time, seconds: 60}\n",
        tenant=tenant,
    )
    changed: list[int] = []
    engine.on_change = changed.append
    engine.activate("m", 1)
    engine.read(tenant, "orders", "A")  # counted
    engine.tick(tenant)  # nothing due
    assert changed == []
    engine.read(tenant, "orders", "A")  # moved
    assert changed == [1] and tenant.orders["A"].status == "purchased"

    def refused(tenant: FakeTenant, number: str, inspection: str | None) -> None:
        raise Conflict("the wallet cannot pay the fee")

    engine.deactivate("m", 1)
    engine.steps["orders"] = refused
    engine.activate("t", 1)
    tenant.clock.advance(120)
    engine.tick(tenant)  # due, but refused: nothing changed
    assert changed == [1] and tenant.orders["B"].status == "paid"
    engine.steps["orders"] = fake_step
    engine.deactivate("t", 1)
    engine.activate("t", 1)  # a new track, with the working step
    tenant.clock.advance(61)
    engine.tick(tenant)
    assert changed == [1, 1]


def test_immediate_progression_moves_orders_at_activation() -> None:
    tenant = FakeTenant(1, {"A": FakeOrder("pending"), "B": FakeOrder("cancelled")})
    engine = engine_with(b"name: i\norders: {progression: immediate}\n", tenant=tenant)
    engine.activate("i", 1)
    assert tenant.orders["A"].status == "completed"
    assert tenant.orders["B"].status == "cancelled"


def test_an_activation_keeps_its_own_counters() -> None:
    scenario = parse_scenario(FLAKY)
    one, two = Activation(scenario), Activation(scenario)
    rule = scenario.rules[0]
    assert [one.gate(0, rule) for _ in range(3)] == [False, True, True]
    assert two.gate(0, rule) is False
