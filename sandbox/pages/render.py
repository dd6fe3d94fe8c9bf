"""What both pages share: where the assets are, their URLs, and an HTML response with the
headers a page of a local tool should carry."""

from __future__ import annotations

from html import escape
from pathlib import Path

from starlette.responses import HTMLResponse

from sandbox import __version__

#: The pages' static files, shipped as package data.
ASSETS = Path(__file__).parent / "assets"


def asset(prefix: str, name: str) -> str:
    """The URL of an asset, with the package version so an upgrade is never served stale."""
    return f"{prefix}/{name}?v={escape(__version__)}"


def html_page(
    body: str, *, status: int = 200, csp: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """``body`` (a whole document) as a page nobody caches, frames or gets a referrer from."""
    response = HTMLResponse(body, status_code=status)
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
