"""The contract check every HTTP test runs: each response the test client receives must match
the OpenAPI document's schema for its operation and status.

So a shape changed in the code without the document (or the other way round) fails the suite.
Responses a scenario scripted (they carry ``X-Sandbox-Scenario``) are the test's own design
and are not checked.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from starlette.testclient import TestClient

from sandbox.http.app import SandboxApplication, create_app

_URI = "urn:sandbox:openapi"


@functools.cache
def document() -> dict[str, Any]:
    return create_app().document()


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(_URI, DRAFT202012.create_resource(document()))


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@functools.cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": _URI + pointer}, registry=_registry())


def template_of(app: SandboxApplication, method: str, path: str) -> str | None:
    """The document's path template for a request, or None for an unknown route."""
    if path == "/openapi.json":
        return path
    if path.startswith("/__sandbox"):
        if path.rstrip("/") == "/__sandbox/health":
            return "/__sandbox/health"
        control, _ = app.control.router.match(method, path.removeprefix("/__sandbox").rstrip("/"))
        return None if control is None else "/__sandbox" + control.path
    if path[:3].lower() == "/v1" and (len(path) == 3 or path[3] == "/"):
        path = path[3:] or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    operation, _ = app.api.router.match(method, path)
    return None if operation is None else operation.path


def check(app: SandboxApplication, response: httpx.Response) -> None:
    if "x-sandbox-scenario" in response.headers:
        return
    request = response.request
    method = request.method
    template = template_of(app, method, urlsplit(str(request.url)).path)
    body = response.json()
    if template is None:
        assert response.status_code == 404, f"{method} {request.url}: no such operation"
        _validator("#/components/schemas/ApiError").validate(body)
        return
    responses = document()["paths"][template][method.lower()]["responses"]
    status = str(response.status_code)
    assert status in responses, f"{method} {template}: status {status} is not in the document"
    pointer = _pointer("paths", template, method.lower(), "responses", status, "content",
                       "application/json", "schema")  # fmt: skip
    errors = sorted(_validator(pointer).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{method} {template} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]
    )


class ContractClient(TestClient):
    """A TestClient that checks every response against the OpenAPI document."""

    def __init__(self, app: SandboxApplication, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.sandbox = app

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response = super().request(*args, **kwargs)
        if response.content and response.headers.get("content-type", "").startswith(
            "application/json"
        ):  # a HEAD or a 304 has no body to check
            check(self.sandbox, response)
        return response
