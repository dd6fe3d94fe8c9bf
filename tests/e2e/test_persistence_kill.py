"""``sandbox serve --state-file``: SIGKILL at any moment leaves the last complete state, a
restart serves it, and a file that is not a sandbox state is refused and left alone."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.persistence import read_state
from tests.e2e.process import ServeProcess, clean_env, free_port, serve

FULL = {"Authorization": "Bearer sk-sandbox-full"}
ROUNDS = 4
SEED = 6


class Writer:
    """Renames user 1001 (``writer-N``, N counting up) and saves, over and over, until told
    to stop; a second thread only saves. ``saved`` is the N of the last save acknowledged
    after rename N; ``sent`` the last N sent. The file must hold an N between the two."""

    def __init__(self, url: str, start: int) -> None:
        self.url = url
        self.sent = self.saved = start
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._rename_and_save, daemon=True),
            threading.Thread(target=self._save, daemon=True),
        ]

    def __enter__(self) -> Writer:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)

    def _rename_and_save(self) -> None:
        with httpx.Client(base_url=self.url, headers=FULL, timeout=5) as http:
            while not self.stop.is_set():
                n = self.sent + 1
                try:
                    self.sent = n
                    http.put("/user/profile", json={"username": f"writer-{n}"})
                    http.post("/cart/items", json={"productId": "67890", "skuId": "s010",
                                                   "quantity": 1})  # fmt: skip
                    if http.post("/__sandbox/state/save").status_code == 200:
                        self.saved = n
                except httpx.TransportError:
                    return  # the server was killed

    def _save(self) -> None:
        with httpx.Client(base_url=self.url, timeout=5) as http:
            while not self.stop.is_set():
                try:
                    http.post("/__sandbox/state/save")
                except httpx.TransportError:
                    return


def _marker(state: dict[str, Any]) -> int:
    user = next(u for u in state["users"] if u["id"] == 1001)
    name: str = user["profile"]["username"]
    return int(name.removeprefix("writer-")) if name.startswith("writer-") else 0


def _kill(served: ServeProcess) -> None:
    served.process.kill()
    served.process.communicate()


def test_sigkill_during_saves_leaves_the_last_complete_state_and_a_restart_serves_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    rng = random.Random(SEED)
    marker = 0
    for _ in range(ROUNDS):
        port = free_port()
        with serve(port, ["--port", str(port), "--state-file", str(path)]) as served:
            profile = httpx.get(f"{served.url}/user/profile", headers=FULL, timeout=5)
            assert profile.json()["data"]["username"] == (
                f"writer-{marker}" if marker else "john_doe"
            )
            with Writer(served.url, start=marker) as writer:
                time.sleep(rng.uniform(0.15, 0.6))
                _kill(served)
        saved = read_state(path)  # parses, and is a whole, valid state
        marker = _marker(saved)
        assert writer.saved <= marker <= writer.sent
        assert writer.saved > 0
        strays = [p.name for p in tmp_path.iterdir() if p != path]
        assert strays in ([], [".state.json.tmp"])

    port = free_port()
    with serve(port, ["--port", str(port), "--state-file", str(path)]) as served:
        cart = httpx.get(f"{served.url}/cart", headers=FULL, timeout=5).json()["data"]
        export = httpx.get(f"{served.url}/__sandbox/state", timeout=5).json()["data"]
        assert served.terminate() == 0
    assert export == read_state(path)
    # Rename N follows cart add N-1 (except the first rename of a round, when the previous
    # round was killed between a rename and its add): the adds before the last saved rename
    # are there.
    added = [line for line in cart["items"] if line["productId"] == 67890]
    assert marker - ROUNDS <= len(added) <= marker


def test_a_state_file_is_made_on_shutdown_and_saving_without_one_is_a_409(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    port = free_port()
    with serve(port, ["--port", str(port), "--state-file", str(path)]) as served:
        assert not path.exists()
        httpx.put(f"{served.url}/user/profile", headers=FULL, json={"username": "kept"})
        assert served.terminate() == 0
    user = next(u for u in read_state(path)["users"] if u["id"] == 1001)
    assert user["profile"]["username"] == "kept"
    assert "made on first save" in served.output

    with serve(port) as served:
        response = httpx.post(f"{served.url}/__sandbox/state/save", timeout=5)
    assert response.status_code == 409
    assert "--state-file" in response.json()["message"]


@pytest.mark.parametrize(
    "content",
    [b'{"kind": "commerce-api-sandbox/state", "version": 1, "state": {"us', b'{"users": []}'],
    ids=["corrupt", "foreign"],
)
def test_a_corrupt_or_foreign_state_file_is_refused_at_start_and_left_alone(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", "--port", str(free_port()),
         "--state-file", str(path)],
        capture_output=True, text=True, timeout=30, env=clean_env(),
    )  # fmt: skip
    assert result.returncode == 1
    assert str(path) in result.stderr
    assert "not a sandbox state file" in result.stderr
    assert path.read_bytes() == content
    assert list(tmp_path.iterdir()) == [path]
