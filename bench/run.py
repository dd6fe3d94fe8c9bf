"""The sandbox's benchmark: one command, figures against the budgets of issue 6.

    python bench/run.py [--quick]

Needs wrk (``apt-get install -y wrk``) and the project's virtualenv (run it with that
Python). It starts the sandbox (``python -m sandbox serve``) and a bare Starlette app
(bench/bare_app.py) side by side on free ports of 127.0.0.1, alternates them (A B A B) under
wrk (2 threads, 32 connections, 10 s a run; 3 s with --quick), measures startup, memory,
reset/mint and a 100,000-product fixture, and writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import fixture_overhead
from fixture_files import last_copy_id, write_fixture
from harness import (
    BenchError,
    HttpReply,
    Load,
    ManagedProcess,
    WrkResult,
    child_env,
    cpu_seconds,
    free_port,
    request,
    rss_mib,
    run_wrk,
    wait_until_ok,
    wrk_path,
)
from report import Report, machine_info, render, throughput_line

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
READ_KEY = "sk-sandbox-full"  # the default fixture's key with every scope
PRODUCT_PATH = "/products/12345"
HEALTH_PATH = "/__sandbox/health"
ORDERS_PATH = "/orders?page=1&limit=20"
FREIGHT_PATH = "/logistics/calculate-freight-batch"
BIG_CATALOG = 100_000
MINTED_PER_RUN = 128  # write-mix tenants: 64 per wrk thread, twice its connections
REPEATS = 2  # A B A B


@dataclass(slots=True)
class Servers:
    """The ports of the two servers under comparison."""

    sandbox: int
    bare: int


@dataclass(slots=True)
class Workload:
    """One row of the throughput table: what the sandbox is asked, against bare GETs."""

    name: str
    run: Callable[[int], WrkResult] | None  # sandbox port -> result; None: not served yet
    sandbox: list[WrkResult] = field(default_factory=list)
    bare: list[WrkResult] = field(default_factory=list)
    note: str = ""
    #: CPU time the server used per request, in µs, run by run (what the ratio is made of).
    sandbox_cpu_us: list[float] = field(default_factory=list)
    bare_cpu_us: list[float] = field(default_factory=list)


class Bench:
    def __init__(self, workdir: Path, load: Load, log: Callable[[str], None]) -> None:
        self.workdir = workdir
        self.load = load
        self.log = log
        self.python = sys.executable
        self.fixture = write_fixture(workdir / "bench-fixture.json")

    # -- processes ------------------------------------------------------------------------

    def sandbox(self, port: int, fixture: Path | None, name: str = "sandbox") -> ManagedProcess:
        argv = [self.python, "-m", "sandbox", "serve", "--host", "127.0.0.1", "--port", str(port)]
        if fixture is not None:
            argv += ["--fixtures", str(fixture)]
        return ManagedProcess(name, argv, self.workdir / f"{name}-{port}.log", child_env())

    def bare(self, port: int, sandbox_port: int) -> ManagedProcess:
        argv = [
            self.python,
            "-m",
            "uvicorn",
            "--app-dir",
            str(BENCH),
            "bare_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--http",
            "httptools",
            "--loop",
            "uvloop",
            "--no-access-log",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ]
        env = child_env(
            BENCH_PRODUCT_URL=f"http://127.0.0.1:{sandbox_port}{PRODUCT_PATH}",
            BENCH_KEYS=READ_KEY,
        )
        return ManagedProcess("bare", argv, self.workdir / f"bare-{port}.log", env)

    def probe(self, *args: str) -> dict[str, Any]:
        done = subprocess.run(
            [self.python, str(BENCH / "probes.py"), *args],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(f"probe {args} failed:\n{done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    # -- startup and memory ---------------------------------------------------------------

    def startup(self, runs: int = 5) -> dict[str, Any]:
        """Fresh ``sandbox serve`` processes on the default fixture: seconds to a healthy
        ``/__sandbox/health``, and RSS once idle. The package is byte-compiled first, as pip
        does when it installs it and the image does when it is built (a checkout run with
        ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile every module at every start)."""
        subprocess.run([self.python, "-m", "compileall", "-q", str(REPO / "sandbox")],
                       check=True, capture_output=True)  # fmt: skip
        times, rss = [], []
        for _ in range(runs):
            port = free_port()
            with self.sandbox(port, None, "startup") as server:
                times.append(wait_until_ok(server, port, HEALTH_PATH))
                request(port, "GET", PRODUCT_PATH, key=READ_KEY)  # one real request first
                time.sleep(1.0)
                rss.append(rss_mib(server.pid))
        self.log(f"startup {[round(t * 1000) for t in times]} ms, idle RSS {rss}")
        return {
            "startup_s": statistics.median(times),
            "runs": times,
            "idle_rss_mib": statistics.median(rss),
        }

    def memory_under_load(self, total: int = 100_000) -> dict[str, float]:
        """RSS of a fresh sandbox before and after at least ``total`` requests (GET
        /products/12345, in 3 s wrk runs until the count is reached)."""
        port = free_port()
        with self.sandbox(port, self.fixture, "memory") as server:
            wait_until_ok(server, port, HEALTH_PATH)
            request(port, "GET", PRODUCT_PATH, key=READ_KEY)
            time.sleep(0.5)
            before = rss_mib(server.pid)
            answered = failed = 0
            deadline = time.perf_counter() + 300
            while answered < total and time.perf_counter() < deadline:
                result = run_wrk(port, PRODUCT_PATH, Load(seconds=3), key=READ_KEY)
                answered, failed = answered + result.requests, failed + result.failed
            time.sleep(0.5)
            after = rss_mib(server.pid)
        self.log(f"memory: {before:.1f} MiB -> {after:.1f} MiB after {answered:,} requests")
        return {"before_mib": before, "after_mib": after, "requests": answered, "failed": failed}

    # -- throughput -----------------------------------------------------------------------

    def throughput(self) -> list[Workload]:
        sandbox_port, bare_port = free_port(), free_port()
        with ExitStack() as stack:
            sandbox = stack.enter_context(self.sandbox(sandbox_port, self.fixture))
            wait_until_ok(sandbox, sandbox_port, HEALTH_PATH)
            bare = stack.enter_context(self.bare(bare_port, sandbox_port))
            wait_until_ok(bare, bare_port, PRODUCT_PATH, key=READ_KEY)
            self._check_same_document(sandbox_port, bare_port)
            workloads = self._workloads(sandbox_port)
            warm = Load(seconds=2)
            run_wrk(sandbox_port, PRODUCT_PATH, warm, key=READ_KEY)
            run_wrk(bare_port, PRODUCT_PATH, warm, key=READ_KEY)
            for workload in workloads:
                if workload.run is None:
                    continue
                for _ in range(REPEATS):
                    sandbox.check_alive()
                    used = cpu_seconds(sandbox.pid)
                    workload.sandbox.append(workload.run(sandbox_port))
                    workload.sandbox_cpu_us.append(_per_request(sandbox.pid, used,
                                                                workload.sandbox[-1]))  # fmt: skip
                    self._pause()
                    used = cpu_seconds(bare.pid)
                    workload.bare.append(self._bare_get(bare_port))
                    workload.bare_cpu_us.append(_per_request(bare.pid, used, workload.bare[-1]))
                    self._pause()
                    self.log(
                        f"{workload.name}: sandbox {workload.sandbox[-1].rps:,.0f} "
                        f"bare {workload.bare[-1].rps:,.0f} req/s"
                    )
        return workloads

    def _bare_get(self, port: int) -> WrkResult:
        return run_wrk(port, PRODUCT_PATH, self.load, key=READ_KEY)

    def _pause(self) -> None:
        time.sleep(1.0)

    def _check_same_document(self, sandbox_port: int, bare_port: int) -> None:
        ours = request(sandbox_port, "GET", PRODUCT_PATH, key=READ_KEY)
        theirs = request(bare_port, "GET", PRODUCT_PATH, key=READ_KEY)
        if ours.status != 200 or ours.body != theirs.body:
            raise BenchError("the bare app does not serve the sandbox's product document")

    def _workloads(self, port: int) -> list[Workload]:
        def get(path: str) -> Callable[[int], WrkResult]:
            return lambda p: run_wrk(p, path, self.load, key=READ_KEY)

        orders = request(port, "GET", ORDERS_PATH, key=READ_KEY)
        orders_ok = orders.status == 200
        writes_with_orders = orders_ok and self._orders_writable(port)
        mix = "orders" if writes_with_orders else "cart"
        workloads = [
            Workload("GET /products/12345", get(PRODUCT_PATH)),
            Workload("GET /cart", get("/cart")),
            Workload("GET /orders?page=1&limit=20", get(ORDERS_PATH)),
            Workload(
                "POST /logistics/calculate-freight-batch",
                lambda p: run_wrk(p, FREIGHT_PATH, self.load, script="freight.lua", key=READ_KEY),
                note="the reference's example body, validated",
            ),
            Workload(
                "write mix",
                lambda p: self._write_mix(p, mix),
                note="POST /cart/items + DELETE /cart/items/:id"
                + (
                    " + POST /orders + POST /orders/:no/cancel"
                    if writes_with_orders
                    else " (orders routes not served yet: cart only)"
                ),
            ),
        ]
        if not orders_ok:
            workloads[2].note = f"n/a: the sandbox answers {orders.status} (not served yet)"
            workloads[2].run = None
        return workloads

    def _orders_writable(self, port: int) -> bool:
        key = self._mint(port)
        created = request(
            port,
            "POST",
            "/orders",
            key=key,
            body={"items": [{"productId": "12345", "skuId": "s001", "quantity": 1}]},
        )
        if created.status != 201:
            return False
        order_no = _data(created).get("orderNo")
        cancelled = request(
            port, "POST", f"/orders/{order_no}/cancel", key=key, body={"reason": "bench"}
        )
        return cancelled.status == 200

    def _mint(self, port: int) -> str:
        reply = request(port, "POST", "/__sandbox/keys", body={})
        if reply.status != 201:
            raise BenchError(f"minting a key answered {reply.status}: {reply.body[:200]!r}")
        key: str = _data(reply)["key"]
        return key

    def _write_mix(self, port: int, mix: str) -> WrkResult:
        keys = [self._mint(port) for _ in range(MINTED_PER_RUN)]  # fresh tenants every run
        keyfile = self.workdir / f"keys-{time.monotonic_ns()}.txt"
        keyfile.write_text("\n".join(keys) + "\n")
        return run_wrk(
            port,
            "/cart/items",
            self.load,
            script="writemix.lua",
            script_args=[str(keyfile), str(self.load.threads), mix],
        )

    # -- catalog size ---------------------------------------------------------------------

    def big_catalog(self) -> dict[str, Any]:
        path = write_fixture(self.workdir / "big-fixture.json", products=BIG_CATALOG)
        loaded = self.probe("load-fixture", str(path))
        self.log(f"100k fixture: load {loaded['load_s']:.2f} s, RSS {loaded['rss_mib']:.0f} MiB")
        small_port, big_port = free_port(), free_port()
        deep = f"/products/{last_copy_id(BIG_CATALOG)}"
        runs: dict[str, list[WrkResult]] = {"small": [], "big": [], "big-deep": []}
        with ExitStack() as stack:
            small = stack.enter_context(self.sandbox(small_port, self.fixture, "small"))
            big = stack.enter_context(self.sandbox(big_port, path, "big"))
            wait_until_ok(small, small_port, HEALTH_PATH)
            big_startup = wait_until_ok(big, big_port, HEALTH_PATH, timeout=300)
            big_rss = rss_mib(big.pid)
            if request(big_port, "GET", deep, key=READ_KEY).status != 200:
                raise BenchError(f"the big catalog does not serve {deep}")
            warm = Load(seconds=2)
            run_wrk(small_port, PRODUCT_PATH, warm, key=READ_KEY)
            run_wrk(big_port, PRODUCT_PATH, warm, key=READ_KEY)
            for _ in range(REPEATS):
                runs["small"].append(run_wrk(small_port, PRODUCT_PATH, self.load, key=READ_KEY))
                self._pause()
                runs["big"].append(run_wrk(big_port, PRODUCT_PATH, self.load, key=READ_KEY))
                self._pause()
                runs["big-deep"].append(run_wrk(big_port, deep, self.load, key=READ_KEY))
                self._pause()
        self.log(
            "catalog: "
            + ", ".join(f"{k} {statistics.median(r.rps for r in v):,.0f}" for k, v in runs.items())
        )
        return {
            "probe": loaded,
            "server_startup_s": big_startup,
            "server_rss_mib": big_rss,
            "runs": runs,
            "deep_path": deep,
        }


def _per_request(pid: int, before: float, result: WrkResult) -> float:
    """µs of CPU ``pid`` used per request of ``result`` since ``before`` (its CPU seconds)."""
    return (cpu_seconds(pid) - before) * 1e6 / max(1, result.requests)


def _data(reply: HttpReply) -> dict[str, Any]:
    body = reply.json()
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise BenchError(f"unexpected reply {reply.status}: {reply.body[:200]!r}")
    data: dict[str, Any] = body["data"]
    return data


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM (and SIGHUP) end the run through ``finally`` blocks, so no server is left."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s wrk runs instead of 10 s")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument(
        "--throughput", action="store_true",
        help="only the throughput table, printed (RESULTS.md is not written)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        wrk_path()
        import sandbox  # noqa: F401 - the run needs the project's environment
    except BenchError as exc:
        print(exc, file=sys.stderr)
        return 2
    except ImportError:
        print("run this with the project's Python: .venv/bin/python bench/run.py", file=sys.stderr)
        return 2

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    load = Load(seconds=3 if args.quick else 10)
    report = Report(machine=machine_info(), seconds=load.seconds, quick=args.quick)
    started = time.perf_counter()
    with _terminate_as_exit(), tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp:
        bench = Bench(Path(tmp), load, log)
        if args.throughput:
            try:
                for workload in bench.throughput():
                    print(throughput_line(workload))
            except BenchError as exc:
                print(f"benchmark failed: {exc}", file=sys.stderr)
                return 1
            return 0
        try:
            report.startup = bench.startup()
            report.store = bench.probe("store-timing", "1000")
            log(f"reset {report.store['reset_ms']:.3f} ms, mint {report.store['mint_ms']:.3f} ms")
            report.workloads = bench.throughput()
            report.memory = bench.memory_under_load()
            report.catalog = bench.big_catalog()
            report.fixture = {"runs": [fixture_overhead.measure(fixture=name)
                                       for name in ("sandbox", "sandbox_factory")]}  # fmt: skip
            log(fixture_overhead.describe(report.fixture["runs"][0]))
            report.staying = {
                "orders": bench.probe("orders-flat", "10000"),
                "state": bench.probe("state-load", "10000"),
                "journal": bench.probe("journal-cap"),
            }
            log(f"staying power: {report.staying}")
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
    report.elapsed_s = time.perf_counter() - started
    args.output.write_text(render(report))
    log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
