"""In-process measurements, each run by bench/run.py in a fresh interpreter so that one
does not warm or bloat the next. Each prints one JSON object on stdout.

    python bench/probes.py store-timing [REPEAT]     reset_tenant(1001) and mint(), medians
    python bench/probes.py load-fixture PATH         load_fixture(PATH) and Store(...): time, RSS
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


def main(argv: list[str]) -> int:
    if argv[:1] == ["store-timing"]:
        result = store_timing(int(argv[1]) if len(argv) > 1 else 1000)
    elif argv[:1] == ["load-fixture"] and len(argv) == 2:
        result = load_fixture_probe(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
