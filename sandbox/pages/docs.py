"""``GET /docs``: the interactive API reference of the live ``/openapi.json``.

It is Swagger UI, vendored from npm ``swagger-ui-dist`` (:data:`SWAGGER_UI_VERSION`, Apache-2.0;
its ``LICENSE`` and ``NOTICE`` ship beside it in ``assets/swagger-ui/``). ``assets/docs/docs.js``
starts it with the bearer scheme pre-filled with :data:`DEFAULT_KEY` (or the key of
``/docs?key=...``, which the dashboard links to for a minted key); "Try it out" calls this
sandbox. The page is public, like ``/openapi.json``.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sandbox.pages.render import ASSETS, asset, html_page
from sandbox.settings import Settings

SWAGGER_UI_VERSION = "5.35.0"
DEFAULT_KEY = "sk-sandbox-full"
DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
OWN_ASSETS_PATH = "/docs/assets/sandbox"

# Swagger UI styles its elements inline (React style attributes) and shows images as data URLs.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


async def docs_page(request: Request) -> Response:
    return html_page(PAGE, csp=_CSP)


def docs_routes(settings: Settings) -> list[BaseRoute]:
    return [
        Route(DOCS_PATH, docs_page, methods=["GET"]),
        # Our own script and style first: the vendored directory holds only Swagger UI's files.
        Mount(OWN_ASSETS_PATH, app=StaticFiles(directory=ASSETS / "docs")),
        Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS / "swagger-ui")),
    ]


PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Commerce API sandbox: API reference</title>
<link rel="icon" type="image/png" href="{asset(ASSETS_PATH, "favicon-32x32.png")}">
<link rel="stylesheet" href="{asset(ASSETS_PATH, "swagger-ui.css")}">
<link rel="stylesheet" href="{asset(OWN_ASSETS_PATH, "docs.css")}">
<script src="{asset(ASSETS_PATH, "swagger-ui-bundle.js")}" defer></script>
<script src="{asset(OWN_ASSETS_PATH, "docs.js")}" defer></script>
</head>
<body data-spec-url="/openapi.json" data-default-key="{escape(DEFAULT_KEY)}">
<header class="sandbox-bar">
  <strong>Commerce API sandbox</strong>
  <span>API reference · Swagger UI {escape(SWAGGER_UI_VERSION)}</span>
  <nav><a href="/__sandbox/ui">Dashboard</a> · <a href="/openapi.json">openapi.json</a></nav>
</header>
<p class="sandbox-hint">"Try it out" calls this sandbox with the key
<code id="docs-key">{escape(DEFAULT_KEY)}</code>; paste another key (a minted one) under
<b>Authorize</b>. Control-plane operations are in the <b>control</b> group at the end.</p>
<div id="swagger-ui"><p class="sandbox-hint">Loading the reference…</p></div>
<noscript><p class="sandbox-hint">The reference needs JavaScript; the document itself is at
<a href="/openapi.json">/openapi.json</a>.</p></noscript>
</body>
</html>
"""
