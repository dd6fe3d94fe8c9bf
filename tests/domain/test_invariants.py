"""Property-based proof that money and stock are conserved by every sequence of actions.

Random sequences of create, advance, cancel, ship, advance-shipping, cancel-shipping and
top-up run against the domain layer of one tenant; after every step (refused or not):

- money: initial balance + top-ups = balance + everything spent, where "spent" is computed
  from the orders themselves (paid goods, charged service fees, live shipping fees), not from
  the wallet's own ledger; and the ledger's last entry agrees with the wallet;
- frozen funds equal the totals of pending orders;
- stock is never negative and never lost: for every SKU, the units left plus the units held
  by live orders stay what they were;
- a refused action changes nothing; a live shipping order holds exactly its packages.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.domain.lifecycle import (
    advance_order,
    advance_shipping,
    cancel_order,
    cancel_shipping,
)
from sandbox.domain.orders import NewOrderLine, create_order
from sandbox.domain.shipping import Recipient, create_shipping_order
from sandbox.domain.tenant import Tenant
from sandbox.errors import ApiError
from sandbox.fixtures import load_fixture
from sandbox.store import Store

SKUS = [(12345, "s001"), (12345, "s002"), (67890, "s010"), (13579, "s099")]
PAID = {"paid", "purchased", "shipped_to_warehouse", "in_warehouse", "completed"}
FEE_CHARGED = PAID - {"paid"}
RECIPIENTS = {
    country: Recipient("A", "1", country, "", "City", "Street 1", "0000")
    for country in ("US", "JP", "AQ")
}

line = st.builds(
    lambda sku, quantity: NewOrderLine(*sku, quantity), st.sampled_from(SKUS), st.integers(1, 3)
)
action = st.one_of(
    st.tuples(st.just("create"), st.lists(line, min_size=1, max_size=3),
              st.sampled_from([None, None, 50, 52])),
    st.tuples(st.just("advance"), st.integers(0, 9),
              st.sampled_from([None, None, "paid", "in_warehouse", "completed", "cancelled"])),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("ship"), st.lists(st.integers(101, 106), min_size=1, max_size=3,
                                        unique=True),
              st.sampled_from(["ch-001", "ch-002", "ch-003"]), st.sampled_from(sorted(RECIPIENTS))),
    st.tuples(st.just("advance_shipping"), st.integers(0, 4),
              st.sampled_from([None, "shipped", "delivered", "cancelled"])),
    st.tuples(st.just("cancel_shipping"), st.integers(0, 4)),
    st.tuples(st.just("topup"), st.integers(1, 3000)),
)  # fmt: skip


def spent(tenant: Tenant) -> Decimal:
    """Everything the user has paid for, computed from the orders alone."""
    goods = sum((o.total_amount for o in tenant.orders.values() if o.status in PAID), Decimal(0))
    fees = sum(
        (o.service_fee for o in tenant.orders.values() if o.status in FEE_CHARGED), Decimal(0)
    )
    freight = sum(
        (s.shipping_fee for s in tenant.shipping.values() if s.status != "cancelled"), Decimal(0)
    )
    return goods + fees + freight


def held_units(tenant: Tenant) -> dict[tuple[int, str], int]:
    held: dict[tuple[int, str], int] = {}
    for order in tenant.orders.values():
        if order.status != "cancelled":
            for ordered in order.lines:
                key = (ordered.product_id, ordered.sku_id)
                held[key] = held.get(key, 0) + ordered.quantity
    return held


def units_left(store: Store, tenant: Tenant) -> dict[tuple[int, str], int]:
    """Stock left per SKU, unclamped, so a negative figure would show."""
    return {
        (p, s): store.catalog.get(p).sku(s).stock - tenant.stock.reserved.get((p, s), 0)
        for p, s in SKUS
    }


def pick(items: dict[str, object], index: int) -> str | None:
    keys = list(items)
    return keys[index % len(keys)] if keys else None


def run(store: Store, tenant: Tenant, step: tuple) -> None:  # type: ignore[type-arg]
    kind, *args = step
    catalog = store.catalog
    if kind == "create":
        create_order(tenant, catalog, args[0], coupon_id=args[1])
    elif kind == "advance" and (order_no := pick(tenant.orders, args[0])):
        advance_order(tenant, catalog, order_no, args[1])
    elif kind == "cancel" and (order_no := pick(tenant.orders, args[0])):
        cancel_order(tenant, catalog, order_no)
    elif kind == "ship":
        create_shipping_order(
            tenant, store.fixture.logistics, args[0], args[1], RECIPIENTS[args[2]]
        )
    elif kind == "advance_shipping" and (order_no := pick(tenant.shipping, args[0])):
        advance_shipping(tenant, order_no, args[1])
    elif kind == "cancel_shipping" and (order_no := pick(tenant.shipping, args[0])):
        cancel_shipping(tenant, order_no)
    elif kind == "topup":
        tenant.wallet.move("topup", Decimal(args[0]), tenant.now())


@settings(
    max_examples=150, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
@given(st.lists(action, min_size=5, max_size=30))
def test_money_and_stock_are_conserved_by_any_sequence_of_actions(steps: list[tuple]) -> None:  # type: ignore[type-arg]
    store = Store(load_fixture())
    tenant = store.tenant(1001)
    tenant.clock.set(frozen=True)
    tenant.coupons.claim(50, tenant.now())
    wallet = tenant.wallet
    start = wallet.balance + spent(tenant)
    stock_total = {
        key: left + held_units(tenant).get(key, 0)
        for key, left in units_left(store, tenant).items()
    }
    topups = Decimal(0)
    for step in steps:
        before = tenant.to_state()
        try:
            run(store, tenant, step)
        except ApiError:
            assert tenant.to_state() == before, f"refused {step[0]} changed the state"
        if step[0] == "topup":
            topups += Decimal(step[1])
        assert start + topups == wallet.balance + spent(tenant)
        pending = [o.total_amount for o in tenant.orders.values() if o.status == "pending"]
        assert wallet.frozen == sum(pending, Decimal(0))
        assert wallet.available >= 0
        last = wallet.transactions[-1]
        assert (last.balance_after, last.frozen_after) == (wallet.balance, wallet.frozen)
        left, held = units_left(store, tenant), held_units(tenant)
        for key, total in stock_total.items():
            assert left[key] >= 0, f"{key} went negative"
            assert left[key] + held.get(key, 0) == total, f"{key} lost units"
        for shipment in tenant.shipping.values():
            holder = None if shipment.status == "cancelled" else shipment.order_no
            for package_id in shipment.package_ids:
                package = tenant.warehouse.get(package_id)
                if holder is not None:
                    assert package.shipping_order_no == holder
        for package in tenant.warehouse.shippable():
            assert package.shipping_order_no is None and package.status == "in_warehouse"
