"""Purchase orders: creation (stock, coupon, wallet freeze) and the effects of each step.

The legal steps and which effect each one runs are the table
:data:`sandbox.domain.lifecycle.ORDER_LIFECYCLE`; this module only knows what a step does.
Creating an order checks everything first (products, SKUs, stock, coupon, balance) and only
then mutates, so a refused order changes nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.clock import isoformat, parse_iso
from sandbox.domain.catalog import Catalog
from sandbox.domain.product import Product, Sku
from sandbox.errors import BadRequest, NotFound
from sandbox.money import ceil_yuan, money

if TYPE_CHECKING:
    from sandbox.domain.lifecycle import StepContext
    from sandbox.domain.tenant import Tenant

SERVICE_FEE_PERCENT = 5
#: Domestic carriers (seller -> warehouse) and their tracking-number prefixes.
DOMESTIC_CARRIERS = (("SF Express", "SF"), ("YTO Express", "YT"), ("ZTO Express", "ZT"))
PHOTO_BASE = "https://cdn.sandbox.example/inspections"
#: Grams per unit when an order's product has left the catalog (a restored state).
FALLBACK_UNIT_WEIGHT = 500


class OrderNotFound(NotFound):
    """404: no purchase order with that number for this user."""

    default_message = "Order not found"


class EmptyOrder(BadRequest):
    """400: an order needs at least one item."""

    default_message = "items should not be empty"


@dataclass(slots=True)
class OrderLine:
    product_id: int
    sku_id: str
    title: str
    sku_name: str
    price: Decimal  # the SKU's price when the order was placed
    quantity: int
    remark: str = ""

    def to_state(self) -> dict[str, Any]:
        return {
            "productId": self.product_id, "skuId": self.sku_id, "title": self.title,
            "skuName": self.sku_name, "price": str(self.price), "quantity": self.quantity,
            "remark": self.remark,
        }  # fmt: skip

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> OrderLine:
        return cls(
            int(data["productId"]), str(data["skuId"]), data["title"], data["skuName"],
            money(data["price"]), int(data["quantity"]), data.get("remark", ""),
        )  # fmt: skip


@dataclass(slots=True)
class Order:
    order_no: str
    status: str
    platform: str
    lines: list[OrderLine]
    goods_amount: Decimal  # before the coupon
    total_amount: Decimal  # after the coupon: what is frozen, then paid
    service_fee: Decimal
    created_at: datetime
    updated_at: datetime
    coupon_id: int | None = None
    remark: str = ""
    logistics: dict[str, str] | None = None  # {"trackingNo", "carrier"} from shipped_to_warehouse
    inspection: dict[str, Any] | None = None  # {"result", "weight", "photos"} from in_warehouse
    cancel_reason: str | None = None

    def to_state(self) -> dict[str, Any]:
        return {
            "orderNo": self.order_no,
            "status": self.status,
            "platform": self.platform,
            "items": [line.to_state() for line in self.lines],
            "goodsAmount": str(self.goods_amount),
            "totalAmount": str(self.total_amount),
            "serviceFee": str(self.service_fee),
            "couponId": self.coupon_id,
            "remark": self.remark,
            "logistics": self.logistics,
            "inspection": self.inspection,
            "cancelReason": self.cancel_reason,
            "createdAt": isoformat(self.created_at),
            "updatedAt": isoformat(self.updated_at),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Order:
        return cls(
            order_no=data["orderNo"],
            status=data["status"],
            platform=data.get("platform", "taobao"),
            lines=[OrderLine.from_state(line) for line in data["items"]],
            goods_amount=money(data.get("goodsAmount", data["totalAmount"])),
            total_amount=money(data["totalAmount"]),
            service_fee=money(data["serviceFee"]),
            created_at=parse_iso(data["createdAt"]),
            updated_at=parse_iso(data.get("updatedAt", data["createdAt"])),
            coupon_id=data.get("couponId"),
            remark=data.get("remark", ""),
            logistics=data.get("logistics"),
            inspection=data.get("inspection"),
            cancel_reason=data.get("cancelReason"),
        )


@dataclass(frozen=True, slots=True)
class NewOrderLine:
    """A validated request for ``quantity`` of a SKU."""

    product_id: int
    sku_id: str
    quantity: int
    remark: str = ""


def service_fee(total: Decimal) -> Decimal:
    """5 % of the goods total, rounded up to the whole yuan (598.00 -> 30.00)."""
    return ceil_yuan(total * SERVICE_FEE_PERCENT / 100)


def next_number(prefix: str, now: datetime, taken: Iterable[str], last: dict[str, int]) -> str:
    """``PREFIX-YYYYMMDD-NNN`` on ``now``'s date, after every number already taken that day
    (a thousandth order of a day is ``-1000``). ``last`` remembers the last number of each
    day, so only a day's first number looks through ``taken``."""
    stem = "%s-%04d%02d%02d-" % (prefix, now.year, now.month, now.day)  # noqa: UP031
    if stem not in last:
        last[stem] = max((int(n[len(stem) :]) for n in taken if n.startswith(stem)), default=0)
    last[stem] += 1
    return f"{stem}{last[stem]:03d}"


def get_order(tenant: Tenant, order_no: str) -> Order:
    try:
        return tenant.orders[order_no]
    except KeyError:
        raise OrderNotFound() from None


