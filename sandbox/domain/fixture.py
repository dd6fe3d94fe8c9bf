"""The fixture as a value: what every tenant is built from, and what a reset returns to.

:mod:`sandbox.fixtures` reads and checks fixture files and builds a :class:`Fixture`; the store
builds tenants from it and never changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.domain.access import ApiKey, RateLimit
from sandbox.domain.catalog import Catalog, GeneratedRange
from sandbox.domain.freight import Logistics


@dataclass(frozen=True)
class Fixture:
    """A loaded, validated fixture. Read-only: stores build tenants from it, never change it."""

    source: str
    start: datetime
    frozen: bool
    rate_limit: RateLimit
    keys: tuple[ApiKey, ...]
    users: dict[int, dict[str, Any]]
    mint_from: int
    products: dict[int, dict[str, Any]]  # product documents by id, built on first read
    generated: GeneratedRange | None
    refused_offers: frozenset[str] = frozenset()
    logistics: Logistics = field(default_factory=lambda: Logistics([], []))

    def catalog(self) -> Catalog:
        return Catalog(self.products, self.generated)
