"""Shipping orders: warehouse packages sent abroad on one channel, paid at creation.

The legal steps are :data:`sandbox.domain.lifecycle.SHIPPING_LIFECYCLE`
(``pending -> processing -> shipped -> delivered``, ``cancelled`` from ``pending``); this
module creates orders and holds the effects of the steps.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.clock import isoformat, parse_iso
from sandbox.domain.freight import DEFAULT_CARGO, Logistics
from sandbox.domain.orders import next_number
from sandbox.domain.warehouse import PackageNotShippable
from sandbox.errors import BadRequest, NotFound
from sandbox.money import money

if TYPE_CHECKING:
    from sandbox.domain.lifecycle import StepContext
    from sandbox.domain.tenant import Tenant


class ShippingOrderNotFound(NotFound):
    """404: no shipping order with that number for this user."""

    default_message = "Shipping order not found"


class DuplicatePackage(BadRequest):
    """400: the same package named twice in one shipping order."""

    default_message = "Duplicate package"


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    phone: str
    country: str
    state: str
    city: str
    address: str
    zip_code: str

    def to_state(self) -> dict[str, str]:
        return {
            "name": self.name, "phone": self.phone, "country": self.country,
            "state": self.state, "city": self.city, "address": self.address,
            "zipCode": self.zip_code,
        }  # fmt: skip

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Recipient:
        return cls(
            data["name"], data["phone"], data["country"], data.get("state", ""), data["city"],
            data["address"], data["zipCode"],
        )  # fmt: skip


@dataclass(slots=True)
class ShippingOrder:
    order_no: str
    status: str
    channel_id: str
    channel_name: str
    carrier: str
    items: list[tuple[int, str]]  # (package id, product name)
    total_weight: int
    shipping_fee: Decimal
    recipient: Recipient
    created_at: datetime
    updated_at: datetime
    remark: str = ""
    tracking_no: str | None = None

    @property
    def package_ids(self) -> list[int]:
        return [package_id for package_id, _ in self.items]

    def to_state(self) -> dict[str, Any]:
        return {
            "orderNo": self.order_no,
            "status": self.status,
            "channelId": self.channel_id,
            "channelName": self.channel_name,
            "carrier": self.carrier,
            "items": [{"inventoryId": i, "name": n} for i, n in self.items],
            "totalWeight": self.total_weight,
            "shippingFee": str(self.shipping_fee),
            "recipient": self.recipient.to_state(),
            "remark": self.remark,
            "trackingNo": self.tracking_no,
            "createdAt": isoformat(self.created_at),
            "updatedAt": isoformat(self.updated_at),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> ShippingOrder:
        return cls(
            order_no=data["orderNo"],
            status=data["status"],
            channel_id=data["channelId"],
            channel_name=data["channelName"],
            carrier=data["carrier"],
            items=[(int(i["inventoryId"]), i["name"]) for i in data["items"]],
            total_weight=int(data["totalWeight"]),
            shipping_fee=money(data["shippingFee"]),
            recipient=Recipient.from_state(data["recipient"]),
            created_at=parse_iso(data["createdAt"]),
            updated_at=parse_iso(data.get("updatedAt", data["createdAt"])),
            remark=data.get("remark", ""),
            tracking_no=data.get("trackingNo"),
        )


def get_shipping_order(tenant: Tenant, order_no: str) -> ShippingOrder:
    try:
        return tenant.shipping[order_no]
    except KeyError:
        raise ShippingOrderNotFound() from None


def create_shipping_order(
    tenant: Tenant,
    logistics: Logistics,
    package_ids: list[int],
    channel_id: str,
    recipient: Recipient,
    *,
    remark: str = "",
) -> ShippingOrder:
    """Charge the freight and hold the packages. Everything is checked before anything
    changes: packages (404 unknown, 400 duplicate or not shippable), the channel (404
    unknown, 400 when it does not serve the country, weight or cargo), then the balance."""
    if len(set(package_ids)) != len(package_ids):
        twice = next(p for p in package_ids if package_ids.count(p) > 1)
        raise DuplicatePackage(f"Package {twice} is listed more than once")
    packages = [tenant.warehouse.get(package_id) for package_id in package_ids]
    channel = logistics.channel(channel_id)
    for package in packages:
        if not package.shippable:
            raise_not_shippable(package.id, package.status, package.shipping_order_no)
    total_weight = sum(p.weight for p in packages)
    channel.require(recipient.country, total_weight, DEFAULT_CARGO)
    fee = channel.price(total_weight)
    tenant.wallet.require_available(fee)

    now = tenant.now()
    order_no = next_number("SHP", now, tenant.shipping, tenant.numbers)
    tenant.wallet.move("shipping_fee", fee, now, description="Shipping fee", order_no=order_no)
    for package in packages:
        package.shipping_order_no = order_no
    order = ShippingOrder(
        order_no=order_no,
        status="pending",
        channel_id=channel.channel_id,
        channel_name=channel.name,
        carrier=channel.carrier,
        items=[(p.id, p.product_name) for p in packages],
        total_weight=total_weight,
        shipping_fee=fee,
        recipient=recipient,
        created_at=now,
        updated_at=now,
        remark=remark,
    )
    tenant.shipping[order_no] = order
    return order


def raise_not_shippable(package_id: int, status: str, held_by: str | None) -> None:
    """400, saying whether the package has left or another live shipping order holds it."""
    if held_by is not None and status == "in_warehouse":
        raise PackageNotShippable(f"Package {package_id} is already in shipping order {held_by}")
    raise PackageNotShippable(f"Package {package_id} is not shippable (status: {status})")


# -- step effects (wired to transitions in sandbox.domain.lifecycle) ----------------------


def assign_tracking(order: ShippingOrder) -> None:
    """The international tracking number a shipped order carries (stable per order)."""
    digest = zlib.crc32(order.order_no.encode()) % 10**10
    order.tracking_no = f"{order.carrier.upper()}{digest:010d}CN"


def cancel(ctx: StepContext, order: ShippingOrder) -> None:
    """``pending -> cancelled``: the fee comes back and the packages are shippable again."""
    ctx.tenant.wallet.move(
        "shipping_refund", order.shipping_fee, ctx.now, description="Shipping order cancelled",
        order_no=order.order_no,
    )  # fmt: skip
    for package_id in order.package_ids:
        ctx.tenant.warehouse.get(package_id).shipping_order_no = None
