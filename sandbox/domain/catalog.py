"""The product catalog, shared by every tenant.

Products are immutable once loaded; what varies per tenant is stock, which
:class:`sandbox.domain.stock.StockLedger` derives from the catalog's figures.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.domain.generate import generated_product
from sandbox.domain.product import Product
from sandbox.errors import ProductNotFound


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

    The fixture's products stay the validated documents they were loaded as, and both they
    and the generated range are built into :class:`Product` on first read (memoised, bounded).
    So lookups cost the same whatever the catalog's size, and a 100,000-product fixture holds
    its documents once rather than documents and products side by side.
    """

    __slots__ = ("_build", "_imported", "_listed", "generated")

    def __init__(
        self,
        listed: Mapping[int, Mapping[str, Any]] | None = None,
        generated: GeneratedRange | None = None,
    ) -> None:
        self._listed: Mapping[int, Mapping[str, Any]] = listed or {}
        self.generated = generated
        self._imported: dict[int, Product] = {}
        self._build = functools.lru_cache(maxsize=4096)(self._product)

    def _product(self, product_id: int) -> Product:
        document = self._listed.get(product_id)
        if document is not None:
            return Product.from_dict(document)
        assert self.generated is not None
        return generated_product(product_id, self.generated.seed)

    def get(self, product_id: int) -> Product:
        product = self._imported.get(product_id)
        if product is not None:
            return product
        if product_id in self._listed or (
            self.generated is not None and product_id in self.generated
        ):
            return self._build(product_id)
        raise ProductNotFound()

    def add(self, product: Product) -> None:
        """Add an imported product (1688)."""
        self._imported[product.id] = product

    def discard(self, product_id: int) -> None:
        self._imported.pop(product_id, None)

    def __contains__(self, product_id: object) -> bool:
        return (
            product_id in self._imported
            or product_id in self._listed
            or (self.generated is not None and product_id in self.generated)
        )

    def __len__(self) -> int:
        generated = self.generated.count if self.generated else 0
        return len(self._imported) + len(self._listed) + generated
