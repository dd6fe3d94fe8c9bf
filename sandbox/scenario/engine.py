"""The scenario engine: which scenarios are known and active where, and what a request gets.

Scenarios are active sandbox-wide (activated without a key: every tenant, minted ones too) or
on one tenant. For each API request the engine answers two questions, both pure over the
request and the activations' counters:

* :meth:`ScenarioEngine.key_effects`: is the key refused (401), which scopes does it keep,
  which rate limit applies;
* :meth:`ScenarioEngine.outcome`: does a rule answer it (status and body), delay it, or break
  its transport.

Each activation has its own counters and seeded random generators (one per rule), so the same
scenario, seed and request sequence always give the same answers. Progressions and state
settings act on tenants through the store.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.domain.access import RateLimit
from sandbox.errors import NotFound
from sandbox.scenario.matching import Request, matches, sample_latency
from sandbox.scenario.model import Fault, KeyEffects, Respond, Rule, Scenario
from sandbox.scenario.progress import Step, Track, order_step, shipping_step


class UnknownScenario(NotFound):
    """404: no scenario by that name."""

    default_message = "Scenario not found"


class Activation:
    """One scenario active in one place, with its rules' counters and generators."""

    __slots__ = ("fired", "rngs", "scenario", "seen")

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        count = len(scenario.rules)
        self.seen = [0] * count
        self.fired = [0] * count
        self.rngs = [random.Random(f"{scenario.seed}:{i}") for i in range(count)]

    def gate(self, index: int, rule: Rule) -> bool:
        """Count one match of rule ``index``; whether the rule acts on it."""
        self.seen[index] += 1
        if self.seen[index] <= rule.after:
            return False
        if rule.times is not None and self.fired[index] >= rule.times:
            return False
        if rule.probability is not None and self.rngs[index].random() >= rule.probability:
            return False
        self.fired[index] += 1
        return True


@dataclass(slots=True)
class KeyOutcome:
    """What the active scenarios do to one key on one request."""

    invalid_by: str | None = None
    rate_limit: RateLimit | None = None
    rate_by: str | None = None


@dataclass(slots=True)
class Outcome:
    """What the rules do to one request: answer it, delay it, break its transport."""

    respond: Respond | None = None
    status: int = 0
    fault: Fault | None = None
    answered_by: str | None = None
    delay: float = 0.0  # seconds
    delayed_by: str | None = None

    @property
    def scenario(self) -> str | None:
        return self.answered_by or self.delayed_by

    @property
    def drops_response(self) -> bool:
        """Whether no response at all reaches the client (reset, close)."""
        return self.fault is not None and self.fault.type in ("reset", "close")


class TenantScenarios:
    """A tenant's own scenarios: posted ones, active ones, per-request runs, progressions."""

    __slots__ = ("active", "known", "single", "tracks")

    def __init__(self) -> None:
        self.known: dict[str, Scenario] = {}
        self.active: dict[str, Activation] = {}
        self.single: dict[str, Activation] = {}  # runs of X-Sandbox-Scenario requests
        self.tracks: dict[str, Track] = {}


