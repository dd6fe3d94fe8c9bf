"""Browser tests of the pages: Playwright (sync API) driving Debian's chromium.

One browser for the whole session (:func:`browser`); each test gets a fresh context and page at
1280x800 and its own minted tenant. Without playwright or chromium the browser tests skip,
saying why, unless ``SANDBOX_REQUIRE_BROWSER=1`` (CI) makes that a failure. ``.ci/browsers``
installs chromium; ``SANDBOX_CHROMIUM`` names another executable.

``SANDBOX_SCREENSHOTS=1`` makes the tests that show each page at its best save it to
``docs/images/`` (the README's pictures).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import pytest

from sandbox.http.app import create_app
from sandbox.server import ThreadedServer
from sandbox.settings import Settings

if TYPE_CHECKING:
    from tests.pages.browser import Browser, Page

ADMIN_TOKEN = "let-me-in"
VIEWPORT = {"width": 1280, "height": 800}
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"

#: Chromium's flags for a closed network and a root user in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def build_app(settings: Settings) -> Any:
    """The application the browser sees: the sandbox, whose ``create_app`` mounts the pages
    (:func:`sandbox.pages.routes`) in front of the API."""
    return create_app(settings=settings)


@pytest.fixture(scope="session")
def server() -> Iterator[ThreadedServer]:
    """The sandbox, pages included, in a thread; no admin token."""
    settings = Settings()
    with ThreadedServer(app=build_app(settings), settings=settings) as running:
        yield running


@pytest.fixture(scope="session")
def guarded_server() -> Iterator[ThreadedServer]:
    """The sandbox started with an admin token (:data:`ADMIN_TOKEN`)."""
    settings = Settings(admin_token=ADMIN_TOKEN)
    with ThreadedServer(app=build_app(settings), settings=settings) as running:
        yield running


@pytest.fixture
def api(server: ThreadedServer) -> Iterator[httpx.Client]:
    """A plain client of the sandbox (no key)."""
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        yield client


@dataclass
class Tenant:
    key: str
    user_id: int
    client: httpx.Client  # authenticated with the key

    def state(self) -> dict[str, Any]:
        reply = self.client.get("/__sandbox/state")
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()["data"]
        return data


@pytest.fixture
def tenant(server: ThreadedServer) -> Iterator[Tenant]:
    """A freshly minted tenant of :func:`server`, retired after the test."""
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        minted = client.post("/__sandbox/keys", json={})
        minted.raise_for_status()
        data = minted.json()["data"]
        client.headers["Authorization"] = f"Bearer {data['key']}"
        yield Tenant(data["key"], data["userId"], client)
    httpx.delete(f"{server.url}/__sandbox/keys/{data['key']}", timeout=10.0)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("SANDBOX_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (and SANDBOX_REQUIRE_BROWSER=1 requires the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, launched once, headless, with a fresh profile."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    executable = os.environ.get("SANDBOX_CHROMIUM") or shutil.which("chromium")
    if not executable or not Path(executable).exists():
        _unavailable("chromium is not installed (.ci/browsers installs Debian's)")
    # launch() gives the browser a new, empty profile of its own (a temporary directory).
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as exc:
            _unavailable(f"chromium at {executable} does not start: {exc.message}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page at 1280x800; a script error on it fails the test."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)  # slack for a loaded machine; timed checks set their own
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def screenshot(page: Page, name: str) -> None:
    """Save the top of the page to ``docs/images/{name}.png`` when ``SANDBOX_SCREENSHOTS=1``."""
    if os.environ.get("SANDBOX_SCREENSHOTS") != "1":
        return
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(IMAGES / f"{name}.png"))
