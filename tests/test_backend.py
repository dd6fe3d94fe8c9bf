"""The backend's verbs each do every step: what a tenant leaves in the limiter, the journal
and the scenario engine goes with it, and nothing of another tenant's does."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sandbox.backend import Backend
from sandbox.domain.fixture import Fixture
from sandbox.errors import Conflict
from sandbox.identity import IdentityCache
from sandbox.scenario.loader import bundled_scenarios
from sandbox.store import Store

NOW = datetime(2024, 1, 23, 12, tzinfo=UTC)


@pytest.fixture
def backend(fixture: Fixture) -> Backend:
    return Backend(Store(fixture), scenarios=bundled_scenarios())


def touch(backend: Backend, user_id: int, key: str) -> None:
    """What a request leaves behind: a rate-limit window and a journal entry."""
    backend.limiter.hit(key, backend.tenant(user_id).clock.timestamp())
    backend.journal.record(
        user_id, request_id="r", method="GET", path="/cart", query_string="", key=key,
        body=b"", status=200, scenario=None, time=NOW,
    )  # fmt: skip


def test_resetting_a_tenant_clears_its_windows_journal_and_scenarios_only(
    backend: Backend,
) -> None:
    other = backend.mint()
    touch(backend, 1001, "sk-sandbox-full")
    touch(backend, other.user_id, other.key)
    backend.activate("qc-failed", 1001)
    backend.activate("qc-failed", other.user_id)
    backend.tenant(1001).cart.clear()
    backend.reset_tenant(1001)
    assert "sk-sandbox-full" not in backend.limiter.windows
    assert backend.journal.count(1001) == 0
    assert backend.scenarios.active_names(1001) == []
    assert backend.tenant(1001).cart.lines  # the story's line 501 is back
    assert other.key in backend.limiter.windows
    assert backend.journal.count(other.user_id) == 1
    assert backend.scenarios.active_names(other.user_id) == ["qc-failed"]


def test_retiring_drops_the_tenant_and_everything_kept_about_it(backend: Backend) -> None:
    minted = backend.mint()
    touch(backend, minted.user_id, minted.key)
    backend.activate("qc-failed", minted.user_id)
    backend.retire(minted.key)
    assert minted.key not in backend.store.keys
    assert minted.user_id not in backend.store.tenants
    assert minted.key not in backend.limiter.windows
    assert backend.journal.count(minted.user_id) == 0
    assert minted.user_id not in backend.scenarios.tenants
    with pytest.raises(Conflict):
        backend.retire("sk-sandbox-full")


def test_a_whole_reset_drops_minted_tenants_imports_windows_journal_and_caches(
    backend: Backend,
) -> None:
    minted = backend.mint(balance=Decimal("5000"))
    touch(backend, minted.user_id, minted.key)
    backend.rendered.get(object(), lambda subject: b"x")
    backend.activate("out-of-stock")
    backend.reset()
    assert set(backend.store.tenants) == {1001}
    assert backend.limiter.windows == {}
    assert len(backend.journal) == 0
    assert backend.rendered.entries == {}
    assert backend.scenarios.active_names() == []
    assert not backend.tenant(1001).stock.all_zero


def test_minting_applies_the_sandbox_wide_state_scenarios(backend: Backend) -> None:
    backend.activate("insufficient-balance")
    minted = backend.mint(balance=Decimal("5000"))
    assert backend.tenant(minted.user_id).wallet.available == Decimal("0.00")


def test_activating_a_rate_limit_scenario_starts_its_keys_on_fresh_windows(
    backend: Backend,
) -> None:
    touch(backend, 1001, "sk-sandbox-full")
    backend.activate("rate-limit-strict", 1001)
    assert "sk-sandbox-full" not in backend.limiter.windows


def test_the_identity_cache_computes_once_per_object_and_stays_bounded() -> None:
    cache: IdentityCache[object, int] = IdentityCache(size=2)
    calls: list[object] = []
    one, two, three = object(), object(), object()

    def compute(subject: object) -> int:
        calls.append(subject)
        return len(calls)

    assert cache.get(one, compute) == cache.get(one, compute) == 1
    cache.get(two, compute)
    cache.get(three, compute)  # full: cleared, then three
    assert len(cache.entries) == 1
    assert calls == [one, two, three]


def test_with_a_tenant_ttl_minting_retires_the_idle_minted_tenants(fixture: Fixture) -> None:
    backend = Backend(Store(fixture), tenant_ttl=60)
    idle, busy = backend.mint(), backend.mint()
    backend.store.seen[idle.user_id] -= 61  # an hour of nothing, as far as the TTL can tell
    backend.store.authenticate(busy.key)
    fresh = backend.mint()
    assert set(backend.store.tenants) == {1001, busy.user_id, fresh.user_id}
    assert idle.key not in backend.store.keys


def test_without_a_tenant_ttl_nothing_expires(fixture: Fixture) -> None:
    backend = Backend(Store(fixture))
    minted = backend.mint()
    backend.store.seen[minted.user_id] -= 10**6
    backend.mint()
    assert minted.user_id in backend.store.tenants
