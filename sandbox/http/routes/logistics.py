"""Logistics: destination countries, shipping channels and freight quotes."""

from __future__ import annotations

from typing import Any

from sandbox.domain.freight import (
    CARGO_TYPES,
    DEFAULT_CARGO,
    Channel,
    Logistics,
    Quote,
    quote,
    quotes,
)
from sandbox.http.operations import Call, Operation, body_schema
from sandbox.http.shapes import INTEGER, MONEY, STRING, array, enum, obj


def _logistics(call: Call) -> Logistics:
    return call.store.fixture.logistics


def channel_view(channel: Channel) -> dict[str, Any]:
    return {
        "channelId": channel.channel_id,
        "name": channel.name,
        "carrier": channel.carrier,
        "deliveryDays": channel.delivery_days,
        "supportedCargo": list(channel.supported_cargo),
        "weightRange": {"min": channel.min_weight, "max": channel.max_weight},
    }


def quote_view(found: Quote) -> dict[str, Any]:
    return {
        "channelId": found.channel.channel_id,
        "name": found.channel.name,
        "actualWeight": found.actual_weight,
        "volumetricWeight": found.volumetric_weight,
        "chargeWeight": found.charge_weight,
        "totalPrice": found.total_price,
        "currency": "CNY",
        "deliveryDays": found.channel.delivery_days,
    }


def list_countries(call: Call) -> list[dict[str, str]]:
    return [{"code": c.code, "name": c.name} for c in _logistics(call).countries]


def list_shipping_methods(call: Call) -> list[dict[str, Any]]:
    query = call.query
    channels = _logistics(call).serving(
        query.get("country"), query.get("weight"), query.get("cargoType")
    )
    return [channel_view(c) for c in channels]


def _dimensions(body: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    return body.get("length"), body.get("width"), body.get("height")


def calculate_batch(call: Call) -> dict[str, Any]:
    """Every channel that serves the country, the cargo and the charge weight."""
    body = call.body
    channels = _logistics(call).channels.values()
    cargo = body.get("cargoType", DEFAULT_CARGO)
    served = [
        q
        for q in quotes(channels, body["weight"], _dimensions(body))
        if q.channel.refusal(body["country"], q.charge_weight, cargo) is None
    ]
    return {"channels": [quote_view(q) for q in served]}


def calculate_one(call: Call) -> dict[str, Any]:
    body = call.body
    channel = _logistics(call).channel(body["channelId"])
    found = quote(channel, body["weight"], _dimensions(body))
    channel.require(body["country"], found.charge_weight, body.get("cargoType", DEFAULT_CARGO))
    return quote_view(found)


COUNTRY: dict[str, Any] = {
    "type": "string",
    "pattern": "^[A-Z]{2}$",
    "description": "Destination country code (e.g. US)",
}
CARGO: dict[str, Any] = {
    "type": "string",
    "enum": list(CARGO_TYPES),
    "description": "Cargo type: general, sensitive, battery, liquid",
}


def _dimension(description: str) -> dict[str, Any]:
    return {"type": "number", "minimum": 1, "maximum": 1000, "description": description}


FREIGHT_PROPERTIES: dict[str, Any] = {
    "country": COUNTRY,
    "weight": {"type": "integer", "minimum": 1, "maximum": 1_000_000,
               "description": "Total weight in grams"},
    "length": _dimension("Length in cm (for volumetric weight)"),
    "width": _dimension("Width in cm"),
    "height": _dimension("Height in cm"),
    "cargoType": {**CARGO, "description": "Cargo type (default: general)"},
}  # fmt: skip
BATCH_BODY = body_schema(FREIGHT_PROPERTIES, ("country", "weight"))
ONE_BODY = body_schema(
    {"channelId": {"type": "string", "minLength": 1, "maxLength": 64,
                   "description": "Shipping channel ID"},
     **FREIGHT_PROPERTIES},
    ("channelId", "country", "weight"),
)  # fmt: skip
METHODS_QUERY = body_schema(
    {
        "country": COUNTRY,
        "weight": {"type": "integer", "minimum": 1, "description": "Package weight in grams"},
        "cargoType": CARGO,
    }
)

COUNTRY_SHAPE = obj({"code": STRING, "name": STRING})
CHANNEL_SHAPE = obj({
    "channelId": STRING, "name": STRING, "carrier": STRING, "deliveryDays": STRING,
    "supportedCargo": array(enum(*CARGO_TYPES)),
    "weightRange": obj({"min": INTEGER, "max": INTEGER}),
})  # fmt: skip
QUOTE_SHAPE = obj({
    "channelId": STRING, "name": STRING, "actualWeight": INTEGER, "volumetricWeight": INTEGER,
    "chargeWeight": INTEGER, "totalPrice": MONEY, "currency": STRING, "deliveryDays": STRING,
})  # fmt: skip

OPERATIONS = (
    Operation("GET", "/logistics/countries", list_countries, "logistics:read", cached=True,
              response=array(COUNTRY_SHAPE),
              summary="Get list of supported destination countries for international shipping."),
    Operation("GET", "/logistics/shipping-methods", list_shipping_methods, "logistics:read",
              cached=True,
              query=METHODS_QUERY, response=array(CHANNEL_SHAPE),
              summary="Get available shipping channels filtered by destination and weight."),
    Operation("POST", "/logistics/calculate-freight-batch", calculate_batch, "logistics:read",
              body=BATCH_BODY, response=obj({"channels": array(QUOTE_SHAPE)}),
              summary="Calculate shipping cost for all available channels at once."),
    Operation("POST", "/logistics/calculate-freight", calculate_one, "logistics:read",
              errors=(404,),
              body=ONE_BODY, inferred=True, response=QUOTE_SHAPE,
              summary="Calculate shipping cost on one channel (channelId beside the batch's "
                      "fields)."),
)  # fmt: skip
