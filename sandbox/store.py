"""The store: keys, tenants and the shared catalog.

It holds the shared catalog (the fixture's products, the generated range and 1688 imports),
the API keys, and one :class:`~sandbox.domain.tenant.Tenant` per user. It can be reset to the
fixture (whole, or one tenant), export its state and restore a checked one. Tenants are built
from the fixture's plain dicts, so a reset or a mint is a handful of object constructions.

The store is one of the pieces :class:`sandbox.backend.Backend` owns; callers go through the
backend, whose verbs also reset what the other pieces keep about a tenant.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sandbox.domain.access import SCOPES, ApiKey
from sandbox.domain.catalog import Catalog
from sandbox.domain.fixture import Fixture
from sandbox.domain.tenant import Tenant
from sandbox.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from sandbox.money import money


@dataclass(frozen=True, slots=True)
class Mint:
    """How a minted tenant was made, so that resetting it makes it again the same way."""

    balance: Decimal | None = None
    story: bool = True


class BalanceBelowStory(ValidationFailed):
    """400: a minted story tenant's balance must cover the story's frozen funds."""

    def __init__(self, minimum: Decimal) -> None:
        super().__init__([f"balance must not be less than {minimum}, the story's frozen funds"])


class UnknownKey(NotFound):
    """404: a control request names a key the sandbox does not know."""

    default_message = "Unknown API key"


class NotRetirable(Conflict):
    """409: the fixture's own keys cannot be retired."""

    default_message = "A fixture key cannot be retired"


