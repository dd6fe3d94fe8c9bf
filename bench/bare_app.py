"""The baseline: a bare Starlette app with a Bearer-key check, serving the sandbox's product
document for ``GET /products/12345`` byte for byte.

It is what the sandbox would be if it did nothing but route, check a key and send bytes:
the ceiling the benchmark compares the sandbox with. Run it as the benchmark does::

    BENCH_PRODUCT_URL=http://127.0.0.1:PORT/products/12345 \\
    python -m uvicorn --app-dir bench bare_app:app --http httptools --loop uvloop \\
        --no-access-log --workers 1 --port 8081

``BENCH_PRODUCT_URL`` (a 127.0.0.1 URL of a running sandbox): the document is fetched from it
once at startup. Without it, the same document is built in-process from the default fixture.
``BENCH_KEYS``: the accepted keys, comma-separated (default ``sk-sandbox-full``).
"""

from __future__ import annotations

import os
import urllib.request
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PRODUCT_ID = 12345
JSON = "application/json; charset=utf-8"
KEYS = frozenset(k for k in os.environ.get("BENCH_KEYS", "sk-sandbox-full").split(",") if k)
UNAUTHORIZED = b'{"statusCode":401,"message":"Invalid API Key","error":"Unauthorized"}'
NOT_FOUND = b'{"statusCode":404,"message":"Product not found","error":"Not Found"}'


def fetch_document(url: str, key: str) -> bytes:
    """The body the running sandbox at ``url`` (on this machine only) answers."""
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
        raise ValueError(f"BENCH_PRODUCT_URL must point at this machine, not {url}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        body: bytes = reply.read()
        return body


def build_document() -> bytes:
    """The same document, built from the default fixture with the sandbox's own renderer."""
    from sandbox.fixtures import load_fixture
    from sandbox.http.responses import data_body
    from sandbox.http.views import product_view
    from sandbox.store import Store

    store = Store(load_fixture())
    stock = store.tenant(store.fixture.mint_from).stock
    body: bytes = data_body(product_view(store.catalog.get(PRODUCT_ID), stock))
    return body


def _document() -> bytes:
    url = os.environ.get("BENCH_PRODUCT_URL")
    return fetch_document(url, min(KEYS)) if url else build_document()


DOCUMENT = _document()


async def product(request: Request) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or token.strip() not in KEYS:
        return Response(UNAUTHORIZED, status_code=401, media_type=JSON)
    if request.path_params["id"] != PRODUCT_ID:
        return Response(NOT_FOUND, status_code=404, media_type=JSON)
    return Response(DOCUMENT, media_type=JSON)


app = Starlette(routes=[Route("/products/{id:int}", product)])
