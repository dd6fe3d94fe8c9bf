"""The reference's examples, as the default fixture answers them.

:data:`REFERENCE` lists every endpoint the reference documents with its own example request
(path, query and body). :func:`capture` replays each one on a fresh sandbox of the bundled
default fixture, its clock frozen at the fixture's start, and keeps the request and the reply.
``python -m sandbox.examples`` writes the result to ``sandbox/schemas/examples.json``, which the
OpenAPI generator publishes as each operation's ``examples``. So the published responses are
what the sandbox really answers (concrete URLs included), never hand-typed; the test suite
replays them to check that the file has not drifted and validates each against its schema.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sandbox.http.app import create_app
from sandbox.openapi import EXAMPLES_FILE


@dataclass(frozen=True, slots=True)
class Example:
    """One documented request: its operation, the concrete URL and the body the reference
    shows, and the requests that must come first (``PATCH /cart/items/502`` needs line 502)."""

    method: str
    template: str  # the operation's path, as the document names it
    url: str
    body: dict[str, Any] | None = None
    setup: tuple[tuple[str, str, dict[str, Any] | None], ...] = field(default_factory=tuple)

    @property
    def operation(self) -> str:
        return f"{self.method} {self.template}"


_ADD = {"productId": "12345", "skuId": "s001", "quantity": 2, "remark": "Size US 9"}
_SHIP = {
    "items": [{"inventoryId": 101, "quantity": 1}, {"inventoryId": 102, "quantity": 1}],
    "logisticsChannelId": "ch-001",
    "recipientName": "John Doe",
    "recipientPhone": "+1-555-0123",
    "recipientCountry": "US",
    "recipientState": "California",
    "recipientCity": "Los Angeles",
    "recipientAddress": "123 Main St",
    "recipientZipCode": "90001",
}

REFERENCE: tuple[Example, ...] = (
    Example("GET", "/products/{id}", "/products/12345"),
    Example("POST", "/products/import/1688", "/products/import/1688",
            {"url": "https://detail.1688.com/offer/610947572360.html"}),
    Example("GET", "/cart", "/cart"),
    Example("POST", "/cart/items", "/cart/items", _ADD),
    Example("POST", "/cart/items/batch", "/cart/items/batch", {"items": [
        {"productId": "12345", "skuId": "s001", "quantity": 2},
        {"productId": "67890", "skuId": "s010", "quantity": 1},
    ]}),
    Example("PATCH", "/cart/items/{itemId}", "/cart/items/502", {"quantity": 3, "selected": True},
            setup=(("POST", "/cart/items", _ADD),)),
    Example("DELETE", "/cart/items/{itemId}", "/cart/items/502",
            setup=(("POST", "/cart/items", _ADD),)),
    Example("POST", "/orders", "/orders", {
        "items": [{"productId": "12345", "skuId": "s001", "quantity": 2,
                   "remark": "Check quality"}],
        "remark": "Handle with care",
    }),
    Example("GET", "/orders", "/orders?page=1&limit=10&status=in_warehouse"),
    Example("GET", "/orders/{id}", "/orders/ORD-20240115-001"),
    Example("POST", "/orders/{id}/cancel", "/orders/ORD-20240115-002/cancel",
            {"reason": "Changed my mind"}),
    Example("GET", "/logistics/countries", "/logistics/countries"),
    Example("GET", "/logistics/shipping-methods",
            "/logistics/shipping-methods?country=US&weight=1500"),
    Example("POST", "/logistics/calculate-freight-batch", "/logistics/calculate-freight-batch",
            {"country": "US", "weight": 1500, "length": 30, "width": 20, "height": 15}),
    Example("POST", "/shipping/create", "/shipping/create", _SHIP),
    # The reference's list shows SHP-20240120-001 shipped: a later point of the story (SPEC §9).
    Example("GET", "/shipping/orders", "/shipping/orders?page=1&limit=10", setup=(
        ("POST", "/shipping/create", _SHIP),
        ("POST", "/__sandbox/shipping/SHP-20240123-001/advance", {"to": "shipped"}),
    )),
    Example("GET", "/warehouse/packages", "/warehouse/packages?page=1&limit=20"),
    Example("GET", "/user/profile", "/user/profile"),
    Example("GET", "/user/wallet/balance", "/user/wallet/balance"),
    Example("GET", "/user/addresses", "/user/addresses"),
    Example("GET", "/user/favorites", "/user/favorites"),
    Example("GET", "/user/coupons/available", "/user/coupons/available"),
)  # fmt: skip


def capture(examples: tuple[Example, ...] = REFERENCE) -> dict[str, dict[str, Any]]:
    """Each example's request and the default fixture's reply, by ``"METHOD /template"``."""
    return asyncio.run(_capture(examples))


async def _capture(examples: tuple[Example, ...]) -> dict[str, dict[str, Any]]:
    captured: dict[str, dict[str, Any]] = {}
    for example in examples:
        app: Any = create_app()  # an ASGI callable; httpx types its own protocol
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": "Bearer sk-sandbox-full"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sandbox", headers=headers
        ) as client:
            now = (await client.get("/__sandbox/clock")).json()["data"]["now"]
            await client.put("/__sandbox/clock", json={"now": now, "frozen": True})
            for method, url, body in example.setup:
                (await client.request(method, url, json=body)).raise_for_status()
            reply = await client.request(example.method, example.url, json=example.body)
            reply.raise_for_status()
        captured[example.operation] = {
            "summary": f"{example.method} {example.url}",
            "request": example.body,
            "status": reply.status_code,
            "response": reply.json(),
        }
    return captured


def write(path: Path | None = None) -> Path:
    """Capture the examples and store them (default: beside the package's JSON Schemas)."""
    target = path or Path(__file__).parent / "schemas" / EXAMPLES_FILE
    target.write_text(json.dumps(capture(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return target


if __name__ == "__main__":
    print(f"wrote {write()}")
