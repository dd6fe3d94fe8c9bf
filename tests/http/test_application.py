"""The application is Starlette's: mounted in another app, wrapped in middleware, driven by
``TestClient``, with CORS when asked for."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from sandbox.http.app import create_app
from sandbox.settings import Settings
from tests.conftest import FULL

AUTH = {"Authorization": f"Bearer {FULL}"}


def test_create_app_is_a_starlette_application() -> None:
    assert isinstance(create_app(), Starlette)


def test_mounted_under_a_prefix_it_serves_both_planes_and_journals_its_own_paths() -> None:
    sandbox = create_app()
    outer = Starlette(routes=[Mount("/sandbox", app=sandbox)])
    with TestClient(outer, base_url="http://test") as client:
        product = client.get("/sandbox/v1/products/12345", headers=AUTH)
        assert product.status_code == 200
        assert product.json()["data"]["title"] == "Nike Air Max 90"
        assert client.get("/sandbox/__sandbox/health").json() == {"status": "ok"}
        assert client.get("/sandbox/openapi.json").json()["openapi"] == "3.1.0"
        missing = client.get("/sandbox/v1/nowhere", headers=AUTH)
        assert missing.json()["message"] == "Cannot GET /v1/nowhere"
        journal = client.get("/sandbox/__sandbox/requests").json()["data"]
        assert [e["path"] for e in journal] == ["/v1/nowhere", "/v1/products/12345"]


class StampMiddleware:
    """A plain ASGI middleware that stamps every response."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-stamp", b"yes")]
            await send(message)

        await self.app(scope, receive, stamped)  # type: ignore[operator]


def test_an_added_middleware_sees_every_request_of_both_planes() -> None:
    app = create_app()
    app.add_middleware(StampMiddleware)
    with TestClient(app, base_url="http://test") as client:
        assert client.get("/v1/products/12345", headers=AUTH).headers["x-stamp"] == "yes"
        assert client.get("/v1/nowhere").headers["x-stamp"] == "yes"
        assert client.get("/__sandbox/clock").headers["x-stamp"] == "yes"
        assert client.get("/openapi.json").headers["x-stamp"] == "yes"


def test_cors_is_off_by_default_so_a_preflight_is_the_apis_404() -> None:
    with TestClient(create_app(), base_url="http://test") as client:
        preflight = client.options(
            "/v1/cart",
            headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.status_code == 404
        assert "access-control-allow-origin" not in preflight.headers


def test_with_cors_origins_a_preflight_and_the_call_it_allows_succeed() -> None:
    settings = Settings(cors_origins=("http://localhost:3000",))
    with TestClient(create_app(settings=settings), base_url="http://test") as client:
        preflight = client.options(
            "/v1/cart",
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        cart = client.get("/v1/cart", headers={**AUTH, "Origin": "http://localhost:3000"})
        assert cart.status_code == 200
        assert cart.headers["access-control-allow-origin"] == "http://localhost:3000"
        assert "x-request-id" in cart.headers["access-control-expose-headers"].lower()
        other = client.get("/v1/cart", headers={**AUTH, "Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_come_from_the_environment_too() -> None:
    settings = Settings.from_env({"SANDBOX_CORS_ORIGINS": "http://a.example, http://b.example/"})
    assert settings.cors_origins == ("http://a.example", "http://b.example")
