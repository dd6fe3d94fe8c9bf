"""The user's profile, address book and favorites."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sandbox.clock import isoformat, parse_iso
from sandbox.domain.catalog import Catalog
from sandbox.errors import Conflict, NotFound


class AddressNotFound(NotFound):
    """404: no address with that id for this user."""

    default_message = "Address not found"


class FavoriteNotFound(NotFound):
    """404: no favorite with that id for this user."""

    default_message = "Favorite not found"


class AlreadyFavorite(Conflict):
    """409: the product is already among the user's favorites."""

    default_message = "Product already in favorites"


@dataclass(slots=True)
class Profile:
    id: int
    username: str
    email: str
    avatar: str
    language: str
    created_at: datetime

    def update(self, changes: dict[str, Any]) -> None:
        for name in ("username", "email", "avatar", "language"):
            if name in changes:
                setattr(self, name, changes[name])

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "avatar": self.avatar,
            "language": self.language,
            "createdAt": isoformat(self.created_at),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any], user_id: int) -> Profile:
        return cls(
            id=user_id,
            username=data["username"],
            email=data["email"],
            avatar=data.get("avatar", ""),
            language=data.get("language", "en"),
            created_at=parse_iso(data["createdAt"]),
        )


@dataclass(slots=True)
class Address:
    id: int
    name: str
    phone: str
    country: str
    state: str
    city: str
    address: str
    zip_code: str
    is_default: bool = False

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "phone": self.phone,
            "country": self.country,
            "state": self.state,
            "city": self.city,
            "address": self.address,
            "zipCode": self.zip_code,
            "isDefault": self.is_default,
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Address:
        return cls(
            id=int(data["id"]),
            name=data["name"],
            phone=data["phone"],
            country=data["country"],
            state=data.get("state", ""),
            city=data["city"],
            address=data["address"],
            zip_code=data["zipCode"],
            is_default=bool(data.get("isDefault", False)),
        )


_ADDRESS_FIELDS = {f.name for f in fields(Address)} - {"id"}


class AddressBook:
    """Saved addresses. Exactly one is the default while any exist: the first one added
    becomes it, making another the default clears the flag elsewhere, and deleting the
    default promotes the oldest remaining address."""

    __slots__ = ("addresses", "next_id")

    def __init__(self, addresses: list[Address], next_id: int | None = None) -> None:
        self.addresses: dict[int, Address] = {a.id: a for a in addresses}
        self.next_id = max(next_id or 1, max(self.addresses, default=0) + 1)

    def get(self, address_id: int) -> Address:
        try:
            return self.addresses[address_id]
        except KeyError:
            raise AddressNotFound() from None

    def add(self, values: dict[str, Any]) -> Address:
        address = Address(id=self.next_id, **{"state": "", **_address_values(values)})
        self.next_id += 1
        self.addresses[address.id] = address
        if address.is_default or len(self.addresses) == 1:
            self._make_default(address)
        return address

    def update(self, address_id: int, values: dict[str, Any]) -> Address:
        address = self.get(address_id)
        for name, value in _address_values(values).items():
            setattr(address, name, value)
        if address.is_default:
            self._make_default(address)
        elif not any(a.is_default for a in self.addresses.values()):
            address.is_default = True  # unsetting the only default is not possible
        return address

    def remove(self, address_id: int) -> None:
        address = self.get(address_id)
        del self.addresses[address_id]
        if address.is_default and self.addresses:
            self._make_default(self.addresses[min(self.addresses)])

    def _make_default(self, chosen: Address) -> None:
        for address in self.addresses.values():
            address.is_default = address is chosen

    def to_state(self) -> list[dict[str, Any]]:
        return [a.to_state() for a in self.addresses.values()]


def _address_values(values: dict[str, Any]) -> dict[str, Any]:
    renamed = {
        "zip_code" if k == "zipCode" else "is_default" if k == "isDefault" else k: v
        for k, v in values.items()
    }
    return {k: v for k, v in renamed.items() if k in _ADDRESS_FIELDS}


@dataclass(slots=True)
class Favorite:
    id: int
    product_id: int
    added_at: datetime

    def to_state(self) -> dict[str, Any]:
        return {"id": self.id, "productId": self.product_id, "addedAt": isoformat(self.added_at)}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Favorite:
        return cls(int(data["id"]), int(data["productId"]), parse_iso(data["addedAt"]))


class Favorites:
    """Favorite products, each at most once."""

    __slots__ = ("items", "next_id")

    def __init__(self, items: list[Favorite], next_id: int | None = None) -> None:
        self.items: dict[int, Favorite] = {f.id: f for f in items}
        self.next_id = max(next_id or 1, max(self.items, default=0) + 1)

    def add(self, product_id: int, catalog: Catalog, now: datetime) -> Favorite:
        catalog.get(product_id)
        if any(f.product_id == product_id for f in self.items.values()):
            raise AlreadyFavorite()
        favorite = Favorite(self.next_id, product_id, now)
        self.next_id += 1
        self.items[favorite.id] = favorite
        return favorite

    def remove(self, favorite_id: int) -> None:
        if self.items.pop(favorite_id, None) is None:
            raise FavoriteNotFound()

    def to_state(self) -> list[dict[str, Any]]:
        return [f.to_state() for f in self.items.values()]
