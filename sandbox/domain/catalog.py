"""The product catalog, shared by every tenant.

Products are immutable once loaded; what varies per tenant is stock, which
:class:`sandbox.domain.stock.StockLedger` derives from the catalog's figures.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.domain.generate import generated_product, offer_product
from sandbox.domain.product import Product
from sandbox.errors import BadRequest, ProductNotFound

#: Distinct 1688 offers a sandbox imports before a reset (an offer id each in memory).
MAX_IMPORTS = 100_000


class TooManyImports(BadRequest):
    """400: the sandbox holds as many imports as it keeps; a reset makes room."""

    default_message = (
        f"This sandbox holds {MAX_IMPORTS} imported 1688 products, its limit: "
        "POST /__sandbox/reset makes room"
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

    The fixture's products stay the validated documents they were loaded as, and both they
    and the generated range are built into :class:`Product` on first read (memoised, bounded).
    So lookups cost the same whatever the catalog's size, and a 100,000-product fixture holds
    its documents once rather than documents and products side by side. A 1688 import is
    kept as its offer id alone, its product rebuilt from it (it is a pure function of the offer
    id) in the same bounded memo: memory grows by an id per import, at most :data:`MAX_IMPORTS`.
    """

    __slots__ = ("_build", "_listed", "generated", "offers")

    def __init__(
        self,
        listed: Mapping[int, Mapping[str, Any]] | None = None,
        generated: GeneratedRange | None = None,
    ) -> None:
        self._listed: Mapping[int, Mapping[str, Any]] = listed or {}
        self.generated = generated
        #: Imported 1688 offers: product id to offer id, in import order.
        self.offers: dict[int, str] = {}
        self._build = functools.lru_cache(maxsize=4096)(self._product)

    def _product(self, product_id: int) -> Product:
        offer = self.offers.get(product_id)
        if offer is not None:
            return offer_product(offer)
        document = self._listed.get(product_id)
        if document is not None:
            return Product.from_dict(document)
        assert self.generated is not None
        return generated_product(product_id, self.generated.seed)

    def get(self, product_id: int) -> Product:
        if product_id in self:
            return self._build(product_id)
        raise ProductNotFound()

    def add_offer(self, offer_id: str) -> Product:
        """Import a 1688 offer (again: the same product); :class:`TooManyImports` past
        :data:`MAX_IMPORTS` distinct offers."""
        product_id = int(offer_id)
        if product_id not in self.offers:
            if len(self.offers) >= MAX_IMPORTS:
                raise TooManyImports()
            self.offers[product_id] = offer_id
        return self._build(product_id)

    def forget_offers(self) -> None:
        """Drop every import (a whole reset)."""
        self.offers.clear()
        self._build.cache_clear()

    def __contains__(self, product_id: object) -> bool:
        return (
            product_id in self.offers
            or product_id in self._listed
            or (self.generated is not None and product_id in self.generated)
        )

    def __len__(self) -> int:
        generated = self.generated.count if self.generated else 0
        return len(self.offers) + len(self._listed) + generated
