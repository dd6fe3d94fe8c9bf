"""Hundreds of concurrent writes at one wallet over real HTTP conserve money and stock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.process import ServeProcess, free_port, serve

ORDERS = 300
SHIPPINGS = 16
IN_FLIGHT = 32
SKUS = (("12345", "s001"), ("67890", "s010"))
SHIPPING = {
    "items": [{"inventoryId": 101, "quantity": 1}, {"inventoryId": 102, "quantity": 1}],
    "logisticsChannelId": "ch-001",
    "recipientName": "Ada",
    "recipientPhone": "+1 555 0100",
    "recipientCountry": "US",
    "recipientCity": "Boston",
    "recipientAddress": "1 Main St",
    "recipientZipCode": "02101",
}


@pytest.fixture(scope="module")
def served() -> Iterator[ServeProcess]:
    with serve(free_port()) as process:
        yield process


class Ledger:
    """What the successful responses say happened."""

    def __init__(self) -> None:
        self.placed: dict[str, dict[str, Any]] = {}  # orderNo -> the 201's data
        self.cancelled: set[str] = set()
        self.shipped: list[dict[str, Any]] = []
        self.statuses: list[int] = []


async def _place(
    http: httpx.AsyncClient, ledger: Ledger, rng: random.Random, gate: asyncio.Semaphore
) -> None:
    product, sku = rng.choice(SKUS)
    quantity = rng.randint(1, 3)
    cancel_it = rng.random() < 0.5
    async with gate:
        body = {"items": [{"productId": product, "skuId": sku, "quantity": quantity}]}
        response = await http.post("/orders", json=body)
    ledger.statuses.append(response.status_code)
    if response.status_code != 201:
        return
    order = response.json()["data"]
    ledger.placed[order["orderNo"]] = order
    if cancel_it:
        async with gate:
            cancelled = await http.post(f"/orders/{order['orderNo']}/cancel", json={})
        ledger.statuses.append(cancelled.status_code)
        if cancelled.status_code == 200:
            ledger.cancelled.add(order["orderNo"])


async def _ship(http: httpx.AsyncClient, ledger: Ledger, gate: asyncio.Semaphore) -> None:
    async with gate:
        response = await http.post("/shipping/create", json=SHIPPING)
    ledger.statuses.append(response.status_code)
    if response.status_code == 201:
        ledger.shipped.append(response.json()["data"])


async def _storm(url: str, key: str, seed: int) -> Ledger:
    rng = random.Random(seed)
    ledger = Ledger()
    gate = asyncio.Semaphore(IN_FLIGHT)
    limits = httpx.Limits(max_connections=IN_FLIGHT)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as http:
        jobs = [_place(http, ledger, rng, gate) for _ in range(ORDERS)]
        jobs += [_ship(http, ledger, gate) for _ in range(SHIPPINGS)]
        rng.shuffle(jobs)
        await asyncio.gather(*jobs)
    return ledger


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _sku_stock(http: httpx.Client, product: str, sku: str) -> int:
    skus = http.get(f"/products/{product}").json()["data"]["skus"]
    return int(next(s["stock"] for s in skus if s["skuId"] == sku))


def _pending_total(http: httpx.Client) -> Decimal:
    total, page = Decimal(0), 1
    while True:
        data = http.get("/orders", params={"status": "pending", "page": page, "limit": 100})
        listing = data.json()["data"]
        total += sum((_money(o["totalAmount"]) for o in listing["items"]), Decimal(0))
        if page * listing["limit"] >= listing["total"]:
            return total
        page += 1


def test_concurrent_orders_cancels_and_shippings_conserve_money_and_stock(
    served: ServeProcess,
) -> None:
    minted = httpx.post(f"{served.url}/__sandbox/keys", json={"balance": 6000}, timeout=10)
    key = minted.json()["data"]["key"]
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=10) as http:
        # A frozen clock: no progression moves an order while we count, no window resets.
        http.put("/__sandbox/clock", json={"now": "2024-01-23T12:00:00Z", "frozen": True})
        before = http.get("/user/wallet/balance").json()["data"]
        stock = {sku: _sku_stock(http, product, sku) for product, sku in SKUS}
        pending_before = _pending_total(http)

        ledger = asyncio.run(_storm(served.url, key, seed=20240123))

        wallet = http.get("/user/wallet/balance").json()["data"]
        stock_after = {sku: _sku_stock(http, product, sku) for product, sku in SKUS}
        pending_after = _pending_total(http)
        shipping_orders = http.get("/shipping/orders", params={"limit": 100}).json()["data"]
        shippable = http.get("/warehouse/packages/shippable").json()["data"]["items"]

    assert all(status < 500 for status in ledger.statuses), sorted(set(ledger.statuses))
    # Both outcomes happened: some orders went through, some were refused for want of money
    # or stock, and some were cancelled (else the test proves little).
    assert ledger.placed and ledger.cancelled
    assert len(ledger.placed) < ORDERS

    spent = sum((_money(s["shippingFee"]) for s in ledger.shipped), Decimal(0))
    assert _money(wallet["balance"]) == _money(before["balance"]) - spent
    live = [o for n, o in ledger.placed.items() if n not in ledger.cancelled]
    frozen = pending_before + sum((_money(o["totalAmount"]) for o in live), Decimal(0))
    assert _money(wallet["frozenBalance"]) == frozen == pending_after
    assert _money(wallet["availableBalance"]) == _money(wallet["balance"]) - frozen
    assert _money(wallet["availableBalance"]) >= 0

    for product, sku in SKUS:  # one SKU of each product is ordered
        units = sum(
            line["quantity"]
            for order in live
            for line in order["items"]
            if str(line["productId"]) == product
        )
        assert stock_after[sku] == stock[sku] - units, sku

    (winner,) = ledger.shipped
    assert [o["orderNo"] for o in shipping_orders["items"]] == [winner["orderNo"]]
    assert [item["inventoryId"] for item in winner["items"]] == [101, 102]
    assert not {p["id"] for p in shippable} & {101, 102}
