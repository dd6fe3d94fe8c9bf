"""Process, HTTP and wrk plumbing for the benchmark: nothing here knows the sandbox's API.

Every server is a :class:`ManagedProcess` (terminate, then kill, always); every wait has a
deadline; every request goes to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"
LUA_DIR = Path(__file__).resolve().parent / "lua"


class BenchError(RuntimeError):
    """The benchmark cannot go on (a server did not start, wrk failed, ...)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    *,
    key: str | None = None,
    body: object = None,
    timeout: float = 10.0,
) -> HttpReply:
    """One request to 127.0.0.1:``port`` (JSON body when ``body`` is given)."""
    headers: dict[str, str] = {}
    payload: bytes | None = None
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=payload, headers=headers)
        reply = connection.getresponse()
        return HttpReply(reply.status, reply.read())
    finally:
        connection.close()


class ManagedProcess:
    """A child process that is always ended: SIGTERM, a grace period, then SIGKILL."""

    def __init__(self, name: str, argv: Sequence[str], log: Path, env: dict[str, str]) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @property
    def pid(self) -> int:
        if self.process is None:
            raise BenchError(f"{self.name} is not running")
        return self.process.pid

    def start(self) -> ManagedProcess:
        with self.log.open("ab") as out:
            self.started_at = time.perf_counter()
            self.process = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
            )
        return self

    def stop(self, grace: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise BenchError(f"{self.name} exited with {self.process.returncode}:\n{tail}")

    def __enter__(self) -> ManagedProcess:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def wait_until_ok(
    process: ManagedProcess,
    port: int,
    path: str,
    *,
    key: str | None = None,
    timeout: float = 30.0,
) -> float:
    """Poll ``GET path`` until it answers 200; the seconds since the process started."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        process.check_alive()
        try:
            if request(port, "GET", path, key=key, timeout=1.0).status == 200:
                return time.perf_counter() - process.started_at
        except (ConnectionError, OSError, http.client.HTTPException):
            pass
        time.sleep(0.002)
    raise BenchError(f"{process.name} did not answer 200 on {path} within {timeout:.0f} s")


def rss_mib(pid: int) -> float:
    """Resident set size of ``pid`` in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time ``pid`` has used so far, in seconds, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- wrk ---------------------------------------------------------------------------------


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError(
            "wrk is not installed. On Debian/Ubuntu: apt-get update && apt-get install -y wrk"
        )
    return found


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int  # HTTP status >= 400
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def clean(self) -> bool:
        return self.failed == 0 and self.socket_errors == 0


@dataclass(frozen=True, slots=True)
class Load:
    """How wrk loads a server: 2 threads, 32 connections, for ``seconds``."""

    seconds: float
    connections: int = 32
    threads: int = 2


def run_wrk(
    port: int,
    path: str,
    load: Load,
    *,
    script: str = "summary.lua",
    key: str | None = None,
    script_args: Sequence[str] = (),
) -> WrkResult:
    """Run wrk against 127.0.0.1:``port`` and read the summary its Lua ``done`` prints."""
    argv = [
        wrk_path(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{max(1, round(load.seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA_DIR / script),
    ]
    if key is not None:
        argv += ["-H", f"Authorization: Bearer {key}"]
    argv.append(f"http://{HOST}:{port}{path}")
    if script_args:
        argv += ["--", *script_args]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=load.seconds + 60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish: {' '.join(argv)}") from exc
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line.removeprefix("BENCH_JSON "))
            return WrkResult(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                failed=int(data["status_errors"]),
                socket_errors=int(data["socket_errors"]),
            )
    raise BenchError(f"wrk gave no summary ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child server: ours, without anything that would turn logs on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env.update(extra)
    return env
