"""The China warehouse: one package per order line, from arrival until it ships abroad.

A package's status follows :data:`sandbox.domain.lifecycle.PACKAGE_LIFECYCLE`
(``in_warehouse -> shipped -> delivered``). While a live shipping order holds it, it is still
physically ``in_warehouse`` but no longer shippable (``shipping_order_no`` is set).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.clock import isoformat, parse_iso
from sandbox.errors import BadRequest, NotFound


class PackageNotFound(NotFound):
    """404: no package with that id for this user."""

    default_message = "Package not found"


class PackageNotShippable(BadRequest):
    """400: the package has left the warehouse or a live shipping order holds it."""

    default_message = "Package is not shippable"


@dataclass(slots=True)
class Package:
    id: int
    order_no: str
    product_name: str
    weight: int  # grams
    status: str
    inspection_photos: list[str]
    arrived_at: datetime
    shipping_order_no: str | None = None
    left_at: datetime | None = None  # when it shipped abroad; storage stops counting

    @property
    def shippable(self) -> bool:
        return self.status == "in_warehouse" and self.shipping_order_no is None

    def storage_days(self, now: datetime) -> int:
        """Whole days from arrival to now (or to departure, once it has left)."""
        until = self.left_at or now
        return max(0, (until - self.arrived_at).days)

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "orderNo": self.order_no,
            "productName": self.product_name,
            "weight": self.weight,
            "status": self.status,
            "inspectionPhotos": list(self.inspection_photos),
            "arrivedAt": isoformat(self.arrived_at),
            "shippingOrderNo": self.shipping_order_no,
            "leftAt": None if self.left_at is None else isoformat(self.left_at),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Package:
        left_at = data.get("leftAt")
        return cls(
            id=int(data["id"]),
            order_no=data["orderNo"],
            product_name=data["productName"],
            weight=int(data["weight"]),
            status=data["status"],
            inspection_photos=list(data.get("inspectionPhotos", [])),
            arrived_at=parse_iso(data["arrivedAt"]),
            shipping_order_no=data.get("shippingOrderNo"),
            left_at=None if left_at is None else parse_iso(left_at),
        )


@dataclass(slots=True)
class Warehouse:
    """A tenant's packages by id, in arrival order, and the next package id."""

    packages: dict[int, Package] = field(default_factory=dict)
    next_id: int = 1

    def __post_init__(self) -> None:
        self.next_id = max(self.next_id, max(self.packages, default=0) + 1)

    def get(self, package_id: int) -> Package:
        try:
            return self.packages[package_id]
        except KeyError:
            raise PackageNotFound(f"Package {package_id} not found") from None

    def receive(
        self, order_no: str, product_name: str, weight: int, photos: list[str], now: datetime
    ) -> Package:
        package = Package(
            self.next_id, order_no, product_name, weight, "in_warehouse", list(photos), now
        )
        self.packages[package.id] = package
        self.next_id += 1
        return package

    def shippable(self) -> list[Package]:
        return [p for p in self.packages.values() if p.shippable]

    def of_order(self, order_no: str) -> list[Package]:
        return [p for p in self.packages.values() if p.order_no == order_no]

    def stats(self) -> dict[str, int]:
        """Counts by status, the shippable count, and the weight still in the warehouse."""
        counts = Counter(package.status for package in self.packages.values())
        return {
            "total": len(self.packages),
            "inWarehouse": counts["in_warehouse"],
            "shippable": len(self.shippable()),
            "shipped": counts["shipped"],
            "delivered": counts["delivered"],
            "totalWeight": sum(
                p.weight for p in self.packages.values() if p.status == "in_warehouse"
            ),
        }

    def to_state(self) -> list[dict[str, Any]]:
        return [p.to_state() for p in self.packages.values()]

    @classmethod
    def from_state(cls, data: list[dict[str, Any]], next_id: int | None) -> Warehouse:
        packages = [Package.from_state(p) for p in data]
        return cls({p.id: p for p in packages}, next_id or 1)
