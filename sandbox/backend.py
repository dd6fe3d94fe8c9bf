"""The backend: the one owner of the sandbox's mutable state, and the verbs over it.

As moto's backends are for AWS, a :class:`Backend` holds everything that changes while the
sandbox runs: the :class:`~sandbox.store.Store` (keys, tenants, catalog), the rate limiter's
windows, the request journal, the scenario engine's activations, the request-id sequence and
the rendering cache. Each whole-state operation is one method that does all of its steps, so
no caller has to remember "and then also clear X"::

    backend.reset()                  # everything back to the fixtures
    backend.reset_tenant(user_id)    # one tenant: state, clock, windows, journal, scenarios
    backend.mint(scopes, balance)    # a new tenant, with the sandbox-wide scenarios applied
    backend.retire(key)              # a minted tenant gone, with all that was kept about it
    backend.restore(state)           # a whole state (checked first), progressions resynced
    backend.advance_clock(user_id, seconds)   # firing every step and window due on the way
    backend.activate(name, user_id)  # with the scenario's state effects and fresh windows

The HTTP layer (API and control plane alike) calls these; nothing else writes into the pieces.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.clock import EARLIEST, LATEST, in_range, isoformat
from sandbox.domain.access import ApiKey
from sandbox.domain.lifecycle import advance_order, advance_shipping
from sandbox.domain.orders import Order
from sandbox.domain.shipping import ShippingOrder
from sandbox.domain.tenant import Tenant
from sandbox.durable import DurableState, is_database
from sandbox.errors import BadRequest, ValidationFailed
from sandbox.fixtures import load_fixture
from sandbox.identity import IdentityCache
from sandbox.journal import (
    JOURNAL_SIZE,
    JOURNAL_TOTAL,
    Entry,
    Journal,
    RequestIds,
    print_request,
)
from sandbox.persistence import check_state, user_problems
from sandbox.ratelimit import RateLimiter
from sandbox.replies import ReplyCache
from sandbox.scenario.engine import ScenarioEngine
from sandbox.scenario.lint import Route
from sandbox.scenario.loader import bundled_scenarios, resolve
from sandbox.scenario.model import Scenario
from sandbox.schemas import problems
from sandbox.settings import Settings
from sandbox.store import BuiltState, Store, UnknownKey

if TYPE_CHECKING:
    from sandbox.http.responses import Encoded


class Backend:
    """Everything the sandbox keeps, and every operation on it as a whole."""

    def __init__(
        self,
        store: Store,
        *,
        scenarios: Mapping[str, Scenario] | None = None,
        startup: Iterable[Scenario] = (),
        journal_size: int = JOURNAL_SIZE,
        journal_total: int = JOURNAL_TOTAL,
        tenant_ttl: float | None = None,
    ) -> None:
        self.store = store
        self.tenant_ttl = tenant_ttl
        self.log_requests = False
        #: The write-through database of ``--state-file NAME.db``, or None.
        self.durable: DurableState | None = None
        #: With one, the tenants whose state changed since they were last committed there
        #: other than by an API write (a progression stepped on a read or a tick).
        self.unsaved: set[int] = set()
        self.limiter = RateLimiter(store.fixture.rate_limit)
        self.journal = Journal(journal_size, journal_total)
        self.scenarios = ScenarioEngine(store, dict(scenarios or {}))
        self.request_ids = RequestIds()
        #: Encoded product views, for tenants whose stock does not touch the product.
        self.rendered: IdentityCache[Any, Any] = IdentityCache()
        #: Encoded answers of the cached ``GET`` operations, by tenant generation.
        self.replies: ReplyCache[Encoded] = ReplyCache()
        self.scenarios.start_with(startup)

    @classmethod
    def from_settings(
        cls, settings: Settings, store: Store | None = None, routes: Iterable[Route] | None = None
    ) -> Backend:
        """The backend of ``settings``: its fixture (unless ``store`` is given), the bundled
        scenarios, and the ``--scenario`` ones active from the start (their rules checked
        against the API's ``routes``, when given)."""
        if store is None:
            store = Store(load_fixture(settings.fixtures), seed=settings.seed)
        bundled = bundled_scenarios()
        startup = [resolve(spec, bundled, routes) for spec in settings.scenarios]
        backend = cls(
            store, scenarios=bundled, startup=startup, journal_size=settings.journal_size,
            journal_total=settings.journal_total, tenant_ttl=settings.tenant_ttl,
        )  # fmt: skip
        backend.log_requests = settings.log_requests
        if settings.state_file is not None and is_database(settings.state_file):
            backend.persist_to(DurableState(settings.state_file))  # its listener too
        if backend.log_requests:
            backend.journal.listener = backend.recorded
        return backend

    # -- persistence ------------------------------------------------------------------

    def persist_to(self, durable: DurableState) -> None:
        """Write the state through to ``durable`` from now on (every tenant at once when it
        is new): each API request that changed a tenant, and each verb, is committed there
        before its reply."""
        self.durable = durable
        self.scenarios.on_change = self.unsaved.add
        self.journal.listener = self.recorded
        if durable.empty():  # a first start: every tenant, once
            self.committed(None)

    def recorded(self, user_id: int | None, entry: Entry) -> None:
        """Each API request, as the journal records it (before its reply is sent): printed
        with ``--log-requests``; with write-through persistence, its tenant committed when
        the request changed it. An API write answered below 400 did; any request, whatever
        its method or status, did when a progression stepped during it (a manual one on a
        read of the order, a timed one on the tick of its clock). A read that changed
        nothing writes nothing."""
        if self.log_requests:
            print_request(user_id, entry)
        if self.durable is None or user_id is None:
            return
        if user_id in self.unsaved or (
            entry.method not in ("GET", "HEAD", "OPTIONS")
            and entry.status is not None
            and entry.status < 400
        ):
            self.unsaved.discard(user_id)
            self.durable.write(self.store, [user_id])

    def committed(self, user_id: int | None) -> None:
        """A whole-state verb changed one tenant (or, with None, any): with write-through
        persistence, commit it before the reply."""
        self.replies.changed(user_id)
        if self.durable is not None:
            if user_id is None:
                self.unsaved.clear()
            else:
                self.unsaved.discard(user_id)
            self.durable.write(self.store, None if user_id is None else [user_id])

    # -- keys and tenants -------------------------------------------------------------

    def authenticate(self, key: str | None) -> ApiKey:
        """The key of an API request (401 when missing or unknown)."""
        return self.store.authenticate(key)

    def key(self, key: str) -> ApiKey:
        """The key a control request names (404 when unknown)."""
        found = self.store.keys.get(key)
        if found is None:
            raise UnknownKey()
        self.store.seen[found.user_id] = time.monotonic()
        return found

    def tenant(self, user_id: int) -> Tenant:
        return self.store.tenants[user_id]

    def tenants(self, user_id: int | None = None) -> Iterator[Tenant]:
        """The tenant of ``user_id``, or every tenant when it is None."""
        return self.store.each(user_id)

    @property
    def default_user_id(self) -> int:
        """The fixture's first user: whom a sandbox-wide read or order advance speaks of."""
        return int(next(iter(self.store.fixture.users)))

    def mint(
        self,
        scopes: tuple[str, ...] | None = None,
        balance: Decimal | None = None,
        story: bool = True,
    ) -> ApiKey:
        """A new isolated tenant (a copy of the story unless ``story`` is false); sandbox-wide
        scenarios apply to it. With a tenant TTL, the idle minted tenants go first."""
        if self.tenant_ttl is not None:
            self.expire_idle(self.tenant_ttl)
        key = self.store.mint(scopes, balance, story)
        self.scenarios.tenant_built(key.user_id)
        self.committed(key.user_id)
        return key

    def retire(self, key: str) -> ApiKey:
        """Drop a minted tenant: its keys stop working, and its state, clock, windows,
        scenarios and journal go (409 for the fixture's own keys, 404 for an unknown one)."""
        keys = self.store.keys_of(self.key(key).user_id)
        retired = self.store.retire(key)
        for each in keys:
            self.limiter.forget(each.key)
        self.journal.clear(retired.user_id)
        self.scenarios.forget_tenant(retired.user_id)
        self.committed(retired.user_id)  # its row goes
        self.replies.retired(retired.user_id)
        return retired

    def expire_idle(self, seconds: float) -> list[ApiKey]:
        """Retire every minted tenant whose keys went unused for ``seconds`` (``--tenant-ttl``:
        checked whenever a tenant is minted, so a shared sandbox stays as large as its use)."""
        expired = self.store.idle(seconds)
        for key in expired:
            self.retire(key.key)
        return expired

    # -- whole-state operations -------------------------------------------------------

    def reset(self) -> None:
        """State, clocks, scenarios, windows and journal back to the fixtures; minted tenants
        and 1688 imports go."""
        self.store.reset()
        self.limiter.forget()
        self.journal.clear(everyone=True)
        self.rendered.clear()
        self.scenarios.reset()
        self.committed(None)

    def reset_tenant(self, user_id: int) -> None:
        """One tenant back to its story: state, clock, windows, journal and scenarios."""
        self.store.reset_tenant(user_id)
        for key in self.store.keys_of(user_id):
            self.limiter.forget(key.key)
        self.journal.clear(user_id)
        self.scenarios.reset_tenant(user_id)
        self.committed(user_id)

    def export(self, user_id: int | None = None) -> dict[str, Any]:
        """The whole state (``GET /__sandbox/state``), or one tenant's ``users[]`` entry."""
        if user_id is not None:
            return self.store.tenant(user_id).to_state()
        return self.store.export()

    def restore(self, state: Any) -> None:
        """Replace the whole state with a checked document; progressions resume on it."""
        self.install(self.prepare_restore(state))

    def prepare_restore(self, state: Any) -> BuiltState:
        """Check ``state`` and build its objects, changing nothing: the slow half of
        :meth:`restore`, which a worker thread may run while the sandbox serves (a 400 for
        a document that does not check)."""
        return self.store.build(check_state(state))

    def install(self, built: BuiltState) -> None:
        """The state :meth:`prepare_restore` built, in place of the current one."""
        self.store.install(built)
        for tenant in self.store.each():
            self.scenarios.sync(tenant)
        self.committed(None)

    def restore_tenant(self, user_id: int, document: Any) -> None:
        """Replace one tenant's state with a checked ``users[]`` entry of the same id."""
        self.install_tenant(user_id, self.prepare_tenant(user_id, document))

    def prepare_tenant(self, user_id: int, document: Any) -> Tenant:
        """Check one tenant's ``users[]`` entry and build it, changing nothing."""
        found = problems(document, "fixture", "user") or user_problems(document)
        if found:
            raise BadRequest(found)
        if document["id"] != user_id:
            raise BadRequest([f"id: must be {user_id}, the id of the key's user"])
        return self.store.build_tenant(user_id, document)

    def install_tenant(self, user_id: int, tenant: Tenant) -> None:
        """The tenant :meth:`prepare_tenant` built, in place of the current one."""
        self.store.put_tenant(user_id, tenant)
        self.scenarios.sync(tenant)
        self.committed(user_id)

    # -- clocks -----------------------------------------------------------------------

    def advance_clock(self, user_id: int | None, seconds: float) -> None:
        """Move clocks forward, firing every progression step due on the way at its moment
        (rate-limit windows are read from the clock, so those due end too)."""
        tenants = list(self.store.each(user_id))
        if any(t.clock.now() + timedelta(seconds=seconds) > LATEST for t in tenants):
            raise ValidationFailed([f"seconds would move a clock past {isoformat(LATEST)}"])
        for tenant in tenants:
            self.scenarios.advance_clock(tenant, tenant.clock.now() + timedelta(seconds=seconds))
        self.committed(user_id)

    def set_clock(
        self, user_id: int | None, now: datetime | None = None, frozen: bool | None = None
    ) -> None:
        """Set clocks (forward: as :meth:`advance_clock` does) and freeze or thaw them."""
        if now is not None and not in_range(now):
            raise ValidationFailed(
                [f"now must be between {isoformat(EARLIEST)} and {isoformat(LATEST)}"]
            )
        for tenant in self.store.each(user_id):
            if now is not None:
                if now > tenant.clock.now():
                    self.scenarios.advance_clock(tenant, now)
                else:
                    tenant.clock.set(now)
            if frozen is not None:
                tenant.clock.set(frozen=frozen)
        self.committed(user_id)

    # -- scenarios --------------------------------------------------------------------

    def activate(self, name: str, user_id: int | None = None) -> bool:
        """Activate a known scenario (sandbox-wide, or on one tenant), applying its state
        effects; False when it already was active there."""
        changed = self.scenarios.activate(name, user_id)
        if changed:
            self._fresh_windows(self.scenarios.lookup(name, user_id), user_id)
            self.committed(user_id)  # its state effects, its progressions' first steps
        return changed

    def deactivate(self, name: str, user_id: int | None = None) -> bool:
        """Deactivate a scenario; the state it set stays until a reset."""
        scenario = self.scenarios.lookup(name, user_id)
        changed = self.scenarios.deactivate(name, user_id)
        if changed:
            self._fresh_windows(scenario, user_id)
        return changed

    def register(self, scenario: Scenario, user_id: int | None = None) -> None:
        """Make a posted scenario known (replacing one of its name) and activate it afresh."""
        previous = self.scenarios.catalogue(user_id).get(scenario.name)
        if previous is not None:
            self._fresh_windows(previous, user_id)
        self.scenarios.register(scenario, user_id)
        self._fresh_windows(scenario, user_id)
        self.committed(user_id)

    def _fresh_windows(self, scenario: Scenario, user_id: int | None) -> None:
        """A scenario that changes a rate limit starts the keys it names on fresh windows."""
        if scenario.key is None or scenario.key.rate_limit is None:
            return
        for key in list(self.store.keys.values()):
            if (user_id is None or key.user_id == user_id) and scenario.key.applies_to(key.key):
                self.limiter.forget(key.key)

    # -- lifecycles and the wallet ----------------------------------------------------

    def advance_order(
        self, user_id: int, order_no: str, to: str | None = None, inspection: str | None = None
    ) -> Order:
        """Move a purchase order forward with every side effect (an explicit QC result wins,
        else the one an active scenario such as ``qc-failed`` chooses)."""
        tenant = self.store.tenant(user_id)
        result = inspection or self.scenarios.inspection(user_id)
        order = advance_order(tenant, self.store.catalog, order_no, to, inspection=result)
        self.committed(user_id)
        return order

    def advance_shipping(self, user_id: int, order_no: str, to: str | None = None) -> ShippingOrder:
        order = advance_shipping(self.store.tenant(user_id), order_no, to)
        self.committed(user_id)
        return order

    def topup(self, user_id: int | None, amount: Decimal) -> list[Tenant]:
        """Credit one tenant's wallet (or every tenant's) with a ``topup`` transaction."""
        tenants = list(self.store.each(user_id))
        for tenant in tenants:
            tenant.wallet.move("topup", amount, tenant.now(), description="Sandbox top-up")
        self.committed(user_id)
        return tenants
