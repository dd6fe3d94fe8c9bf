"""Pages for people (SPEC §10): ``GET /docs``, the API reference, and ``GET /__sandbox/ui``,
the dashboard.

Both are plain server-rendered HTML with a small hand-written script and no build step; their
assets ship in the package (``assets/``), so they work with no internet. The reference is
Swagger UI (vendored from npm ``swagger-ui-dist``, Apache-2.0, see ``assets/swagger-ui/``) over
the live ``/openapi.json``. The dashboard reads and drives the sandbox only through the public
control plane, from the browser, with ``fetch``; it is guarded by the admin token like the rest
of ``/__sandbox`` (:mod:`sandbox.pages.guard`).

:func:`routes` is what the application mounts in front of the sandbox.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from sandbox.pages.dashboard import dashboard_routes
from sandbox.pages.docs import docs_routes
from sandbox.settings import Settings

__all__ = ["routes"]


def routes(settings: Settings) -> list[BaseRoute]:
    """The pages' routes, to be placed before the sandbox's own catch-all mount."""
    return [*docs_routes(settings), *dashboard_routes(settings)]
