"""Values computed once per object, by the object's identity: for objects that are not
hashable (a schema's dict) or whose equality would cost more than the value (a product)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")


class IdentityCache(Generic[T, V]):
    """Values computed once per object, keyed by its identity and bounded (cleared whole when
    full). An entry holds its object, so the key cannot be reused while the entry lives."""

    __slots__ = ("entries", "size")

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: dict[int, tuple[T, V]] = {}

    def get(self, subject: T, compute: Callable[[T], V]) -> V:
        hit = self.entries.get(id(subject))
        if hit is None or hit[0] is not subject:
            if len(self.entries) >= self.size:
                self.entries.clear()
            hit = self.entries[id(subject)] = (subject, compute(subject))
        return hit[1]

    def clear(self) -> None:
        self.entries.clear()