class Store:
    def __init__(self, fixture: Fixture, *, seed: int | None = None) -> None:
        if seed is not None and fixture.generated is not None:
            fixture = replace(fixture, generated=replace(fixture.generated, seed=seed))
        self.fixture = fixture
        self.catalog: Catalog = fixture.catalog()
        self.keys: dict[str, ApiKey] = {}
        self.tenants: dict[int, Tenant] = {}
        self.mints: dict[int, Mint] = {}
        self.next_user_id = 0
        #: When each tenant's key was last used (monotonic seconds): idle tenants can expire.
        self.seen: dict[int, float] = {}
        self.reset()

    # -- keys and tenants -------------------------------------------------------------

    def authenticate(self, key: str | None) -> ApiKey:
        found = self.keys.get(key) if key else None
        if found is None:
            raise Unauthorized()
        self.seen[found.user_id] = time.monotonic()
        return found

    def tenant(self, user_id: int) -> Tenant:
        return self.tenants[user_id]

    def each(self, user_id: int | None = None) -> Iterator[Tenant]:
        """One tenant (``user_id``), or every tenant when it is None."""
        if user_id is None:
            yield from list(self.tenants.values())
        else:
            yield self.tenants[user_id]

    def keys_of(self, user_id: int) -> list[ApiKey]:
        return [key for key in self.keys.values() if key.user_id == user_id]

    def idle(self, seconds: float) -> list[ApiKey]:
        """One minted key of each minted tenant whose keys went unused for ``seconds``."""
        limit = time.monotonic() - seconds
        found: dict[int, ApiKey] = {}
        for key in self.keys.values():
            if key.minted and self.seen.get(key.user_id, limit) < limit:
                found.setdefault(key.user_id, key)
        return list(found.values())

    def mint(
        self,
        scopes: tuple[str, ...] | None = None,
        balance: Decimal | None = None,
        story: bool = True,
    ) -> ApiKey:
        """A new user and a key for it: with ``story``, a copy of the fixture's template story
        (``balance`` then sets the wallet's balance, and must cover the story's frozen funds,
        else :class:`BalanceBelowStory`); without, the story's profile and addresses and
        nothing else: no cart, orders, packages, favorites or claimed coupons, and ``balance``
        (default 0.00) in the wallet."""
        if story and balance is not None:
            frozen = money(self.fixture.users[self.fixture.mint_from]["wallet"]["frozenBalance"])
            if balance < frozen:
                raise BalanceBelowStory(frozen)
        user_id = self.next_user_id
        self.next_user_id += 1
        self.mints[user_id] = Mint(money(balance) if balance is not None else None, story)
        self.seen[user_id] = time.monotonic()
        self.tenants[user_id] = self._build_tenant(user_id)
        key = ApiKey(
            key=f"sk-sandbox-{user_id}-{secrets.token_hex(8)}",
            user_id=user_id,
            scopes=tuple(scopes) if scopes is not None else SCOPES,
            minted=True,
        )
        self.keys[key.key] = key
        return key

    def retire(self, key: str) -> ApiKey:
        """Drop a minted key's tenant: its keys, state and mint record. A fixture key is a
        409 (the story's users stay), an unknown key a 404."""
        found = self.keys.get(key)
        if found is None:
            raise UnknownKey()
        if not found.minted:
            raise NotRetirable(f"{key} is a fixture key and cannot be retired")
        for other in self.keys_of(found.user_id):
            del self.keys[other.key]
        self.tenants.pop(found.user_id, None)
        self.mints.pop(found.user_id, None)
        self.seen.pop(found.user_id, None)
        return found

    # -- reset, export, restore -------------------------------------------------------

    def reset(self) -> None:
        """Everything back to the fixture: minted tenants and their keys, and imports, go."""
        self.catalog.forget_offers()
        self.mints.clear()
        self.keys = {key.key: key for key in self.fixture.keys}
        self.tenants = {user_id: self._build_tenant(user_id) for user_id in self.fixture.users}
        self.next_user_id = max(self.tenants) + 1
        self.seen = {}

    def reset_tenant(self, user_id: int) -> Tenant:
        self.tenants[user_id] = tenant = self._build_tenant(user_id)
        return tenant

    def _build_tenant(self, user_id: int) -> Tenant:
        fixture = self.fixture
        mint = self.mints.get(user_id)
        story = fixture.users[fixture.mint_from if mint is not None else user_id]
        if mint is not None and not mint.story:
            story = _storyless(story)
        tenant = Tenant.from_state(
            story, user_id=user_id, start=fixture.start, frozen=fixture.frozen
        )
        if mint is not None and mint.balance is not None:
            wallet = tenant.wallet
            delta = mint.balance - wallet.balance
            if delta:
                wallet.move("adjustment", delta, tenant.now(), description="Balance set at mint")
        return tenant

    def build_tenant(self, user_id: int, state: dict[str, Any]) -> Tenant:
        """A tenant of a checked ``users[]`` entry, built without touching this store."""
        fixture = self.fixture
        return Tenant.from_state(state, user_id=user_id, start=fixture.start,
                                 frozen=fixture.frozen)  # fmt: skip

    def put_tenant(self, user_id: int, tenant: Tenant) -> None:
        """Replace one tenant with ``tenant``, built from a checked ``users[]`` entry
        (``PUT /__sandbox/state`` with a key: see ``Backend.prepare_tenant``)."""
        self.tenants[user_id] = tenant

    def export(self) -> dict[str, Any]:
        """The whole mutable state, as JSON-ready data (the format of ``/__sandbox/state``)."""
        return {
            "version": 1,
            "keys": [
                {"key": k.key, "userId": k.user_id, "scopes": list(k.scopes), "minted": k.minted}
                for k in self.keys.values()
            ],
            "mints": [
                {
                    "userId": uid,
                    "balance": None if m.balance is None else str(m.balance),
                    "story": m.story,
                }
                for uid, m in self.mints.items()
            ],
            "imports": list(self.catalog.offers.values()),
            "users": [tenant.to_state() for tenant in self.tenants.values()],
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Replace the whole state with ``state`` as :meth:`export` gave it, once checked
        (:func:`sandbox.persistence.state_problems`). Everything is built before anything is
        replaced, so a document the domain cannot read leaves the current state as it was.
        """
        self.install(self.build(state))

    def build(self, state: dict[str, Any]) -> BuiltState:
        """The objects of a checked ``state``, built without touching this store (so that a
        worker thread may build them while the store serves)."""
        return BuiltState(
            tenants={int(u["id"]): self.build_tenant(int(u["id"]), u) for u in state["users"]},
            keys={
                k["key"]: ApiKey(
                    k["key"], int(k["userId"]), tuple(k["scopes"]), bool(k.get("minted"))
                )
                for k in state["keys"]
            },
            mints={
                int(m["userId"]): Mint(
                    None if m["balance"] is None else money(m["balance"]), m.get("story", True)
                )
                for m in state.get("mints", [])
            },
            imports=[str(int(offer)) for offer in state.get("imports", [])],
        )

    def install(self, built: BuiltState) -> None:
        """Replace the whole state with one :meth:`build` made."""
        self.reset()
        self.tenants, self.keys = built.tenants, built.keys
        self.next_user_id = max(built.tenants, default=0) + 1
        self.mints = built.mints
        for offer in built.imports:
            self.catalog.add_offer(offer)


@dataclass(frozen=True, slots=True)
class BuiltState:
    """A checked state document, built into the objects the store holds."""

    tenants: dict[int, Tenant]
    keys: dict[str, ApiKey]
    mints: dict[int, Mint]
    imports: list[str]


def _storyless(story: dict[str, Any]) -> dict[str, Any]:
    """The template user without its story: profile and addresses, every coupon unclaimed,
    an empty wallet (the mint's balance is then set as an adjustment)."""
    return {
        "id": story["id"],
        "profile": story["profile"],
        "wallet": {"balance": 0, "frozenBalance": 0, "transactions": []},
        "addresses": story.get("addresses", []),
        "coupons": [
            {**coupon, "claimedAt": None, "usedAt": None, "usedBy": None}
            for coupon in story.get("coupons", [])
        ],
    }
