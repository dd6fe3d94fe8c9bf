"""The composition root: ``create_app(store, settings)`` returns a Starlette application.

Everything the sandbox serves is composed here, in one place::

    /openapi.json      the OpenAPI 3.1 document, built once from the route tables
    /docs, /__sandbox/ui   the pages for people (sandbox.pages)
    /__sandbox/...     the control plane (sandbox.control)
    everything else    the v1 API pipeline (sandbox.http.api), under / and /v1/

The application is a real :class:`starlette.applications.Starlette`: add middleware to it
(``app.add_middleware(...)``), mount it inside another Starlette or FastAPI application, or
drive it with ``starlette.testclient.TestClient``. CORS, when configured, is Starlette's own
``CORSMiddleware``.

The API pipeline is the product's hot path. While no middleware has been added, an API
request goes straight to it instead of through Starlette's middleware stack and router: the
same handler the router would pick, minus a few layers of calls (see ``bench/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route

from sandbox import pages
from sandbox.backend import Backend
from sandbox.control.plane import ControlPlane
from sandbox.errors import NotFound
from sandbox.http.api import ApiPipeline
from sandbox.http.endpoint import Endpoint
from sandbox.http.exchange import Exchange, Reply, route_path
from sandbox.http.operations import Operation
from sandbox.http.responses import dumps
from sandbox.http.routes import OPERATIONS
from sandbox.http.routing import Under
from sandbox.openapi import build_document
from sandbox.settings import Settings
from sandbox.store import Store

#: Response headers a browser client may read when CORS is on.
CORS_EXPOSED = ("X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                "X-RateLimit-Reset", "Retry-After", "X-Sandbox-Scenario")  # fmt: skip


class OpenApiDocument(Endpoint):
    """``GET /openapi.json``: the document of the API's and the control plane's tables."""

    def __init__(self, api: ApiPipeline, control: ControlPlane) -> None:
        super().__init__(api.backend)
        self.api = api
        self.control = control
        self._reply: Reply | None = None

    def document(self) -> dict[str, Any]:
        return build_document(self.api.operations, self.control.operations)

    def handle(self, exchange: Exchange) -> Reply:
        if exchange.method != "GET":
            raise NotFound(f"Cannot {exchange.method} {exchange.url}")
        if self._reply is None:
            self._reply = Reply(200, dumps(self.document()))
        return self._reply


class SandboxApplication(Starlette):
    """The sandbox as a Starlette application over one :class:`~sandbox.backend.Backend`."""

    def __init__(
        self,
        backend: Backend,
        settings: Settings,
        api: ApiPipeline,
        control: ControlPlane,
        document: OpenApiDocument,
        routes: Sequence[BaseRoute],
        middleware: Sequence[Middleware] = (),
    ) -> None:
        super().__init__(routes=routes, middleware=middleware)
        self.backend = backend
        self.settings = settings
        self.api = api
        self.control = control
        self._document = document
        # Every route but the API's own catch-all, by the prefix it claims.
        self._routed = tuple(str(getattr(route, "path", "")) for route in routes[:-1])

    @property
    def store(self) -> Store:
        return self.backend.store

    @property
    def operations(self) -> tuple[Operation, ...]:
        """The API's operations (the control plane's are ``control.operations``)."""
        return self.api.operations

    def document(self) -> dict[str, Any]:
        """The OpenAPI document that ``GET /openapi.json`` serves."""
        return self._document.document()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and not self.user_middleware
            and not route_path(scope).startswith(self._routed)
        ):
            await self.api(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(store: Store | None = None, settings: Settings | None = None) -> SandboxApplication:
    """The sandbox over ``store`` (default: a new store of the settings' fixture)."""
    settings = settings or Settings()
    api_routes = [(operation.method, operation.path) for operation in OPERATIONS]
    backend = Backend.from_settings(settings, store, api_routes)
    api = ApiPipeline(backend, OPERATIONS, settings.body_limit)
    control = ControlPlane(backend, settings)
    document = OpenApiDocument(api, control)
    routes: list[BaseRoute] = [
        Route("/openapi.json", document),
        *pages.routes(settings),
        Under("/__sandbox", control),
        Under("/", api),
    ]
    middleware = []
    if settings.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["*"],
            allow_headers=["*"], expose_headers=list(CORS_EXPOSED), max_age=600,
        ))  # fmt: skip
    return SandboxApplication(backend, settings, api, control, document, routes, middleware)