def create_order(
    tenant: Tenant,
    catalog: Catalog,
    requests: list[NewOrderLine],
    *,
    remark: str = "",
    coupon_id: int | None = None,
) -> Order:
    """Place an order: reserve stock, apply the coupon, freeze the total. All or nothing."""
    if not requests:
        raise EmptyOrder()
    now = tenant.now()
    lines: list[OrderLine] = []
    wanted: dict[tuple[int, str], tuple[Product, Sku, int]] = {}
    for request in requests:
        product = catalog.get(request.product_id)
        sku = product.sku(request.sku_id)
        line = OrderLine(
            product.id, sku.sku_id, product.title, sku.name, sku.price, request.quantity,
            request.remark,
        )  # fmt: skip
        lines.append(line)
        key = (product.id, sku.sku_id)
        held = wanted[key][2] if key in wanted else 0
        wanted[key] = (product, sku, held + request.quantity)
    # Lines of the same SKU draw on one stock figure, so they are checked together.
    for product, sku, quantity in wanted.values():
        tenant.stock.check(product, sku, quantity)
    goods = money(sum((line.price * line.quantity for line in lines), Decimal(0)))
    discount = Decimal("0.00")
    coupon = None
    if coupon_id is not None:
        coupon = tenant.coupons.get(coupon_id)
        coupon.check_applicable(goods, now)
        discount = coupon.discount(goods)
    total = goods - discount
    tenant.wallet.require_available(total)

    order_no = next_number("ORD", now, tenant.orders, tenant.numbers)
    for product, sku, quantity in wanted.values():
        tenant.stock.reserve(product, sku, quantity)
    tenant.wallet.move("freeze", total, now, description="Order created", order_no=order_no)
    if coupon is not None:
        coupon.used_at, coupon.used_by = now, order_no
    order = Order(
        order_no=order_no,
        status="pending",
        platform=catalog.get(lines[0].product_id).platform,
        lines=lines,
        goods_amount=goods,
        total_amount=total,
        service_fee=service_fee(total),
        created_at=now,
        updated_at=now,
        coupon_id=coupon_id,
        remark=remark,
    )
    tenant.orders[order_no] = order
    return order


# -- step effects (wired to transitions in sandbox.domain.lifecycle) ----------------------


def pay(ctx: StepContext, order: Order) -> None:
    """``pending -> paid``: the frozen total leaves the balance."""
    ctx.tenant.wallet.move(
        "payment", order.total_amount, ctx.now, description="Order paid", order_no=order.order_no
    )


def check_service_fee(ctx: StepContext, order: Order) -> None:
    ctx.tenant.wallet.require_available(order.service_fee)


def charge_service_fee(ctx: StepContext, order: Order) -> None:
    """``paid -> purchased``: the agent's fee for buying the goods."""
    ctx.tenant.wallet.move(
        "service_fee", order.service_fee, ctx.now, description="Service fee",
        order_no=order.order_no,
    )  # fmt: skip


def ship_to_warehouse(ctx: StepContext, order: Order) -> None:
    """``purchased -> shipped_to_warehouse``: the seller's domestic tracking number."""
    digest = zlib.crc32(order.order_no.encode())
    carrier, prefix = DOMESTIC_CARRIERS[digest % len(DOMESTIC_CARRIERS)]
    order.logistics = {"trackingNo": f"{prefix}{digest % 10**10:010d}", "carrier": carrier}


def receive_in_warehouse(ctx: StepContext, order: Order) -> None:
    """``shipped_to_warehouse -> in_warehouse``: QC, weighing, one package per line."""
    photos, weight = [], 0
    for index, line in enumerate(order.lines, start=1):
        unit = (
            ctx.catalog.get(line.product_id).weight
            if ctx.catalog is not None and line.product_id in ctx.catalog
            else FALLBACK_UNIT_WEIGHT
        )
        photo = f"{PHOTO_BASE}/{order.order_no}/{index}.jpg"
        package = ctx.tenant.warehouse.receive(
            order.order_no, line.title, unit * line.quantity, [photo], ctx.now
        )
        photos.append(photo)
        weight += package.weight
    order.inspection = {"result": ctx.inspection or "passed", "weight": weight, "photos": photos}


def _release(ctx: StepContext, order: Order) -> None:
    """Return the order's stock and its coupon (a cancelled order did not use it)."""
    if ctx.catalog is not None:
        for line in order.lines:
            if line.product_id in ctx.catalog:
                product = ctx.catalog.get(line.product_id)
                ctx.tenant.stock.release(product, product.sku(line.sku_id), line.quantity)
    if order.coupon_id is not None and order.coupon_id in ctx.tenant.coupons.coupons:
        coupon = ctx.tenant.coupons.coupons[order.coupon_id]
        if coupon.used_by == order.order_no:
            coupon.used_at = coupon.used_by = None


def cancel_pending(ctx: StepContext, order: Order) -> None:
    """``pending -> cancelled``: the frozen total is released."""
    ctx.tenant.wallet.move(
        "unfreeze", order.total_amount, ctx.now, description="Order cancelled",
        order_no=order.order_no,
    )  # fmt: skip
    _release(ctx, order)


def cancel_paid(ctx: StepContext, order: Order) -> None:
    """``paid -> cancelled``: the paid total is credited back."""
    ctx.tenant.wallet.move(
        "refund", order.total_amount, ctx.now, description="Order cancelled",
        order_no=order.order_no,
    )  # fmt: skip
    _release(ctx, order)
