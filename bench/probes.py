"""In-process measurements, each run by bench/run.py in a fresh interpreter so that one
does not warm or bloat the next. Each prints one JSON object on stdout.

    python bench/probes.py store-timing [REPEAT]     reset_tenant(1001) and mint(), medians
    python bench/probes.py load-fixture PATH         load_fixture(PATH) and Store(...): time, RSS
    python bench/probes.py orders-flat [N]            N orders on one tenant: first/last 1,000
    python bench/probes.py state-load [TENANTS]       save and load a state file of that many
    python bench/probes.py journal-cap                RSS with the journal full at its caps
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def store_timing(repeat: int) -> dict[str, float]:
    from sandbox.fixtures import load_fixture
    from sandbox.store import Store

    store = Store(load_fixture())
    user_id = store.fixture.mint_from
    resets, mints = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        store.reset_tenant(user_id)
        resets.append(time.perf_counter() - started)
    for _ in range(repeat):
        started = time.perf_counter()
        store.mint()
        mints.append(time.perf_counter() - started)
    return {
        "reset_ms": statistics.median(resets) * 1000,
        "reset_p99_ms": statistics.quantiles(resets, n=100)[98] * 1000,
        "mint_ms": statistics.median(mints) * 1000,
        "mint_p99_ms": statistics.quantiles(mints, n=100)[98] * 1000,
        "repeat": repeat,
    }


def load_fixture_probe(path: str) -> dict[str, float]:
    base_rss, _ = rss_mib()
    started = time.perf_counter()
    from sandbox.fixtures import load_fixture  # the import is part of a cold load
    from sandbox.store import Store

    imported = time.perf_counter()
    fixture = load_fixture(path)
    loaded = time.perf_counter()
    store = Store(fixture)
    built = time.perf_counter()
    rss, peak = rss_mib()
    return {
        "import_s": imported - started,
        "load_s": loaded - imported,
        "store_s": built - loaded,
        "explicit_products": len(fixture.products),
        "products": len(store.catalog),
        "rss_mib": rss,
        "peak_rss_mib": peak,
        "interpreter_rss_mib": base_rss,
    }


def orders_flat(count: int) -> dict[str, float]:
    """Order creation and the first page of GET /orders, through the HTTP pipeline, on a
    tenant that holds more and more orders, and a journal query (``limit=20``) of a journal
    that grows with them: the first and the last thousand compared."""
    import dataclasses

    from starlette.testclient import TestClient

    from sandbox.domain.access import RateLimit
    from sandbox.fixtures import load_fixture
    from sandbox.http.app import create_app
    from sandbox.settings import Settings
    from sandbox.store import Store

    fixture = dataclasses.replace(load_fixture(), rate_limit=RateLimit(10**9, 60))
    # A journal as large as the run (2 entries per order), so that its query meets 20,000.
    app = create_app(Store(fixture), Settings(journal_size=2 * count, journal_total=2 * count))
    client = TestClient(app, base_url="http://bench")
    auth = {"Authorization": "Bearer sk-sandbox-full"}
    client.post("/__sandbox/wallet/topup", json={"amount": 10**8})
    plenty = {"name": "plenty", "stock": {"skus": [
        {"productId": 12345, "skuId": "s002", "stock": 10**7}]}}  # fmt: skip
    client.post("/__sandbox/scenarios", headers=auth, json=plenty).raise_for_status()
    body = {"items": [{"productId": 12345, "skuId": "s002", "quantity": 1}]}
    creates, lists, journals = [], [], []
    for _ in range(count):
        started = time.perf_counter()
        created = client.post("/orders", headers=auth, json=body)
        creates.append(time.perf_counter() - started)
        assert created.status_code == 201, created.text
        started = time.perf_counter()
        client.get("/orders?page=1&limit=20", headers=auth)
        lists.append(time.perf_counter() - started)
        started = time.perf_counter()  # the whole sandbox's journal: it grows past 10k entries
        client.get("/__sandbox/requests?limit=20").raise_for_status()
        journals.append(time.perf_counter() - started)
    ms = 1000 / 1000  # mean of a thousand, in milliseconds
    return {
        "orders": count,
        "create_first_ms": sum(creates[:1000]) * ms,
        "create_last_ms": sum(creates[-1000:]) * ms,
        "list_first_ms": sum(lists[:1000]) * ms,
        "list_last_ms": sum(lists[-1000:]) * ms,
        "journal_first_ms": sum(journals[:1000]) * ms,
        "journal_last_ms": sum(journals[-1000:]) * ms,
        "journal_entries": len(app.backend.journal),
    }


def state_load(tenants: int) -> dict[str, float]:
    """A state file of ``tenants`` minted story tenants: save, then load into a new store."""
    import tempfile

    from sandbox.fixtures import load_fixture
    from sandbox.persistence import load_state, save_state
    from sandbox.store import Store

    store = Store(load_fixture())
    for _ in range(tenants):
        store.mint()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.json"
        started = time.perf_counter()
        save_state(store, path)
        saved = time.perf_counter()
        load_state(Store(load_fixture()), path)
        loaded = time.perf_counter()
        size = path.stat().st_size
    return {"tenants": tenants, "save_s": saved - started, "load_s": loaded - saved,
            "file_mib": size / 2**20}  # fmt: skip


def journal_cap() -> dict[str, float]:
    """The journal filled to its caps with large entries: what it costs in memory."""
    from datetime import UTC, datetime

    from sandbox.journal import BODY_LIMIT, JOURNAL_SIZE, JOURNAL_TOTAL, Journal

    base, _ = rss_mib()
    journal = Journal()
    body = b"x" * (BODY_LIMIT * 2)  # cut to the limit, as the journal keeps bodies
    now = datetime.now(UTC)
    for n in range(JOURNAL_TOTAL + JOURNAL_SIZE * 5):
        journal.record(
            n % 100, request_id=f"r{n}", method="POST", path="/cart/items", query_string="",
            key="k", body=body, status=201, scenario=None, time=now, response=body,
        )  # fmt: skip
    rss, _ = rss_mib()
    return {"entries": len(journal), "total_cap": JOURNAL_TOTAL, "rss_growth_mib": rss - base}


def main(argv: list[str]) -> int:
    if argv[:1] == ["store-timing"]:
        result = store_timing(int(argv[1]) if len(argv) > 1 else 1000)
    elif argv[:1] == ["load-fixture"] and len(argv) == 2:
        result = load_fixture_probe(argv[1])
    elif argv[:1] == ["orders-flat"]:
        result = orders_flat(int(argv[1]) if len(argv) > 1 else 10_000)
    elif argv[:1] == ["state-load"]:
        result = state_load(int(argv[1]) if len(argv) > 1 else 10_000)
    elif argv[:1] == ["journal-cap"]:
        result = journal_cap()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
