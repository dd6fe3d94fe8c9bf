"""``sandbox serve`` for a shared instance: the port it really bound, refused ports, the
warning when bound beyond loopback without a token, and ``--admin-token auto``."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.e2e.process import clean_env


@contextmanager
def started(*args: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """``sandbox serve ARGS``, and its output up to the keys it announces."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env(),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = []
        while not any(line.startswith("  key ") for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        yield process, lines
    finally:
        process.kill()
        process.communicate()


def test_port_0_announces_the_port_it_really_bound() -> None:
    with started("--port", "0") as (_, lines):
        found = re.search(r"http://127\.0\.0\.1:(\d+)", lines[0])
        assert found is not None and found.group(1) != "0", lines
        health = httpx.get(f"http://127.0.0.1:{found.group(1)}/__sandbox/health")
        assert health.json() == {"status": "ok"}


def test_an_out_of_range_port_is_refused_not_wrapped() -> None:
    command = [sys.executable, "-m", "sandbox", "serve", "--port", "99999"]
    result = subprocess.run(command, capture_output=True, text=True, env=clean_env(), timeout=30)
    assert result.returncode == 2
    assert "'99999' is not a port (0 to 65535)" in result.stderr


def test_beyond_loopback_without_a_token_it_warns() -> None:
    with started("--host", "0.0.0.0", "--port", "0") as (_, lines):
        warning = [line for line in lines if "warning" in line]
        assert warning and "anyone who can reach it controls every tenant" in warning[0]


def test_admin_token_auto_makes_one_prints_it_and_guards_with_it() -> None:
    with started("--port", "0", "--admin-token", "auto") as (_, lines):
        port = re.search(r":(\d+)", lines[0]).group(1)  # type: ignore[union-attr]
        token = next(line for line in lines if line.startswith("Admin token: ")).split()[-1]
        assert len(token) >= 20
        url = f"http://127.0.0.1:{port}/__sandbox/clock"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers={"X-Sandbox-Admin-Token": token}).status_code == 200
        assert not any("warning" in line for line in lines)
