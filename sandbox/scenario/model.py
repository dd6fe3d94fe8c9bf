"""Scenarios as data: what a scenario document says, compiled once into frozen objects.

A scenario bundles four kinds of behaviour, each optional:

* ``rules``: answer matching API requests with a status and body, add latency or break the
  transport, after the first N matches, for M times, or with a seeded probability;
* ``key``: key effects (invalidate the key, remove scopes, override its rate limit);
* ``orders`` / ``shipping``: order and shipping-order progressions (moto's models);
* ``wallet`` / ``stock``: state set once, when the scenario is activated.

The document format is ``sandbox/schemas/scenario.schema.json``; :func:`build_scenario`
turns a checked document into a :class:`Scenario`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.domain.access import RateLimit
from sandbox.money import money

FAULTS = ("reset", "close", "truncate", "malformed", "dribble")


def _strings(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset([value] if isinstance(value, str) else value)


def compile_path(pattern: str) -> re.Pattern[str]:
    """``/orders/{orderNo}`` and ``/orders/*`` match one segment, ``/orders/**`` any rest."""
    parts = []
    for segment in pattern.rstrip("/").split("/")[1:] if pattern != "/" else []:
        if segment == "**":
            parts.append("(?:/.*)?")
        elif segment == "*" or (segment.startswith("{") and segment.endswith("}")):
            parts.append("/[^/]+")
        else:
            parts.append("/" + re.escape(segment))
    return re.compile("".join(parts) or "/")


@dataclass(frozen=True, slots=True)
class Match:
    """Which requests a rule looks at; every condition given must hold."""

    methods: frozenset[str] | None = None
    path: re.Pattern[str] | None = None
    keys: frozenset[str] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    body: tuple[tuple[tuple[str, ...], Any], ...] = ()

    @classmethod
    def build(cls, data: dict[str, Any]) -> Match:
        methods = _strings(data.get("method"))
        return cls(
            methods=frozenset(m.upper() for m in methods) if methods else None,
            path=compile_path(data["path"]) if "path" in data else None,
            keys=_strings(data.get("key")),
            headers=tuple((k.lower(), v) for k, v in data.get("headers", {}).items()),
            query=tuple(data.get("query", {}).items()),
            body=tuple((tuple(k.split(".")), v) for k, v in data.get("body", {}).items()),
        )


@dataclass(frozen=True, slots=True)
class Respond:
    """A scripted answer: one status (or a seeded choice among several), an optional body
    (default: the reference's error shape for the status) and extra headers."""

    statuses: tuple[int, ...]
    body: Any = None
    has_body: bool = False
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Latency:
    """Added latency in milliseconds: fixed (``low`` only), uniform (``low``..``high``) or
    lognormal around ``median`` with ``sigma``, capped at ``cap``."""

    low: float = 0.0
    high: float | None = None
    median: float | None = None
    sigma: float = 0.0
    cap: float = 0.0

    @classmethod
    def build(cls, data: Any) -> Latency:
        if isinstance(data, int | float):
            return cls(low=float(data))
        if "median" in data:
            return cls(median=float(data["median"]), sigma=float(data["sigma"]),
                       cap=float(data["cap"]))  # fmt: skip
        low, high = sorted((float(data["min"]), float(data["max"])))
        return cls(low=low, high=high)


@dataclass(frozen=True, slots=True)
class Fault:
    """A broken transport: ``reset``, ``close`` (no response), ``truncate`` (the connection
    ends mid-body), ``malformed`` (a complete response whose body is not JSON) or
    ``dribble`` (the body sent ``chunk_size`` bytes every ``interval_ms``)."""

    type: str
    chunk_size: int = 16
    interval_ms: float = 100.0

    @classmethod
    def build(cls, data: Any) -> Fault:
        if isinstance(data, str):
            return cls(data)
        return cls(data["type"], data.get("chunkSize", 16), float(data.get("intervalMs", 100)))


@dataclass(frozen=True, slots=True)
class Rule:
    match: Match
    after: int = 0
    times: int | None = None
    probability: float | None = None
    respond: Respond | None = None
    latency: Latency | None = None
    fault: Fault | None = None

    @classmethod
    def build(cls, data: dict[str, Any]) -> Rule:
        respond = None
        if "respond" in data:
            spec = data["respond"]
            status = spec["status"]
            respond = Respond(
                statuses=tuple(status) if isinstance(status, list) else (status,),
                body=spec.get("body"),
                has_body="body" in spec,
                headers=tuple(spec.get("headers", {}).items()),
            )
        return cls(
            match=Match.build(data.get("match", {})),
            after=data.get("after", 0),
            times=data.get("times"),
            probability=data.get("probability"),
            respond=respond,
            latency=Latency.build(data["latency"]) if "latency" in data else None,
            fault=Fault.build(data["fault"]) if "fault" in data else None,
        )


@dataclass(frozen=True, slots=True)
class KeyEffects:
    """What a scenario does to keys: all of the tenant's keys, or those in ``keys``."""

    keys: frozenset[str] | None = None
    invalid: bool = False
    remove_scopes: tuple[str, ...] = ()
    rate_limit: RateLimit | None = None

    def applies_to(self, key: str) -> bool:
        return self.keys is None or key in self.keys

    def scopes(self, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """``scopes`` less the removed ones (``fnmatch`` patterns such as ``*:write``)."""
        if not self.remove_scopes:
            return scopes
        return tuple(
            s for s in scopes if not any(fnmatch.fnmatchcase(s, p) for p in self.remove_scopes)
        )

    @classmethod
    def build(cls, data: dict[str, Any]) -> KeyEffects:
        rate = data.get("rateLimit")
        return cls(
            keys=_strings(data.get("match")),
            invalid=bool(data.get("invalid", False)),
            remove_scopes=tuple(data.get("removeScopes", ())),
            rate_limit=RateLimit(rate["limit"], rate["windowSeconds"]) if rate else None,
        )


@dataclass(frozen=True, slots=True)
class Progression:
    """A moto-style transition model for purchase or shipping orders.

    ``immediate``: straight to ``to``; ``manual``: one step after every ``times`` reads of
    the order; ``time``: one step after every ``seconds`` of the tenant's sandbox clock.
    Without a model, only ``inspection`` is set (the result recorded at ``in_warehouse``).
    """

    model: str | None = None
    times: int = 1
    seconds: float = 3600.0
    to: str | None = None
    only: frozenset[str] | None = None
    inspection: str | None = None

    @classmethod
    def build(cls, data: dict[str, Any]) -> Progression:
        return cls(
            model=data.get("progression"),
            times=data.get("times", 1),
            seconds=float(data.get("seconds", 3600)),
            to=data.get("to"),
            only=frozenset(data["only"]) if "only" in data else None,
            inspection=data.get("inspection"),
        )


@dataclass(frozen=True, slots=True)
class StockSetting:
    all_zero: bool = False
    skus: tuple[tuple[int, str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    """A compiled scenario document."""

    name: str
    description: str = ""
    source: str = "<inline>"
    seed: int = 0
    rules: tuple[Rule, ...] = ()
    key: KeyEffects | None = None
    orders: Progression | None = None
    shipping: Progression | None = None
    wallet_available: Decimal | None = None
    wallet_balance: Decimal | None = None
    stock: StockSetting | None = None
    document: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sets_state(self) -> bool:
        return self.stock is not None or (
            self.wallet_available is not None or self.wallet_balance is not None
        )


def build_scenario(document: dict[str, Any], *, source: str = "<inline>") -> Scenario:
    """A :class:`Scenario` from a document that already passed the JSON Schema."""
    wallet = document.get("wallet", {})
    stock = document.get("stock")
    return Scenario(
        name=document["name"],
        description=document.get("description", ""),
        source=source,
        seed=document.get("seed", 0),
        rules=tuple(Rule.build(r) for r in document.get("rules", ())),
        key=KeyEffects.build(document["key"]) if "key" in document else None,
        orders=Progression.build(document["orders"]) if "orders" in document else None,
        shipping=Progression.build(document["shipping"]) if "shipping" in document else None,
        wallet_available=money(wallet["available"]) if "available" in wallet else None,
        wallet_balance=money(wallet["balance"]) if "balance" in wallet else None,
        stock=StockSetting(
            all_zero="all" in stock,
            skus=tuple((s["productId"], s["skuId"], s["stock"]) for s in stock.get("skus", ())),
        )
        if stock is not None
        else None,
        document=document,
    )
