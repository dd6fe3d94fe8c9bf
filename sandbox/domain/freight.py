"""Destination countries, shipping channels and their tariffs.

The reference data (countries, channels) is fixture data shared by every tenant. A channel
prices a first weight band and each further *started* band (EMS Express: 80.00 for the first
500 g, 35.00 for each further 500 g or part of it), and serves only its countries, cargo types
and weight range. The charge weight is the larger of the actual and the volumetric weight,
where volumetric grams = length x width x height (cm) / 5000 x 1000.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sandbox.errors import BadRequest, NotFound
from sandbox.money import money

#: cm³ per kg of volumetric weight (the courier industry's usual divisor, which the
#: reference's 30 x 20 x 15 cm -> 1800 g example confirms).
VOLUMETRIC_DIVISOR = 5000
CARGO_TYPES = ("general", "sensitive", "battery", "liquid")
#: Warehouse packages carry no cargo type of their own: they ship as general cargo.
DEFAULT_CARGO = "general"


class ChannelNotFound(NotFound):
    """404: no shipping channel with that id."""

    default_message = "Logistics channel not found"


class ChannelRefused(BadRequest):
    """400: the channel does not serve this country, weight or cargo type."""

    default_message = "Logistics channel not available"


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Channel:
    """One shipping channel with its coverage and its tariff."""

    channel_id: str
    name: str
    carrier: str
    delivery_days: str
    supported_cargo: tuple[str, ...]
    min_weight: int
    max_weight: int
    countries: frozenset[str]
    first_weight: int
    first_price: Decimal
    additional_weight: int
    additional_price: Decimal

    def price(self, charge_weight: int) -> Decimal:
        """The first band, plus every further band started. Both prices are money (two
        decimals), and so is their exact sum: no rounding is needed."""
        bands = -(-max(0, charge_weight - self.first_weight) // self.additional_weight)
        return self.first_price + bands * self.additional_price

    def refusal(self, country: str | None, weight: int | None, cargo: str | None) -> str | None:
        """Why the channel cannot carry this shipment, or None when it can (None: any)."""
        if country is not None and country not in self.countries:
            return f"Channel {self.channel_id} does not serve country {country}"
        if cargo is not None and cargo not in self.supported_cargo:
            return f"Channel {self.channel_id} does not accept {cargo} cargo"
        if weight is not None and not self.min_weight <= weight <= self.max_weight:
            return (
                f"Channel {self.channel_id} accepts weights from {self.min_weight} g "
                f"to {self.max_weight} g, got {weight} g"
            )
        return None

    def require(self, country: str, weight: int, cargo: str | None) -> None:
        reason = self.refusal(country, weight, cargo)
        if reason is not None:
            raise ChannelRefused(reason)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Channel:
        tariff = data["tariff"]
        return cls(
            channel_id=data["channelId"],
            name=data["name"],
            carrier=data["carrier"],
            delivery_days=data["deliveryDays"],
            supported_cargo=tuple(data["supportedCargo"]),
            min_weight=int(data["weightRange"]["min"]),
            max_weight=int(data["weightRange"]["max"]),
            countries=frozenset(data["countries"]),
            first_weight=int(tariff["firstWeight"]),
            first_price=money(tariff["firstPrice"]),
            additional_weight=int(tariff["additionalWeight"]),
            additional_price=money(tariff["additionalPrice"]),
        )


class Quote(NamedTuple):
    """What one channel charges for one shipment."""

    channel: Channel
    actual_weight: int
    volumetric_weight: int
    charge_weight: int
    total_price: Decimal


def volumetric_weight(length: float | None, width: float | None, height: float | None) -> int:
    """Volumetric grams, rounded up to the gram; 0 unless all three dimensions are given.
    Exact: whole centimetres in integers, any other size in decimals (as it was written)."""
    if length is None or width is None or height is None:
        return 0
    if type(length) is int and type(width) is int and type(height) is int:
        return -(-length * width * height * 1000 // VOLUMETRIC_DIVISOR)
    grams = Decimal(str(length)) * Decimal(str(width)) * Decimal(str(height))
    return math.ceil(grams * 1000 / VOLUMETRIC_DIVISOR)


Dimensions = tuple[float | None, float | None, float | None]


def quote(channel: Channel, weight: int, dimensions: Dimensions) -> Quote:
    (found,) = quotes([channel], weight, dimensions)
    return found


def quotes(channels: Iterable[Channel], weight: int, dimensions: Dimensions) -> list[Quote]:
    """What each of ``channels`` charges for one shipment (its weights computed once)."""
    volumetric = volumetric_weight(*dimensions)
    charge = max(weight, volumetric)
    return [Quote(c, weight, volumetric, charge, c.price(charge)) for c in channels]


class Logistics:
    """The countries and channels of a fixture, in the fixture's order."""

    __slots__ = ("channels", "countries")

    def __init__(self, countries: list[Country], channels: list[Channel]) -> None:
        self.countries = countries
        self.channels: dict[str, Channel] = {c.channel_id: c for c in channels}

    def channel(self, channel_id: str) -> Channel:
        try:
            return self.channels[channel_id]
        except KeyError:
            raise ChannelNotFound() from None

    def serving(self, country: str | None, weight: int | None, cargo: str | None) -> list[Channel]:
        """Channels that can carry the shipment; an absent filter does not filter."""
        return [c for c in self.channels.values() if c.refusal(country, weight, cargo) is None]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Logistics:
        return cls(
            [Country(c["code"], c["name"]) for c in data.get("countries", [])],
            [Channel.from_dict(c) for c in data.get("channels", [])],
        )
