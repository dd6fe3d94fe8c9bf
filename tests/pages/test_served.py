"""What the pages serve, read without a browser: the guard's answers, the public reference,
nothing linked from outside, and the vendored assets shipped with their licence."""

from __future__ import annotations

import hashlib
import tomllib
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path

import httpx

from sandbox.pages.docs import SWAGGER_UI_VERSION
from sandbox.server import ThreadedServer
from tests.pages.conftest import ADMIN_TOKEN

HTML = {"Accept": "text/html"}
ROOT = Path(__file__).resolve().parents[2]


def test_the_dashboard_without_the_token_is_refused_with_a_page_saying_how_to_give_it(
    guarded_server: ThreadedServer,
) -> None:
    with httpx.Client(base_url=guarded_server.url) as client:
        refused = client.get("/__sandbox/ui", headers=HTML)
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("text/html")
        assert "/__sandbox/ui?token=YOUR_TOKEN" in refused.text
        assert "X-Sandbox-Admin-Token" in refused.text
        assert client.get("/__sandbox/ui").json() == {
            "statusCode": 401,
            "message": "Invalid or missing X-Sandbox-Admin-Token",
            "error": "Unauthorized",
        }
        assert client.get("/__sandbox/ui/assets/dashboard.js").status_code == 401
        wrong = client.get("/__sandbox/ui", headers={"X-Sandbox-Admin-Token": "guess"})
        assert wrong.status_code == 401


def test_the_token_as_a_header_or_a_link_opens_the_dashboard(
    guarded_server: ThreadedServer,
) -> None:
    with httpx.Client(base_url=guarded_server.url) as client:
        held = {"X-Sandbox-Admin-Token": ADMIN_TOKEN}
        assert client.get("/__sandbox/ui", headers=held).status_code == 200
        assert client.get("/__sandbox/ui/assets/dashboard.js", headers=held).status_code == 200

        linked = client.get("/__sandbox/ui", params={"token": ADMIN_TOKEN})
        assert linked.status_code == 303 and linked.headers["location"] == "/__sandbox/ui"
        assert "httponly" in linked.headers["set-cookie"].lower()
        assert client.get("/__sandbox/ui").status_code == 200  # the session cookie
        assert client.get("/__sandbox/ui", params={"lock": "1"}).status_code == 303
        assert client.get("/__sandbox/ui").status_code == 401

        wrong = client.get("/__sandbox/ui", params={"token": "guess"}, headers=HTML)
        assert wrong.status_code == 401
        assert "not this sandbox's admin token" in wrong.text


def test_the_reference_is_public_when_the_sandbox_has_an_admin_token(
    guarded_server: ThreadedServer,
) -> None:
    with httpx.Client(base_url=guarded_server.url) as client:
        assert client.get("/docs").status_code == 200
        assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/openapi.json").status_code == 200


def test_the_pages_link_nothing_outside_the_sandbox(api: httpx.Client) -> None:
    for path in ("/docs", "/__sandbox/ui"):
        page = api.get(path)
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text
        assert 'src="//' not in page.text and 'href="//' not in page.text
    own = files("sandbox.pages") / "assets"
    for name in ("docs/docs.js", "docs/docs.css", "ui/dashboard.js", "ui/dashboard.css"):
        text = (own / name).read_text()
        assert "http://" not in text and "https://" not in text, name


def test_swagger_ui_ships_with_its_licence_and_every_asset_is_package_data() -> None:
    assets = files("sandbox.pages") / "assets"
    assert "Apache License" in (assets / "swagger-ui" / "LICENSE").read_text()
    assert (assets / "swagger-ui" / "NOTICE").is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["sandbox"]
    shipped = ROOT / "sandbox" / "pages" / "assets"
    for path in shipped.rglob("*"):
        if path.is_file():
            relative = path.relative_to(ROOT / "sandbox").as_posix()
            assert any(fnmatch(relative, glob) for glob in package_data), relative


def test_the_vendored_swagger_ui_is_the_release_its_source_note_names() -> None:
    vendored = files("sandbox.pages") / "assets" / "swagger-ui"
    note = (vendored / "SOURCE.txt").read_text()
    assert f"swagger-ui-dist@{SWAGGER_UI_VERSION}" in note
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        digest = hashlib.sha256((vendored / name).read_bytes()).hexdigest()
        assert f"{name:<22} sha256 {digest}" in note, name
