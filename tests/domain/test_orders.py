"""Purchase orders on the domain: creation, each lifecycle step and its money, cancellation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from sandbox.domain.catalog import Catalog
from sandbox.domain.coupons import CouponNotApplicable, CouponNotFound
from sandbox.domain.lifecycle import (
    ORDER_LIFECYCLE,
    IllegalTransition,
    advance_order,
    cancel_order,
)
from sandbox.domain.orders import (
    EmptyOrder,
    NewOrderLine,
    OrderNotFound,
    create_order,
    next_number,
    service_fee,
)
from sandbox.domain.stock import InsufficientStock
from sandbox.domain.tenant import Tenant
from sandbox.domain.wallet import InsufficientBalance
from sandbox.errors import ProductNotFound, SkuNotFound
from sandbox.store import Store

D = Decimal


@pytest.fixture
def tenant(store: Store) -> Tenant:
    tenant = store.tenant(1001)
    tenant.clock.set(frozen=True)
    return tenant


@pytest.fixture
def catalog(store: Store) -> Catalog:
    return store.catalog


def shoes(quantity: int = 1) -> NewOrderLine:
    return NewOrderLine(12345, "s001", quantity)


def available(tenant: Tenant, catalog: Catalog) -> int:
    product = catalog.get(12345)
    return tenant.stock.available(product, product.sku("s001"))


def test_the_service_fee_is_five_percent_rounded_up_to_the_yuan() -> None:
    assert service_fee(D("598.00")) == D("30.00")
    assert service_fee(D("299.00")) == D("15.00")
    assert service_fee(D("189.00")) == D("10.00")
    assert service_fee(D("200.00")) == D("10.00")


def test_order_numbers_follow_the_days_last_number(tenant: Tenant) -> None:
    now = tenant.now()
    assert next_number("ORD", now, tenant.orders, {}) == "ORD-20240123-001"
    assert next_number("ORD", now - timedelta(days=8), tenant.orders, {}) == "ORD-20240115-003"


def test_creating_freezes_the_total_and_reserves_stock(tenant: Tenant, catalog: Catalog) -> None:
    order = create_order(tenant, catalog, [shoes(2)], remark="Handle with care")
    assert order.order_no == "ORD-20240123-001"
    assert (order.status, order.total_amount) == ("pending", D("598.00"))
    assert order.service_fee == D("30.00")
    assert (tenant.wallet.balance, tenant.wallet.frozen) == (D("2000.00"), D("1196.00"))
    assert tenant.wallet.transactions[-1].type == "freeze"
    assert available(tenant, catalog) == 48
    assert create_order(tenant, catalog, [shoes()]).order_no == "ORD-20240123-002"


def test_lines_of_one_sku_are_checked_against_its_stock_together(
    tenant: Tenant, catalog: Catalog
) -> None:
    with pytest.raises(InsufficientStock):
        create_order(tenant, catalog, [shoes(30), shoes(21)])


@pytest.mark.parametrize(
    ("lines", "coupon", "error"),
    [
        ([], None, EmptyOrder),
        ([NewOrderLine(1, "s001", 1)], None, ProductNotFound),
        ([NewOrderLine(12345, "nope", 1)], None, SkuNotFound),
        ([NewOrderLine(13579, "s099", 1)], None, InsufficientStock),
        ([shoes(5)], None, InsufficientBalance),  # 1495.00 > 1402.00 available
        ([shoes(1)], 99, CouponNotFound),
        ([shoes(1)], 50, CouponNotApplicable),  # not claimed
        ([shoes(1)], 51, CouponNotApplicable),  # expired
        ([shoes(1)], 52, CouponNotApplicable),  # below its 5000.00 minimum
    ],
)
def test_a_refused_order_changes_nothing(
    tenant: Tenant,
    catalog: Catalog,
    lines: list[NewOrderLine],
    coupon: int | None,
    error: type[Exception],
) -> None:
    before = tenant.to_state()
    with pytest.raises(error):
        create_order(tenant, catalog, lines, coupon_id=coupon)
    assert tenant.to_state() == before


def test_a_claimed_coupon_discounts_the_frozen_total_and_is_used(
    tenant: Tenant, catalog: Catalog
) -> None:
    tenant.coupons.claim(50, tenant.now())
    order = create_order(tenant, catalog, [shoes(2)], coupon_id=50)
    assert (order.goods_amount, order.total_amount) == (D("598.00"), D("538.20"))
    assert order.service_fee == D("27.00")
    assert tenant.wallet.frozen == D("598.00") + D("538.20")
    assert tenant.coupons.get(50).used_by == order.order_no
    with pytest.raises(CouponNotApplicable, match="already been used"):
        create_order(tenant, catalog, [shoes(2)], coupon_id=50)


def test_walking_an_order_to_the_warehouse_moves_money_and_makes_packages(
    tenant: Tenant, catalog: Catalog
) -> None:
    order = create_order(tenant, catalog, [shoes(2), NewOrderLine(67890, "s010", 1)])
    total = D("787.00")
    advance_order(tenant, catalog, order.order_no)
    assert order.status == "paid"
    assert (tenant.wallet.balance, tenant.wallet.frozen) == (D("2000.00") - total, D("598.00"))
    advance_order(tenant, catalog, order.order_no)
    assert order.status == "purchased"
    assert tenant.wallet.balance == D("2000.00") - total - D("40.00")
    assert order.logistics is None and order.inspection is None
    advance_order(tenant, catalog, order.order_no)
    assert order.logistics is not None and set(order.logistics) == {"trackingNo", "carrier"}
    advance_order(tenant, catalog, order.order_no, inspection="failed")
    assert order.status == "in_warehouse"
    assert order.inspection == {
        "result": "failed",
        "weight": 850 + 800,
        "photos": [
            f"https://cdn.sandbox.example/inspections/{order.order_no}/1.jpg",
            f"https://cdn.sandbox.example/inspections/{order.order_no}/2.jpg",
        ],
    }
    packages = tenant.warehouse.of_order(order.order_no)
    assert [(p.id, p.product_name, p.weight) for p in packages] == [
        (103, "Nike Air Max 90", 850),
        (104, "Adidas Backpack", 800),
    ]
    assert [t.type for t in tenant.wallet.transactions[-3:]] == ["freeze", "payment", "service_fee"]
    advance_order(tenant, catalog, order.order_no)
    assert order.status == "completed"
    with pytest.raises(IllegalTransition, match="cannot advance further"):
        advance_order(tenant, catalog, order.order_no)


def test_advancing_to_a_status_walks_every_step_between(tenant: Tenant, catalog: Catalog) -> None:
    order = advance_order(tenant, catalog, "ORD-20240120-001", "in_warehouse")
    assert order.status == "in_warehouse"
    assert [t.type for t in tenant.wallet.transactions[-2:]] == ["payment", "service_fee"]
    assert (tenant.wallet.balance, tenant.wallet.frozen) == (D("1372.00"), D("0.00"))
    assert [p.weight for p in tenant.warehouse.of_order(order.order_no)] == [850]


@pytest.mark.parametrize(
    ("order_no", "to", "message"),
    [
        ("ORD-20240115-001", "paid", "cannot go from in_warehouse to paid"),
        ("ORD-20240115-001", "in_warehouse", "already in_warehouse"),
        ("ORD-20240115-001", "cancelled", "cannot go from in_warehouse to cancelled"),
    ],
)
def test_an_illegal_advance_is_a_conflict(
    tenant: Tenant, catalog: Catalog, order_no: str, to: str, message: str
) -> None:
    with pytest.raises(IllegalTransition, match=message):
        advance_order(tenant, catalog, order_no, to)


def test_an_unknown_order_is_not_found(tenant: Tenant, catalog: Catalog) -> None:
    with pytest.raises(OrderNotFound):
        advance_order(tenant, catalog, "ORD-20990101-001")


def test_a_service_fee_the_wallet_cannot_cover_refuses_the_whole_walk(
    tenant: Tenant, catalog: Catalog
) -> None:
    tenant.wallet.set_available(D("0.00"), tenant.now(), "drained")
    before = tenant.to_state()
    with pytest.raises(InsufficientBalance):
        advance_order(tenant, catalog, "ORD-20240120-001", "in_warehouse")
    assert tenant.to_state() == before


def test_cancelling_a_pending_order_unfreezes_and_returns_stock(
    tenant: Tenant, catalog: Catalog
) -> None:
    tenant.coupons.claim(50, tenant.now())
    order = create_order(tenant, catalog, [shoes(1)], coupon_id=50)
    cancel_order(tenant, catalog, order.order_no, "Changed my mind")
    assert (order.status, order.cancel_reason) == ("cancelled", "Changed my mind")
    assert (tenant.wallet.balance, tenant.wallet.frozen) == (D("2000.00"), D("598.00"))
    assert available(tenant, catalog) == 50
    assert tenant.coupons.get(50).used_at is None


def test_cancelling_the_paid_story_order_refunds_299(tenant: Tenant, catalog: Catalog) -> None:
    order = cancel_order(tenant, catalog, "ORD-20240115-002")
    assert order.total_amount == D("299.00")
    assert tenant.wallet.balance == D("2299.00")
    assert tenant.wallet.transactions[-1].type == "refund"
    assert available(tenant, catalog) == 51  # the story's unit comes back on top


def test_only_pending_and_paid_orders_can_be_cancelled(tenant: Tenant, catalog: Catalog) -> None:
    with pytest.raises(IllegalTransition, match="cannot be cancelled in status in_warehouse"):
        cancel_order(tenant, catalog, "ORD-20240115-001")
    assert {s for (s, t) in ORDER_LIFECYCLE.transitions if t == "cancelled"} == {"pending", "paid"}
