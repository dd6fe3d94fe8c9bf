"""What the plugin's fixtures cost a test: 500 tests that take ``sandbox`` against 500 empty ones.

    python bench/fixture_overhead.py [--tests 500] [--fixture sandbox|sandbox_factory]

It writes two test files into a temporary folder, one of ``N`` tests that each take the
``sandbox`` fixture (or call ``sandbox_factory()`` once) and do nothing else, one of ``N``
empty tests, runs both in one ``python -m pytest`` (the plugin's threaded server, as a user
gets it), and reads each test's setup + call + teardown time from pytest's own reports. The
overhead is the median of the fixture tests less the median of the empty ones: minting the
tenant, building its clients, and retiring it at teardown. The first fixture test, which
starts the session's server, is one of 500 and does not move the median.

Issue 15's budget: at most 2 ms per test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BUDGET_MS = 2.0

#: A conftest that writes every test's phase durations to ``durations.json`` at the end.
RECORDER = """
import json
import pytest

DURATIONS = {}


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    DURATIONS[report.nodeid] = DURATIONS.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    with open("durations.json", "w") as out:
        json.dump(DURATIONS, out)
"""

BODIES = {
    "sandbox": "def test_{i}(sandbox):\n    pass\n",
    "sandbox_factory": "def test_{i}(sandbox_factory):\n    sandbox_factory()\n",
}


def measure(tests: int = 500, fixture: str = "sandbox") -> dict[str, Any]:
    """Run the two files in one pytest run; the figures, in milliseconds."""
    with tempfile.TemporaryDirectory(prefix="sandbox-fixture-bench-") as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(RECORDER)
        (folder / "test_fixture.py").write_text(
            "\n\n".join(BODIES[fixture].format(i=i) for i in range(tests))
        )
        (folder / "test_empty.py").write_text(
            "\n\n".join(f"def test_{i}():\n    pass\n" for i in range(tests))
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
             "-p", "no:randomly", "test_empty.py", "test_fixture.py"],
            cwd=folder, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"the benchmark's pytest run failed:\n{done.stdout}{done.stderr}")
        durations: dict[str, float] = json.loads((folder / "durations.json").read_text())
    with_fixture = [s * 1000 for node, s in durations.items() if node.startswith("test_fixture")]
    empty = [s * 1000 for node, s in durations.items() if node.startswith("test_empty")]
    overhead = statistics.median(with_fixture) - statistics.median(empty)
    return {
        "tests": tests,
        "fixture": fixture,
        "median_fixture_ms": statistics.median(with_fixture),
        "median_empty_ms": statistics.median(empty),
        "p90_fixture_ms": statistics.quantiles(with_fixture, n=10)[-1],
        "total_fixture_s": sum(with_fixture) / 1000,
        "total_empty_s": sum(empty) / 1000,
        "overhead_ms": overhead,
        "budget_ms": BUDGET_MS,
    }


def describe(figures: dict[str, Any]) -> str:
    """One line of the figures, as the command prints them."""
    n, fixture = figures["tests"], figures["fixture"]
    return (
        f"{n} tests taking `{fixture}` against {n} empty tests, in one run: median "
        f"{figures['median_fixture_ms']:.2f} ms against {figures['median_empty_ms']:.2f} ms, so "
        f"{figures['overhead_ms']:.2f} ms of fixture per test (p90 "
        f"{figures['p90_fixture_ms']:.2f} ms; the files took {figures['total_fixture_s']:.2f} s "
        f"and {figures['total_empty_s']:.2f} s); budget {figures['budget_ms']:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=500)
    parser.add_argument("--fixture", choices=sorted(BODIES), default="sandbox")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure(args.tests, args.fixture)
    print(json.dumps(figures, indent=2) if args.json else describe(figures))
    return 0 if figures["overhead_ms"] <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
