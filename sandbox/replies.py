"""Replies encoded once per state: the ``GET`` answers a tenant reads again unchanged.

A client polling ``GET /orders`` or ``GET /orders/:no`` asks the same question of the same
state many times; rendering the page, encoding it and hashing its ``ETag`` each time is work
done once. :class:`ReplyCache` keeps the encoded answer of each ``cached`` operation
(``Operation.cached``) per tenant, by path parameters and raw query
string, tagged with the tenant's *generation*: a count the backend bumps whenever the tenant
may have changed (any API request but a ``GET``, ``HEAD`` or ``OPTIONS``, answered or refused;
every whole-state verb of the control plane, ``None`` for all tenants). An answer of an older
generation is never served. While any scenario is active, requests take the scripted path,
which neither reads nor fills the cache (a progression may step on any request then); since
activating and deactivating are whole-state verbs, what a scenario changed is never hidden by
an answer cached before or after it. Only answers that depend on nothing but the
tenant's own state are cached (not those that read the clock, such as ``storageDays`` or a
coupon's expiry, nor those that read the shared catalog); only successes are; and the
pipeline's other steps (authentication, rate limit, scope, the journal) run on every request.

Memory is bounded by ``budget`` bytes of bodies: past it, the least recently used answers go.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, Protocol, TypeVar


class Encoded(Protocol):
    """What the cache keeps: an encoded body (and whatever goes with it, its ``ETag``)."""

    @property
    def body(self) -> bytes: ...


E = TypeVar("E", bound=Encoded)


#: Bytes of encoded bodies the cache keeps in all (then the least recently used go first).
REPLY_BUDGET = 16 * 2**20

#: What an entry costs beyond its body (keys, tuples, the ETag), for the budget's sake.
_OVERHEAD = 256


class ReplyCache(Generic[E]):
    """Encoded replies by tenant and request, valid while the tenant's generation holds."""

    __slots__ = ("budget", "entries", "generations", "size")

    def __init__(self, budget: int = REPLY_BUDGET) -> None:
        self.budget = budget
        self.entries: OrderedDict[tuple[int, Hashable], tuple[int, E]] = OrderedDict()
        self.generations: dict[int, int] = {}
        self.size = 0  # bytes held, bodies and overhead

    def changed(self, user_id: int | None) -> None:
        """Tenant ``user_id`` (None: every tenant) may have changed: forget its answers."""
        if user_id is None:
            self.entries.clear()
            self.generations.clear()
            self.size = 0
        else:
            self.generations[user_id] = self.generations.get(user_id, 0) + 1

    def retired(self, user_id: int) -> None:
        """Tenant ``user_id`` is gone for good: its generation need not be kept (its answers
        are never asked for again, and go as the least recently used)."""
        self.generations.pop(user_id, None)

    def get(self, user_id: int, request: Hashable) -> E | None:
        found = self.entries.get((user_id, request))
        if found is None or found[0] != self.generations.get(user_id, 0):
            return None
        self.entries.move_to_end((user_id, request))
        return found[1]

    def put(self, user_id: int, request: Hashable, encoded: E) -> None:
        cost = len(encoded.body) + _OVERHEAD
        if cost > self.budget:
            return
        key = (user_id, request)
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.size -= len(previous[1].body) + _OVERHEAD
        self.entries[key] = (self.generations.get(user_id, 0), encoded)
        self.size += cost
        while self.size > self.budget:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.size -= len(dropped.body) + _OVERHEAD

    def __len__(self) -> int:
        return len(self.entries)