class ScenarioEngine:
    """Known and active scenarios, sandbox-wide and per tenant."""

    def __init__(self, store: Any, bundled: dict[str, Scenario] | None = None) -> None:
        self.store = store
        self.bundled: dict[str, Scenario] = dict(bundled or {})
        self.known: dict[str, Scenario] = dict(self.bundled)
        self.active: dict[str, Activation] = {}
        self.tenants: dict[int, TenantScenarios] = {}
        self.startup: tuple[Scenario, ...] = ()
        self.live = False  # anything active anywhere: the API's hot path checks only this
        self.steps: dict[str, Step] = {}
        #: Called with a tenant's user id whenever a progression step changed its state (a
        #: read of an order, a tick of its clock), or None: how the backend learns that a
        #: request it did not expect to write did (write-through persistence).
        self.on_change: Callable[[int], None] | None = None

    # -- registry and activation ---------------------------------------------------------

    def start_with(self, scenarios: Iterable[Scenario]) -> None:
        """Scenarios active sandbox-wide from startup, and again after every whole reset."""
        self.startup = tuple(scenarios)
        for scenario in self.startup:
            self.known[scenario.name] = scenario
            self.activate(scenario.name)

    def runtime(self, user_id: int) -> TenantScenarios:
        found = self.tenants.get(user_id)
        if found is None:
            found = self.tenants[user_id] = TenantScenarios()
        return found

    def lookup(self, name: str, user_id: int | None = None) -> Scenario:
        if user_id is not None:
            own = self.tenants.get(user_id)
            if own is not None and name in own.known:
                return own.known[name]
        if name in self.known:
            return self.known[name]
        raise UnknownScenario(f"Scenario not found: {name}")

    def catalogue(self, user_id: int | None = None) -> dict[str, Scenario]:
        """Every scenario known to ``user_id`` (or sandbox-wide), by name."""
        found = dict(self.known)
        if user_id is not None and user_id in self.tenants:
            found.update(self.tenants[user_id].known)
        return found

    def active_names(self, user_id: int | None = None) -> list[str]:
        names = list(self.active)
        if user_id is not None and user_id in self.tenants:
            names += [n for n in self.tenants[user_id].active if n not in self.active]
        return names

    def register(self, scenario: Scenario, user_id: int | None = None) -> None:
        """Make ``scenario`` known (replacing one of the same name) and activate it afresh."""
        if user_id is None:
            self.known[scenario.name] = scenario
            self.active.pop(scenario.name, None)
        else:
            own = self.runtime(user_id)
            own.known[scenario.name] = scenario
            own.active.pop(scenario.name, None)
            own.single.pop(scenario.name, None)
        self.activate(scenario.name, user_id)

    def activate(self, name: str, user_id: int | None = None) -> bool:
        """Activate ``name`` sandbox-wide or on one tenant; False when it already was."""
        scenario = self.lookup(name, user_id)
        place = self.active if user_id is None else self.runtime(user_id).active
        if name in place:
            return False
        place[name] = Activation(scenario)
        self.live = True
        for tenant in self._tenants(user_id):
            if scenario.sets_state:
                apply_state(scenario, tenant)
            self.sync(tenant)
        return True

    def deactivate(self, name: str, user_id: int | None = None) -> bool:
        """Deactivate ``name``; False when it was not active there. State it set stays."""
        self.lookup(name, user_id)
        place = self.active if user_id is None else self.runtime(user_id).active
        if place.pop(name, None) is None:
            return False
        self._refresh_live()
        for tenant in self._tenants(user_id):
            self.sync(tenant)
        return True

    def reset(self) -> None:
        """Back to startup: only bundled and startup scenarios known, startup ones active."""
        self.known = dict(self.bundled)
        self.active.clear()
        self.tenants.clear()
        self.live = False
        self.start_with(self.startup)

    def reset_tenant(self, user_id: int) -> None:
        self.forget_tenant(user_id)
        self.tenant_built(user_id)

    def forget_tenant(self, user_id: int) -> None:
        """Drop everything kept about one tenant (its scenarios, runs and progressions)."""
        self.tenants.pop(user_id, None)
        self._refresh_live()

    def tenant_built(self, user_id: int) -> None:
        """A tenant was (re)built (mint, tenant reset): sandbox-wide state settings apply."""
        tenant = self.store.tenant(user_id)
        for activation in self.active.values():
            if activation.scenario.sets_state:
                apply_state(activation.scenario, tenant)
        self.sync(tenant)

    def _refresh_live(self) -> None:
        self.live = bool(self.active) or any(t.active for t in self.tenants.values())

    def _tenants(self, user_id: int | None) -> list[Any]:
        return list(self.store.each(user_id))

    def activations(self, user_id: int) -> Iterator[Activation]:
        own = self.tenants.get(user_id)
        if own is not None:
            yield from own.active.values()
        yield from self.active.values()

    def single_run(self, name: str, user_id: int) -> Activation:
        """The per-request run of ``name`` for ``X-Sandbox-Scenario`` (its counters persist
        across such requests of the tenant; it is not active otherwise)."""
        own = self.runtime(user_id)
        run = own.single.get(name)
        if run is None:
            run = own.single[name] = Activation(self.lookup(name, user_id))
        return run

    # -- per request ---------------------------------------------------------------------

    def key_effects(self, user_id: int, key: str, extra: Activation | None = None) -> KeyOutcome:
        """Whether the active scenarios refuse ``key`` and which rate limit they give it."""
        outcome = KeyOutcome()
        runs = [extra] if extra is not None else []
        for activation in [*runs, *self.activations(user_id)]:
            effects: KeyEffects | None = activation.scenario.key
            if effects is None or not effects.applies_to(key):
                continue
            name = activation.scenario.name
            if effects.invalid and outcome.invalid_by is None:
                outcome.invalid_by = name
            if effects.rate_limit is not None and outcome.rate_limit is None:
                outcome.rate_limit, outcome.rate_by = effects.rate_limit, name
        return outcome

    def scopes(self, user_id: int, key: str, scopes: tuple[str, ...],
               extra: Activation | None = None) -> tuple[tuple[str, ...], str | None]:  # fmt: skip
        """``scopes`` less every scope the active scenarios remove from ``key``, and the
        scenario that removed the first."""
        by = None
        runs = [extra] if extra is not None else []
        for activation in [*runs, *self.activations(user_id)]:
            effects = activation.scenario.key
            if effects is not None and effects.remove_scopes and effects.applies_to(key):
                kept = effects.scopes(scopes)
                if kept != scopes and by is None:
                    by = activation.scenario.name
                scopes = kept
        return scopes, by

    def outcome(self, user_id: int, key: str, request: Request,
                extra: Activation | None = None) -> Outcome | None:  # fmt: skip
        """What the rules of the active scenarios (``extra`` first) do to ``request``."""
        result: Outcome | None = None
        runs = [extra] if extra is not None else []
        for activation in [*runs, *self.activations(user_id)]:
            for index, rule in enumerate(activation.scenario.rules):
                answers = rule.respond is not None or rule.fault is not None
                wants_answer = answers and (result is None or result.answered_by is None)
                wants_delay = rule.latency is not None and (
                    result is None or result.delayed_by is None
                )
                if not (wants_answer or wants_delay):
                    continue
                if not matches(rule.match, request, key) or not activation.gate(index, rule):
                    continue
                result = result or Outcome()
                name = activation.scenario.name
                rng = activation.rngs[index]
                if wants_answer:
                    result.answered_by = name
                    result.respond, result.fault = rule.respond, rule.fault
                    if rule.respond is not None:
                        statuses = rule.respond.statuses
                        result.status = statuses[0] if len(statuses) == 1 else rng.choice(statuses)
                if wants_delay and rule.latency is not None:
                    result.delayed_by = name
                    result.delay = sample_latency(rule.latency, rng) / 1000.0
        return result

    # -- progressions --------------------------------------------------------------------

    def _progressions(self, user_id: int) -> tuple[dict[str, Any], str | None]:
        chosen: dict[str, Any] = {}
        inspection = None
        for activation in reversed(list(self.activations(user_id))):
            scenario = activation.scenario
            if scenario.orders is not None and scenario.orders.inspection and not inspection:
                inspection = scenario.orders.inspection
            for kind in ("orders", "shipping"):
                progression = getattr(scenario, kind)
                if progression is not None and progression.model and kind not in chosen:
                    chosen[kind] = progression
        return chosen, inspection

    def inspection(self, user_id: int) -> str | None:
        """The inspection result active scenarios choose for this tenant's orders, if any."""
        return self._progressions(user_id)[1]

    def sync(self, tenant: Any) -> None:
        """Start or stop progressions after a change of activations, then fire what is due."""
        chosen, _ = self._progressions(tenant.user_id)
        own = self.tenants.get(tenant.user_id)
        if own is None and not chosen:
            return
        own = own or self.runtime(tenant.user_id)
        now = tenant.clock.timestamp()
        for kind in ("orders", "shipping"):
            progression = chosen.get(kind)
            track = own.tracks.get(kind)
            if progression is None:
                own.tracks.pop(kind, None)
            elif track is None or track.progression is not progression:
                own.tracks[kind] = Track(kind, progression, now, self._step(kind))
        self.tick(tenant)

    def _step(self, kind: str) -> Step:
        if kind in self.steps:
            return self.steps[kind]
        return order_step(self.store.catalog) if kind == "orders" else shipping_step

    def tick(self, tenant: Any) -> None:
        """Fire every progression step due on the tenant's clock."""
        own = self.tenants.get(tenant.user_id)
        if own is None or not own.tracks:
            return
        inspection = self.inspection(tenant.user_id)
        now = tenant.clock.timestamp()
        for track in list(own.tracks.values()):
            moved = track.moved
            track.fire(tenant, now, inspection)
            if track.moved != moved:
                self._changed(tenant)

    def read(self, tenant: Any, kind: str, number: str) -> None:
        """A read of one order (manual progressions count them)."""
        own = self.tenants.get(tenant.user_id)
        track = own.tracks.get(kind) if own is not None else None
        if track is not None:
            moved = track.moved
            track.read(tenant, number, self.inspection(tenant.user_id))
            if track.moved != moved:
                self._changed(tenant)

    def _changed(self, tenant: Any) -> None:
        if self.on_change is not None:
            self.on_change(tenant.user_id)

    def advance_clock(self, tenant: Any, until: datetime) -> None:
        """Move the tenant's clock to ``until``, stopping at each progression step due on
        the way, so that every step happens (and is timestamped) at its own moment."""
        self.tick(tenant)
        own = self.tenants.get(tenant.user_id)
        target = until.timestamp()
        while own is not None and own.tracks:
            due = self._next_due(tenant, own)
            if due > target:
                break
            if due > tenant.clock.timestamp():
                tenant.clock.set(datetime.fromtimestamp(due, UTC))
            self.tick(tenant)
            if self._next_due(tenant, own) <= due:
                break  # nothing moved (the domain refused a step): do not spin
        tenant.clock.set(until)
        self.tick(tenant)

    @staticmethod
    def _next_due(tenant: Any, own: TenantScenarios) -> float:
        dues = [d for t in own.tracks.values() if (d := t.next_due(tenant)) is not None]
        return min(dues, default=math.inf)


def apply_state(scenario: Scenario, tenant: Any) -> None:
    """Set the wallet and stock a scenario names, recorded as ordinary changes."""
    description = f"Scenario {scenario.name}"
    wallet = tenant.wallet
    if scenario.wallet_available is not None:
        wallet.set_available(scenario.wallet_available, tenant.now(), description)
    if scenario.wallet_balance is not None:
        delta = scenario.wallet_balance - wallet.balance
        if delta:
            wallet.move("adjustment", delta, tenant.now(), description=description)
    if scenario.stock is not None:
        if scenario.stock.all_zero:
            tenant.stock.zero_all()
        for product_id, sku_id, stock in scenario.stock.skus:
            tenant.stock.pin(product_id, sku_id, stock)
