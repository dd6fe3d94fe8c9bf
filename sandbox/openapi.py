"""The OpenAPI 3.1 document, generated from the route tables (the contract issue fills it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import __version__

if TYPE_CHECKING:
    from sandbox.http.app import SandboxApp


def build_document(app: SandboxApp) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Commerce API sandbox", "version": __version__},
        "paths": {},
    }
