from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sandbox.domain.account import (
    Address,
    AddressBook,
    AddressNotFound,
    AlreadyFavorite,
    FavoriteNotFound,
    Favorites,
)
from sandbox.domain.catalog import Catalog
from sandbox.domain.coupons import Coupon, CouponNotApplicable, CouponNotFound, Coupons
from sandbox.domain.fixture import Fixture

NOW = datetime(2024, 1, 23, 12, tzinfo=UTC)
FIELDS = {"name": "A", "phone": "1", "country": "US", "city": "C", "address": "S", "zipCode": "Z"}


def book() -> AddressBook:
    return AddressBook([Address(10, "J", "1", "US", "CA", "LA", "1 Main", "90001", True)])


def defaults(addresses: AddressBook) -> list[int]:
    return [a.id for a in addresses.addresses.values() if a.is_default]


def test_the_first_address_becomes_the_default() -> None:
    empty = AddressBook([])
    assert empty.add(FIELDS).is_default


def test_one_default_at_a_time() -> None:
    addresses = book()
    addresses.add({**FIELDS, "isDefault": True})
    assert defaults(addresses) == [11]
    addresses.update(10, {"isDefault": True})
    assert defaults(addresses) == [10]
    addresses.update(10, {"isDefault": False})
    assert defaults(addresses) == [10]  # the only default cannot be unset


def test_deleting_the_default_promotes_the_oldest_remaining() -> None:
    addresses = book()
    addresses.add(FIELDS)
    addresses.add(FIELDS)
    addresses.remove(10)
    assert defaults(addresses) == [11]
    with pytest.raises(AddressNotFound):
        addresses.remove(10)


def test_favorites_hold_a_product_once(fixture: Fixture) -> None:
    catalog: Catalog = fixture.catalog()
    favorites = Favorites([])
    first = favorites.add(12345, catalog, NOW)
    with pytest.raises(AlreadyFavorite):
        favorites.add(12345, catalog, NOW)
    favorites.remove(first.id)
    with pytest.raises(FavoriteNotFound):
        favorites.remove(first.id)


def coupon(**changes: object) -> Coupon:
    values: dict = {
        "id": 1, "name": "C", "type": "percentage", "value": Decimal(10),
        "min_order_amount": Decimal("200.00"), "expires_at": NOW + timedelta(days=30),
        "claimed_at": NOW,
    }  # fmt: skip
    values.update(changes)
    return Coupon(**values)


def test_percentage_and_fixed_discounts() -> None:
    assert coupon().discount(Decimal("598.00")) == Decimal("59.80")
    assert coupon(type="fixed", value=Decimal(50)).discount(Decimal("598.00")) == Decimal("50.00")
    assert coupon(type="fixed", value=Decimal(500)).discount(Decimal("300.00")) == Decimal("300.00")


@pytest.mark.parametrize(
    ("changes", "total", "reason"),
    [
        ({"claimed_at": None}, "598.00", "has not been claimed"),
        ({"used_at": NOW}, "598.00", "has already been used"),
        ({"expires_at": NOW}, "598.00", "has expired"),
        ({}, "199.99", "requires a minimum order amount of 200.00"),
    ],
)
def test_a_coupon_applies_only_when_claimed_unused_unexpired_and_reached(
    changes: dict, total: str, reason: str
) -> None:
    with pytest.raises(CouponNotApplicable, match=reason):
        coupon(**changes).check_applicable(Decimal(total), NOW)
    coupon().check_applicable(Decimal("200.00"), NOW)


def test_claiming_once() -> None:
    coupons = Coupons([coupon(claimed_at=None)])
    assert coupons.available(NOW) == [coupons.get(1)]
    coupons.claim(1, NOW)
    assert coupons.available(NOW) == [] and coupons.mine() == [coupons.get(1)]
    with pytest.raises(CouponNotApplicable, match="already been claimed"):
        coupons.claim(1, NOW)
    with pytest.raises(CouponNotFound):
        coupons.claim(2, NOW)
