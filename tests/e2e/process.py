"""``sandbox serve`` as a real process, for end-to-end tests: start, wait for health, stop.

The process is always cleaned up: stopped with SIGTERM, killed if it does not end in time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sandbox.server import wait_until_healthy

#: Seconds a starting sandbox may take to answer health, and a stopping one to exit.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any ``SANDBOX_*`` variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    env.update(extra or {})
    return env


@dataclass
class ServeProcess:
    """A running ``sandbox serve``; ``output`` is filled once it has stopped."""

    process: subprocess.Popen[str]
    url: str
    output: str = field(default="")

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        """Return once ``/__sandbox/health`` answers 200; fail if the process ends first."""
        try:
            wait_until_healthy(self.url, timeout, check=self._alive)
        except TimeoutError as exc:
            raise AssertionError(str(exc)) from None

    def _alive(self) -> None:
        if self.process.poll() is not None:
            output, _ = self.process.communicate()
            raise AssertionError(f"sandbox serve exited with {self.process.returncode}:\n{output}")

    def terminate(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, then wait up to ``timeout`` seconds; returns the exit code, or kills the
        process and fails when it does not exit in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.output, _ = self.process.communicate()
            raise AssertionError(
                f"sandbox serve did not exit within {timeout}s of SIGTERM:\n{self.output}"
            ) from None
        return self.process.returncode


@contextmanager
def serve(
    port: int, args: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None
) -> Iterator[ServeProcess]:
    """``python -m sandbox serve ARGS``, healthy on ``port``; killed on the way out if the
    test did not stop it. ``args`` default to ``--port PORT``; ``env`` is added to a
    ``SANDBOX_*``-free copy of this process's environment."""
    args = ["--port", str(port)] if args is None else list(args)
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(env),
    )
    served = ServeProcess(process, f"http://127.0.0.1:{port}")
    try:
        served.wait_healthy()
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
