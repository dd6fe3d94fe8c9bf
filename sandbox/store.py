"""The store: the one owner of all state.

It holds the shared catalog (the fixture's products, the generated range and 1688 imports),
the API keys, and one :class:`~sandbox.domain.tenant.Tenant` per user. Everything can be
reset to the fixture (whole, or one tenant), exported and restored. Tenants are built from
the fixture's plain dicts, so a reset or a mint is a handful of object constructions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sandbox.domain.catalog import Catalog, Product
from sandbox.domain.tenant import Tenant
from sandbox.errors import BadRequest, Unauthorized
from sandbox.fixtures import Fixture
from sandbox.money import money
from sandbox.schemas import problems

ALL_SCOPES: tuple[str, ...] = (
    "products:read", "cart:read", "cart:write", "orders:read", "orders:write",
    "logistics:read", "shipping:read", "shipping:write", "warehouse:read", "profile:read",
    "profile:write", "wallet:read", "favorites:read", "favorites:write", "coupons:read",
    "coupons:write",
)  # fmt: skip


class InvalidState(BadRequest):
    """400: a state document that does not match the state schema or contradicts itself."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)


def state_problems(state: Any) -> list[str]:
    """Every reason ``state`` cannot be restored, as ``field: reason``; empty when it can."""
    found = problems(state, "state")
    if found:
        return found
    users = {u["id"] for u in state["users"]}
    found += [
        f"keys[{i}].userId: user {k['userId']} is not in users"
        for i, k in enumerate(state["keys"])
        if k["userId"] not in users
    ]
    found += [
        f"mints[{i}].userId: user {m['userId']} is not in users"
        for i, m in enumerate(state.get("mints", []))
        if m["userId"] not in users
    ]
    if len(users) != len(state["users"]):
        found.append("users: two users have the same id")
    return found


@dataclass(frozen=True, slots=True)
class ApiKey:
    key: str
    user_id: int
    scopes: tuple[str, ...]
    minted: bool = False


@dataclass(frozen=True, slots=True)
class Mint:
    """How a minted tenant was made, so that resetting it makes it again the same way."""

    balance: Decimal | None = None


class Store:
    def __init__(self, fixture: Fixture, *, seed: int | None = None) -> None:
        if seed is not None and fixture.generated is not None:
            fixture = replace(fixture, generated=replace(fixture.generated, seed=seed))
        self.fixture = fixture
        self.catalog: Catalog = fixture.catalog()
        self.keys: dict[str, ApiKey] = {}
        self.tenants: dict[int, Tenant] = {}
        self.mints: dict[int, Mint] = {}
        self.imported: dict[int, Product] = {}
        self.reset()

    # -- keys and tenants -------------------------------------------------------------

    def authenticate(self, key: str | None) -> ApiKey:
        found = self.keys.get(key) if key else None
        if found is None:
            raise Unauthorized()
        return found

    def tenant(self, user_id: int) -> Tenant:
        return self.tenants[user_id]

    def mint(self, scopes: tuple[str, ...] | None = None, balance: Decimal | None = None) -> ApiKey:
        """A new user holding a copy of the fixture's template story, and a key for it."""
        user_id = max(self.tenants) + 1
        self.mints[user_id] = Mint(money(balance) if balance is not None else None)
        self.tenants[user_id] = self._build_tenant(user_id)
        key = ApiKey(
            key=f"sk-sandbox-{user_id}-{secrets.token_hex(8)}",
            user_id=user_id,
            scopes=tuple(scopes) if scopes is not None else ALL_SCOPES,
            minted=True,
        )
        self.keys[key.key] = key
        return key

    # -- reset, export, restore -------------------------------------------------------

    def reset(self) -> None:
        """Everything back to the fixture: minted tenants and their keys, and imports, go."""
        for product_id in self.imported:
            self.catalog.discard(product_id)
        self.imported.clear()
        self.mints.clear()
        self.keys = {
            spec.key: ApiKey(spec.key, spec.user_id, spec.scopes) for spec in self.fixture.keys
        }
        self.tenants = {user_id: self._build_tenant(user_id) for user_id in self.fixture.users}

    def reset_tenant(self, user_id: int) -> Tenant:
        self.tenants[user_id] = tenant = self._build_tenant(user_id)
        return tenant

    def _build_tenant(self, user_id: int) -> Tenant:
        fixture = self.fixture
        mint = self.mints.get(user_id)
        story = fixture.users[fixture.mint_from if mint is not None else user_id]
        tenant = Tenant.from_state(
            story, user_id=user_id, start=fixture.start, frozen=fixture.frozen
        )
        if mint is not None and mint.balance is not None:
            wallet = tenant.wallet
            delta = mint.balance - wallet.balance
            if delta:
                wallet.move("adjustment", delta, tenant.now(), description="Balance set at mint")
        return tenant

    def add_import(self, product: Product) -> None:
        self.imported[product.id] = product
        self.catalog.add(product)

    def export(self) -> dict[str, Any]:
        """The whole mutable state, as JSON-ready data (the format of ``/__sandbox/state``)."""
        return {
            "version": 1,
            "keys": [
                {"key": k.key, "userId": k.user_id, "scopes": list(k.scopes), "minted": k.minted}
                for k in self.keys.values()
            ],
            "mints": [
                {"userId": uid, "balance": None if m.balance is None else str(m.balance)}
                for uid, m in self.mints.items()
            ],
            "imports": [str(product.platform_item_id) for product in self.imported.values()],
            "users": [tenant.to_state() for tenant in self.tenants.values()],
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Replace the whole state with ``state`` as :meth:`export` gave it.

        Raises :class:`InvalidState` (naming the field and the reason) and leaves the current
        state untouched when ``state`` is not such a document.
        """
        from sandbox.domain.imports import offer_product

        found = state_problems(state)
        if found:
            raise InvalidState(found)

        tenants = {
            int(u["id"]): Tenant.from_state(
                u, user_id=int(u["id"]), start=self.fixture.start, frozen=self.fixture.frozen
            )
            for u in state["users"]
        }
        keys = {
            k["key"]: ApiKey(k["key"], int(k["userId"]), tuple(k["scopes"]), bool(k.get("minted")))
            for k in state["keys"]
        }
        imports = [offer_product(offer) for offer in state.get("imports", [])]
        self.reset()
        self.tenants, self.keys = tenants, keys
        self.mints = {
            int(m["userId"]): Mint(None if m["balance"] is None else money(m["balance"]))
            for m in state.get("mints", [])
        }
        for product in imports:
            self.add_import(product)
