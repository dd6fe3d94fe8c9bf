"""``sandbox serve --state-file NAME.db``: every acknowledged write survives a SIGKILL in the
middle of a stream of writes, round after round, through restarts."""

from __future__ import annotations

import random
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx

from tests.e2e.process import free_port, serve

FULL = {"Authorization": "Bearer sk-sandbox-full"}
LINE = {"productId": "12345", "skuId": "s002", "quantity": 1}
ROUNDS = 3


class Stream:
    """Adds cart lines and tops up the wallet, over and over, keeping what was acknowledged:
    the line ids answered 201, and the top-ups answered 200 (and the one in flight, if any)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lines: list[int] = []
        self.topped = Decimal(0)
        self.in_flight = Decimal(0)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, headers=FULL, timeout=5) as http:
            while not self.stop.is_set():
                try:
                    added = http.post("/cart/items", json=LINE)
                    if added.status_code == 201:
                        self.lines.append(added.json()["data"]["id"])
                    self.in_flight = Decimal("1.25")
                    topped = http.post("/__sandbox/wallet/topup", json={"amount": 1.25})
                    if topped.status_code == 200:
                        self.topped += Decimal("1.25")
                    self.in_flight = Decimal(0)
                except httpx.TransportError:
                    return


def test_every_acknowledged_write_survives_sigkill(tmp_path: Path) -> None:
    database = tmp_path / "state.db"
    rng = random.Random(7)
    acknowledged: list[int] = []
    topped = Decimal(0)
    for _ in range(ROUNDS):
        port = free_port()
        with serve(port, ["--port", str(port), "--state-file", str(database)]) as process:
            stream = Stream(process.url)
            stream.thread.start()
            time.sleep(rng.uniform(0.3, 0.8))
            process.process.kill()  # SIGKILL, mid-stream
            process.process.communicate()
            stream.stop.set()
            stream.thread.join(timeout=10)
            acknowledged += stream.lines
            topped += stream.topped
            in_flight = stream.in_flight
        assert stream.lines, "the stream made no write before the kill"
        port = free_port()
        with serve(port, ["--port", str(port), "--state-file", str(database)]) as restarted:
            cart = httpx.get(f"{restarted.url}/cart", headers=FULL).json()["data"]
            held = {item["id"] for item in cart["items"]}
            assert set(acknowledged) <= held, sorted(set(acknowledged) - held)
            wallet = httpx.get(f"{restarted.url}/user/wallet/balance", headers=FULL).json()
            balance = Decimal(str(wallet["data"]["balance"]))
            assert 2000 + topped <= balance <= 2000 + topped + in_flight
            topped = balance - 2000  # an in-flight top-up that landed counts from now on
            restarted.process.kill()
            restarted.process.communicate()


def test_an_order_a_read_advanced_survives_sigkill_without_a_later_write(tmp_path: Path) -> None:
    database = tmp_path / "state.db"
    number = "ORD-20240115-002"  # paid
    scenario = {"name": "read-along", "orders": {"progression": "manual", "times": 1}}
    port = free_port()
    with serve(port, ["--port", str(port), "--state-file", str(database)]) as process:
        with httpx.Client(base_url=process.url, headers=FULL, timeout=5) as http:
            assert http.post("/__sandbox/scenarios", json=scenario).status_code == 201
            statuses = [http.get(f"/orders/{number}").json()["data"]["status"] for _ in range(2)]
        assert statuses == ["paid", "purchased"]
        process.process.kill()  # SIGKILL: nothing written since the read that moved it
        process.process.communicate()
    port = free_port()
    with serve(port, ["--port", str(port), "--state-file", str(database)]) as restarted:
        order = httpx.get(f"{restarted.url}/orders/{number}", headers=FULL).json()["data"]
        assert order["status"] == "purchased"
        restarted.process.kill()
        restarted.process.communicate()
