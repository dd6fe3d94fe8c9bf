"""Profile ``GET /products/12345`` under wrk load with py-spy, and print where the time goes.

    python bench/profile_hot_path.py [--bare] [--path P] [--seconds 15] [--rate 997]
                                     [--output DIR]

Needs py-spy in the environment (``pip install py-spy``) and wrk. It starts
``python -m sandbox serve`` on the benchmark fixture, samples it with ``py-spy record``
(raw collapsed stacks, with line numbers, GIL-holding samples only) while wrk loads it,
and prints the self time by line and the inclusive time by function, in percent of samples.
With ``--bare`` it profiles bench/bare_app.py instead, to see what any uvicorn app pays.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fixture_files import write_fixture
from harness import (
    BenchError,
    Load,
    ManagedProcess,
    child_env,
    free_port,
    request,
    run_wrk,
    wait_until_ok,
)

BENCH = Path(__file__).resolve().parent
PATH = "/products/12345"
KEY = "sk-sandbox-full"


def aggregate(raw: Path, top: int) -> str:
    """Self and inclusive shares of samples from py-spy's raw (collapsed) output."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        own[frames[-1]] += count
        for name in {frame.split(" (")[0] + " (" + _file(frame) + ")" for frame in frames}:
            inclusive[name] += count
    lines = [f"{total} samples", "", "self time by line:"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "inclusive time by function:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


def _file(frame: str) -> str:
    inside = frame.partition(" (")[2].rstrip(")")
    return inside.rpartition(":")[0] or inside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rate", type=int, default=997, help="py-spy samples a second")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--output", type=Path, help="keep the raw profile in this directory")
    parser.add_argument("--bare", action="store_true", help="profile the bare app instead")
    parser.add_argument("--path", default=PATH, help=f"the GET to load (default {PATH})")
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("py-spy is missing: pip install py-spy", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="sandbox-profile-") as tmp:
        workdir = args.output or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        fixture = write_fixture(workdir / "bench-fixture.json")
        raw = workdir / f"{'bare' if args.bare else 'sandbox'}.raw.txt"
        port = free_port()
        if args.bare:
            name, health = "bare", args.path
            argv_ = [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(BENCH),
                "bare_app:app",
                "--port",
                str(port),
                "--http",
                "httptools",
                "--loop",
                "uvloop",
                "--no-access-log",
                "--log-level",
                "warning",
            ]
        else:
            name, health = "sandbox", "/__sandbox/health"
            argv_ = [
                sys.executable,
                "-m",
                "sandbox",
                "serve",
                "--port",
                str(port),
                "--fixtures",
                str(fixture),
            ]
        with ManagedProcess(name, argv_, workdir / f"{name}.log", child_env()) as server:
            wait_until_ok(server, port, health, key=KEY)
            if request(port, "GET", args.path, key=KEY).status != 200:
                raise BenchError(f"GET {args.path} does not answer 200")
            run_wrk(port, args.path, Load(seconds=2), key=KEY)  # warm up
            spy = subprocess.Popen(
                [
                    py_spy,
                    "record",
                    "--pid",
                    str(server.pid),
                    "--rate",
                    str(args.rate),
                    "--duration",
                    str(args.seconds),
                    "--format",
                    "raw",
                    "--output",
                    str(raw),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                time.sleep(0.5)
                result = run_wrk(port, args.path, Load(seconds=args.seconds), key=KEY)
                spy.wait(timeout=args.seconds + 60)
            finally:
                if spy.poll() is None:
                    spy.terminate()
                    try:
                        spy.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        spy.kill()
                        spy.wait()
        print(f"wrk under py-spy: {result.rps:,.0f} req/s, p99 {result.p99_ms:.2f} ms")
        print(aggregate(raw, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
