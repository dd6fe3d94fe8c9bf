"""The shopping cart: one line per add, as the reference's example shows (502 beside 501)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.domain.catalog import Catalog
from sandbox.domain.stock import StockLedger
from sandbox.errors import NotFound
from sandbox.money import ZERO


class CartItemNotFound(NotFound):
    """404: no cart line with that id for this user."""

    default_message = "Cart item not found"


@dataclass(slots=True)
class CartLine:
    id: int
    product_id: int
    sku_id: str
    quantity: int
    selected: bool = True
    remark: str = ""

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "productId": self.product_id,
            "skuId": self.sku_id,
            "quantity": self.quantity,
            "selected": self.selected,
            "remark": self.remark,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> CartLine:
        return cls(
            id=int(data["id"]),
            product_id=int(data["productId"]),
            sku_id=str(data["skuId"]),
            quantity=int(data["quantity"]),
            selected=bool(data.get("selected", True)),
            remark=data.get("remark", ""),
        )


@dataclass(slots=True)
class NewLine:
    """A validated request to add ``quantity`` of a SKU."""

    product_id: int
    sku_id: str
    quantity: int
    remark: str = ""


class Cart:
    __slots__ = ("lines", "next_id")

    def __init__(self, lines: list[CartLine] | None = None, next_id: int | None = None) -> None:
        self.lines: dict[int, CartLine] = {line.id: line for line in lines or []}
        self.next_id = max(next_id or 1, max(self.lines, default=0) + 1)

    def line(self, line_id: int) -> CartLine:
        try:
            return self.lines[line_id]
        except KeyError:
            raise CartItemNotFound() from None

    def add(self, requests: list[NewLine], catalog: Catalog, stock: StockLedger) -> list[CartLine]:
        """Add every line or none: each is checked alone against its SKU's stock first."""
        for request in requests:
            product = catalog.get(request.product_id)
            stock.check(product, product.sku(request.sku_id), request.quantity)
        added = []
        for request in requests:
            line = CartLine(
                self.next_id,
                request.product_id,
                request.sku_id,
                request.quantity,
                remark=request.remark,
            )
            self.lines[line.id] = line
            self.next_id += 1
            added.append(line)
        return added

    def update(
        self,
        line_id: int,
        catalog: Catalog,
        stock: StockLedger,
        *,
        quantity: int | None = None,
        selected: bool | None = None,
    ) -> CartLine:
        line = self.line(line_id)
        if quantity is not None:
            product = catalog.get(line.product_id)
            stock.check(product, product.sku(line.sku_id), quantity)
            line.quantity = quantity
        if selected is not None:
            line.selected = selected
        return line

    def remove(self, line_id: int) -> None:
        self.line(line_id)
        del self.lines[line_id]

    def clear(self) -> int:
        removed = len(self.lines)
        self.lines.clear()
        return removed

    def total(self, catalog: Catalog) -> Decimal:
        """The selected lines' total, at the SKUs' current prices."""
        total = ZERO
        for line in self.lines.values():
            if line.selected and line.product_id in catalog:
                sku = catalog.get(line.product_id).sku(line.sku_id)
                total += sku.price * line.quantity
        return total

    def to_state(self) -> list[dict[str, Any]]:
        return [line.to_state() for line in self.lines.values()]

    @classmethod
    def from_state(cls, data: list[dict[str, Any]], next_id: int | None = None) -> Cart:
        return cls([CartLine.from_state(line) for line in data], next_id)
