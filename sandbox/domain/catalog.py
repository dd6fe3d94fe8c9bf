"""The product catalog, shared by every tenant.

Products are immutable once loaded; what varies per tenant is stock, which
:class:`sandbox.domain.stock.StockLedger` derives from the catalog's figures.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.errors import ProductNotFound, SkuNotFound
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
    _skus_by_id: dict[str, Sku] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._skus_by_id.update((sku.sku_id, sku) for sku in self.skus)

    def sku(self, sku_id: str) -> Sku:
        try:
            return self._skus_by_id[sku_id]
        except KeyError:
            raise SkuNotFound() from None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Product:
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


@dataclass(frozen=True, slots=True)
class GeneratedRange:
    """``count`` Faker-generated products with ids from ``first_id``, built from ``seed``."""

    first_id: int
    count: int
    seed: int

    def __contains__(self, product_id: object) -> bool:
        return isinstance(product_id, int) and 0 <= product_id - self.first_id < self.count


class Catalog:
    """Every product by id: the fixture's own, a generated range, and 1688 imports.

    Lookups cost the same whatever the catalog's size: a dict lookup, or a range check and
    a memoised generation (bounded, so reading a huge catalog does not grow memory).
    """

    __slots__ = ("_generate", "_products", "generated")

    def __init__(
        self,
        products: dict[int, Product] | None = None,
        generated: GeneratedRange | None = None,
    ) -> None:
        self._products: dict[int, Product] = dict(products or {})
        self.generated = generated
        self._generate = functools.lru_cache(maxsize=4096)(self._build)

    def _build(self, product_id: int) -> Product:
        from sandbox.domain.generate import generated_product

        assert self.generated is not None
        return generated_product(product_id, self.generated.seed)

    def get(self, product_id: int) -> Product:
        product = self._products.get(product_id)
        if product is not None:
            return product
        if self.generated is not None and product_id in self.generated:
            return self._generate(product_id)
        raise ProductNotFound()

    def add(self, product: Product) -> None:
        self._products[product.id] = product

    def discard(self, product_id: int) -> None:
        self._products.pop(product_id, None)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._products or (
            self.generated is not None and product_id in self.generated
        )

    def __len__(self) -> int:
        return len(self._products) + (self.generated.count if self.generated else 0)
