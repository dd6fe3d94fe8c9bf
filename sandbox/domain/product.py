"""Products and their SKUs: immutable values, read by the catalog, the generator and the
domain alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.errors import SkuNotFound
from sandbox.money import money


@dataclass(frozen=True, slots=True)
class Sku:
    sku_id: str
    name: str
    price: Decimal
    stock: int
    image: str


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    title: str
    description: str
    price: Decimal
    original_price: Decimal
    platform: str
    platform_item_id: str
    image_url: str
    images: tuple[str, ...]
    shop_name: str
    shop_url: str
    sales: int
    stock: int
    category_id: int
    skus: tuple[Sku, ...]
    attributes: tuple[tuple[str, str], ...] = ()
    currency: str = "CNY"
    min_order: int = 1
    weight: int = 500

    def sku(self, sku_id: str) -> Sku:
        # A product has a handful of SKUs: a scan is as fast as a dict and costs no memory
        # per product, which matters for catalogs of 100,000 products.
        for sku in self.skus:
            if sku.sku_id == sku_id:
                return sku
        raise SkuNotFound()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Product:
        """Build a product from its fixture form (the API's field names)."""
        return cls(
            id=int(data["id"]),
            title=data["title"],
            description=data.get("description", ""),
            price=money(data["price"]),
            original_price=money(data.get("originalPrice", data["price"])),
            platform=data.get("platform", "taobao"),
            platform_item_id=str(data.get("platformItemId", data["id"])),
            image_url=data["imageUrl"],
            images=tuple(data.get("images", [data["imageUrl"]])),
            shop_name=data.get("shopName", ""),
            shop_url=data.get("shopUrl", ""),
            sales=int(data.get("sales", 0)),
            stock=int(data["stock"]),
            category_id=int(data.get("categoryId", 0)),
            skus=tuple(
                Sku(
                    sku_id=str(s["skuId"]),
                    name=s["name"],
                    price=money(s["price"]),
                    stock=int(s["stock"]),
                    image=s.get("image", data["imageUrl"]),
                )
                for s in data["skus"]
            ),
            attributes=tuple((a["name"], a["value"]) for a in data.get("attributes", [])),
            currency=data.get("currency", "CNY"),
            min_order=int(data.get("minOrder", 1)),
            weight=int(data.get("weight", 500)),
        )
