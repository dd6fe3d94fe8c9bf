"""A tenant: everything that belongs to one user, and its own clock.

The state format (``to_state`` / ``from_state``) is the fixture's ``users[]`` entry, so the
fixture file, a tenant reset, a minted tenant, ``GET /__sandbox/state`` and the state file all
speak one format, checked by one JSON Schema. ``from_state`` never mutates or keeps its input,
so resetting a tenant is just building a new one from the fixture's dict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.clock import Clock, isoformat, parse_iso
from sandbox.domain.account import Address, AddressBook, Favorite, Favorites, Profile
from sandbox.domain.cart import Cart
from sandbox.domain.coupons import Coupon, Coupons
from sandbox.domain.orders import Order
from sandbox.domain.shipping import ShippingOrder
from sandbox.domain.stock import StockLedger
from sandbox.domain.wallet import Wallet
from sandbox.domain.warehouse import Warehouse


class Tenant:
    """One user's state. The store hands a request the tenant of its key, and nothing else."""

    __slots__ = (
        "addresses",
        "cart",
        "clock",
        "coupons",
        "favorites",
        "numbers",
        "orders",
        "profile",
        "shipping",
        "stock",
        "user_id",
        "wallet",
        "warehouse",
    )

    def __init__(
        self,
        user_id: int,
        clock: Clock,
        profile: Profile,
        wallet: Wallet,
        cart: Cart,
        addresses: AddressBook,
        favorites: Favorites,
        coupons: Coupons,
        stock: StockLedger,
        orders: list[Order] | None = None,
        warehouse: Warehouse | None = None,
        shipping: list[ShippingOrder] | None = None,
    ) -> None:
        self.user_id = user_id
        self.clock = clock
        self.profile = profile
        self.wallet = wallet
        self.cart = cart
        self.addresses = addresses
        self.favorites = favorites
        self.coupons = coupons
        self.stock = stock
        # Purchase and shipping orders by number, in creation order (the order lists show
        # them so); their lifecycles live in sandbox.domain.lifecycle.
        self.orders: dict[str, Order] = {o.order_no: o for o in orders or []}
        self.warehouse = warehouse or Warehouse()
        self.shipping: dict[str, ShippingOrder] = {o.order_no: o for o in shipping or []}
        #: The last order and shipping number of each day, derived from the orders as needed.
        self.numbers: dict[str, int] = {}

    def now(self) -> datetime:
        return self.clock.now()

    @classmethod
    def from_state(
        cls, state: dict[str, Any], *, user_id: int, start: datetime, frozen: bool
    ) -> Tenant:
        clock_state = state.get("clock")
        clock = Clock(
            parse_iso(clock_state["now"]) if clock_state else start,
            frozen=clock_state["frozen"] if clock_state else frozen,
        )
        next_ids = state.get("nextIds", {})
        return cls(
            user_id=user_id,
            clock=clock,
            profile=Profile.from_state(state["profile"], user_id),
            wallet=Wallet.from_state(state["wallet"]),
            cart=Cart.from_state(state.get("cart", []), next_ids.get("cart")),
            addresses=AddressBook(
                [Address.from_state(a) for a in state.get("addresses", [])],
                next_ids.get("address"),
            ),
            favorites=Favorites(
                [Favorite.from_state(f) for f in state.get("favorites", [])],
                next_ids.get("favorite"),
            ),
            coupons=Coupons([Coupon.from_state(c) for c in state.get("coupons", [])]),
            stock=StockLedger.from_state(state.get("stock")),
            orders=[Order.from_state(o) for o in state.get("orders", [])],
            warehouse=Warehouse.from_state(state.get("packages", []), next_ids.get("package")),
            shipping=[ShippingOrder.from_state(o) for o in state.get("shippingOrders", [])],
        )

    def to_state(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "clock": {"now": isoformat(self.clock.now()), "frozen": self.clock.frozen},
            "profile": self.profile.to_state(),
            "wallet": self.wallet.to_state(),
            "cart": self.cart.to_state(),
            "addresses": self.addresses.to_state(),
            "favorites": self.favorites.to_state(),
            "coupons": self.coupons.to_state(),
            "stock": self.stock.to_state(),
            "nextIds": {
                "cart": self.cart.next_id,
                "address": self.addresses.next_id,
                "favorite": self.favorites.next_id,
                "package": self.warehouse.next_id,
            },
            "orders": [o.to_state() for o in self.orders.values()],
            "packages": self.warehouse.to_state(),
            "shippingOrders": [o.to_state() for o in self.shipping.values()],
        }
