from __future__ import annotations

from decimal import Decimal

from sandbox.domain.access import SCOPES
from sandbox.domain.cart import NewLine
from sandbox.domain.fixture import Fixture
from sandbox.store import Store


def test_a_tenant_reset_restores_its_fixture_state(store: Store) -> None:
    tenant = store.tenant(1001)
    tenant.clock.set(frozen=True)
    before = tenant.to_state()
    tenant.cart.add([NewLine(12345, "s001", 1)], store.catalog, tenant.stock)
    tenant.addresses.remove(10)
    fresh = store.reset_tenant(1001)
    fresh.clock.set(tenant.clock.now(), frozen=True)
    assert fresh.to_state() == before


def test_minted_tenants_copy_the_story_under_their_own_id(store: Store) -> None:
    key = store.mint()
    assert key.scopes == SCOPES
    tenant = store.tenant(key.user_id)
    assert key.user_id != 1001
    assert tenant.profile.id == key.user_id
    assert [line.id for line in tenant.cart.lines.values()] == [501]
    assert tenant.wallet.balance == Decimal("2000.00")


def test_minting_with_a_balance_records_an_adjustment(store: Store) -> None:
    key = store.mint(("cart:read",), Decimal("5000"))
    wallet = store.tenant(key.user_id).wallet
    assert wallet.balance == Decimal("5000.00")
    assert wallet.transactions[-1].type == "adjustment"
    assert wallet.transactions[-1].amount == Decimal("3000.00")
    # and a reset of that tenant makes it again the same way
    store.reset_tenant(key.user_id)
    assert store.tenant(key.user_id).wallet.balance == Decimal("5000.00")


def test_tenants_are_islands(store: Store) -> None:
    other = store.tenant(store.mint().user_id)
    mine = store.tenant(1001)
    other.cart.clear()
    other.wallet.move("topup", Decimal("1"), other.now())
    assert len(mine.cart.lines) == 1
    assert mine.wallet.balance == Decimal("2000.00")


def test_a_whole_reset_drops_minted_tenants_and_their_keys(store: Store) -> None:
    key = store.mint()
    store.reset()
    assert key.key not in store.keys
    assert key.user_id not in store.tenants


def test_export_and_restore_round_trip(store: Store, fixture: Fixture) -> None:
    key = store.mint()
    store.tenant(key.user_id).clock.set(frozen=True)
    store.tenant(1001).clock.set(frozen=True)
    exported = store.export()
    copy = Store(fixture)
    copy.restore(exported)
    assert copy.export() == exported
    assert copy.authenticate(key.key).user_id == key.user_id
