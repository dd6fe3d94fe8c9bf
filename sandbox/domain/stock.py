"""Per-tenant stock: the catalog's figures less the units this tenant's orders hold.

Tenants never see each other's reservations. ``override`` pins a SKU's stock to a value
(the ``out-of-stock`` scenario pins every SKU to 0).
"""

from __future__ import annotations

from typing import Any

from sandbox.domain.product import Product, Sku
from sandbox.errors import BadRequest

SkuKey = tuple[int, str]


class InsufficientStock(BadRequest):
    """400: more units asked for than the SKU has."""

    default_message = "Insufficient stock"


class StockLedger:
    __slots__ = ("all_zero", "overrides", "reserved")

    def __init__(
        self,
        reserved: dict[SkuKey, int] | None = None,
        overrides: dict[SkuKey, int] | None = None,
        all_zero: bool = False,
    ) -> None:
        self.reserved: dict[SkuKey, int] = reserved or {}
        self.overrides: dict[SkuKey, int] = overrides or {}
        self.all_zero = all_zero

    def pin(self, product_id: int, sku_id: str, stock: int) -> None:
        """Pin one SKU's stock to ``stock`` (a scenario's setting), whatever is reserved."""
        self.overrides[(product_id, sku_id)] = stock

    def zero_all(self) -> None:
        """Every SKU's stock is 0 from now on (the ``out-of-stock`` scenario)."""
        self.all_zero = True

    def available(self, product: Product, sku: Sku) -> int:
        if self.all_zero:
            return 0
        key = (product.id, sku.sku_id)
        if key in self.overrides:
            return self.overrides[key]
        return max(0, sku.stock - self.reserved.get(key, 0))

    def touches(self, product: Product) -> bool:
        """Whether this tenant's figures for ``product`` differ from the catalog's."""
        if self.all_zero:
            return True
        if not self.reserved and not self.overrides:
            return False
        return any(
            (product.id, sku.sku_id) in self.reserved or (product.id, sku.sku_id) in self.overrides
            for sku in product.skus
        )

    def product_stock(self, product: Product) -> int:
        """The product-level ``stock`` figure, less this tenant's reservations on its SKUs."""
        if self.all_zero:
            return 0
        taken = sum(self.reserved.get((product.id, sku.sku_id), 0) for sku in product.skus)
        return max(0, product.stock - taken)

    def check(self, product: Product, sku: Sku, quantity: int) -> None:
        if quantity > self.available(product, sku):
            raise InsufficientStock(
                f"Insufficient stock for SKU {sku.sku_id}: "
                f"requested {quantity}, available {self.available(product, sku)}"
            )

    def reserve(self, product: Product, sku: Sku, quantity: int) -> None:
        self.check(product, sku, quantity)
        key = (product.id, sku.sku_id)
        self.reserved[key] = self.reserved.get(key, 0) + quantity
        if key in self.overrides:
            self.overrides[key] -= quantity

    def release(self, product: Product, sku: Sku, quantity: int) -> None:
        """Return units. The net figure may go below zero: the fixture's catalog figures are
        stock *after* the story's orders, so cancelling a story order returns units on top."""
        key = (product.id, sku.sku_id)
        left = self.reserved.get(key, 0) - quantity
        if left:
            self.reserved[key] = left
        else:
            self.reserved.pop(key, None)
        if key in self.overrides:
            self.overrides[key] += quantity

    def to_state(self) -> dict[str, Any]:
        return {
            "reserved": [
                {"productId": p, "skuId": s, "quantity": q} for (p, s), q in self.reserved.items()
            ],
            "overrides": [
                {"productId": p, "skuId": s, "stock": q} for (p, s), q in self.overrides.items()
            ],
            "allZero": self.all_zero,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any] | None) -> StockLedger:
        data = data or {}
        return cls(
            reserved={
                (r["productId"], r["skuId"]): r["quantity"] for r in data.get("reserved", [])
            },
            overrides={(r["productId"], r["skuId"]): r["stock"] for r in data.get("overrides", [])},
            all_zero=bool(data.get("allZero", False)),
        )
