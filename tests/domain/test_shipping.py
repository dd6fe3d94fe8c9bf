"""Shipping orders and packages on the domain."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.domain.freight import ChannelNotFound, ChannelRefused, Logistics
from sandbox.domain.lifecycle import (
    IllegalTransition,
    advance_shipping,
    cancel_shipping,
    confirm_delivery,
)
from sandbox.domain.shipping import (
    DuplicatePackage,
    Recipient,
    ShippingOrderNotFound,
    create_shipping_order,
)
from sandbox.domain.tenant import Tenant
from sandbox.domain.wallet import InsufficientBalance
from sandbox.domain.warehouse import PackageNotFound, PackageNotShippable
from sandbox.store import Store

D = Decimal
US = Recipient("John Doe", "+1-555-0123", "US", "California", "Los Angeles", "123 Main St",
               "90001")  # fmt: skip


@pytest.fixture
def tenant(store: Store) -> Tenant:
    tenant = store.tenant(1001)
    tenant.clock.set(frozen=True)
    return tenant


@pytest.fixture
def logistics(store: Store) -> Logistics:
    return store.fixture.logistics


def test_packages_101_and_102_on_ems_to_the_us_weigh_1650_g_and_cost_185(
    tenant: Tenant, logistics: Logistics
) -> None:
    order = create_shipping_order(tenant, logistics, [101, 102], "ch-001", US)
    assert (order.order_no, order.status) == ("SHP-20240123-001", "pending")
    assert (order.total_weight, order.shipping_fee) == (1650, D("185.00"))
    assert order.items == [(101, "Nike Air Max 90"), (102, "Adidas Backpack")]
    assert tenant.wallet.balance == D("1815.00")
    assert tenant.wallet.transactions[-1].type == "shipping_fee"
    assert tenant.warehouse.shippable() == []
    assert tenant.warehouse.get(101).status == "in_warehouse"


def test_the_lifecycle_ships_with_a_tracking_number_then_delivers(
    tenant: Tenant, logistics: Logistics
) -> None:
    order = create_shipping_order(tenant, logistics, [101], "ch-002", US)
    advance_shipping(tenant, order.order_no)
    assert order.status == "processing" and order.tracking_no is None
    with pytest.raises(IllegalTransition, match="cannot be confirmed in status processing"):
        confirm_delivery(tenant, order.order_no)
    advance_shipping(tenant, order.order_no)
    assert order.status == "shipped"
    assert order.tracking_no is not None and order.tracking_no.startswith("DHL")
    assert order.tracking_no.endswith("CN")
    package = tenant.warehouse.get(101)
    assert (package.status, package.left_at) == ("shipped", tenant.now())
    with pytest.raises(IllegalTransition, match="cannot be cancelled in status shipped"):
        cancel_shipping(tenant, order.order_no)
    confirm_delivery(tenant, order.order_no)
    assert (order.status, package.status) == ("delivered", "delivered")
    with pytest.raises(IllegalTransition, match="cannot advance further"):
        advance_shipping(tenant, order.order_no)


def test_cancelling_refunds_the_fee_and_frees_the_packages(
    tenant: Tenant, logistics: Logistics
) -> None:
    order = create_shipping_order(tenant, logistics, [101, 102], "ch-001", US)
    cancel_shipping(tenant, order.order_no)
    assert order.status == "cancelled"
    assert tenant.wallet.balance == D("2000.00")
    assert tenant.wallet.transactions[-1].type == "shipping_refund"
    assert [p.id for p in tenant.warehouse.shippable()] == [101, 102]
    again = create_shipping_order(tenant, logistics, [101, 102], "ch-001", US)
    assert again.order_no == "SHP-20240123-002"


@pytest.mark.parametrize(
    ("packages", "channel", "country", "error", "message"),
    [
        ([101, 999], "ch-001", "US", PackageNotFound, "Package 999 not found"),
        ([101, 101], "ch-001", "US", DuplicatePackage, "listed more than once"),
        ([101], "ch-999", "US", ChannelNotFound, "Logistics channel not found"),
        ([101], "ch-001", "AQ", ChannelRefused, "does not serve country AQ"),
        ([101], "ch-003", "US", ChannelRefused, "does not serve country US"),
    ],
)
def test_a_refused_shipping_order_changes_nothing(
    tenant: Tenant,
    logistics: Logistics,
    packages: list[int],
    channel: str,
    country: str,
    error: type[Exception],
    message: str,
) -> None:
    before = tenant.to_state()
    recipient = Recipient(US.name, US.phone, country, "", US.city, US.address, US.zip_code)
    with pytest.raises(error, match=message):
        create_shipping_order(tenant, logistics, packages, channel, recipient)
    assert tenant.to_state() == before


def test_a_held_package_is_not_shippable(tenant: Tenant, logistics: Logistics) -> None:
    create_shipping_order(tenant, logistics, [101], "ch-001", US)
    with pytest.raises(PackageNotShippable, match="already in shipping order SHP-20240123-001"):
        create_shipping_order(tenant, logistics, [101, 102], "ch-001", US)


def test_a_fee_the_wallet_cannot_cover_is_refused(tenant: Tenant, logistics: Logistics) -> None:
    tenant.wallet.set_available(D("100.00"), tenant.now(), "drained")
    with pytest.raises(InsufficientBalance):
        create_shipping_order(tenant, logistics, [101, 102], "ch-001", US)
    assert tenant.shipping == {}


def test_an_unknown_shipping_order_is_not_found(tenant: Tenant) -> None:
    with pytest.raises(ShippingOrderNotFound):
        advance_shipping(tenant, "SHP-20240123-001")


def test_storage_days_count_whole_days_and_stop_when_the_package_leaves(
    tenant: Tenant, logistics: Logistics
) -> None:
    package = tenant.warehouse.get(101)
    assert package.storage_days(tenant.now()) == 5
    order = create_shipping_order(tenant, logistics, [101], "ch-001", US)
    advance_shipping(tenant, order.order_no, "shipped")
    tenant.clock.advance(10 * 86400)
    assert package.storage_days(tenant.now()) == 5


def test_the_state_round_trips(tenant: Tenant, logistics: Logistics) -> None:
    order = create_shipping_order(tenant, logistics, [101, 102], "ch-001", US)
    advance_shipping(tenant, order.order_no, "shipped")
    state = tenant.to_state()
    again = Tenant.from_state(state, user_id=1001, start=tenant.now(), frozen=True)
    assert again.to_state() == state


def test_the_state_after_every_lifecycle_passes_the_fixture_schema(
    tenant: Tenant, logistics: Logistics, store: Store
) -> None:
    from sandbox.domain.lifecycle import advance_order, cancel_order
    from sandbox.schemas import problems
    from tests.test_fixtures import default_document

    advance_order(tenant, store.catalog, "ORD-20240120-001", "in_warehouse")
    cancel_order(tenant, store.catalog, "ORD-20240115-002", "no")
    shipped = create_shipping_order(tenant, logistics, [101, 103], "ch-001", US)
    advance_shipping(tenant, shipped.order_no, "shipped")
    cancel_shipping(tenant, create_shipping_order(tenant, logistics, [102], "ch-002", US).order_no)
    document = default_document()
    document["users"] = [tenant.to_state()]
    assert problems(document, "fixture") == []
