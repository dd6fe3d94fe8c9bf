"""The dashboard's admin-token guard: ``/__sandbox/ui`` is guarded like the rest of
``/__sandbox``.

With ``SANDBOX_ADMIN_TOKEN`` unset the guard lets everything through. With it set, a request
for the dashboard (or one of its assets) holds the token when it carries it

- in the ``X-Sandbox-Admin-Token`` header, as every control request does (curl, tests), or
- in the session cookie :data:`COOKIE`, which the dashboard sets once the token was given by
  ``GET /__sandbox/ui?token=...`` or by the form of the refusal page (``POST /__sandbox/ui``).

The cookie is ``HttpOnly``, ``SameSite=Strict``, limited to ``/__sandbox/ui`` and dies with the
browser session. The page then hands the token to its script, which sends it as
``X-Sandbox-Admin-Token`` on every control call: the control plane itself never reads cookies.
A request without the token gets a 401: a page that says how to give it to a browser, the
control plane's JSON error to any other client.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from html import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.pages.render import html_page

COOKIE = "sandbox_admin_token"
HEADER = "x-sandbox-admin-token"
UI_PATH = "/__sandbox/ui"

#: The refusal page has no script and no asset (assets are guarded too): only its own style.
_REFUSAL_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " \
    "frame-ancestors 'none'; base-uri 'none'"  # fmt: skip


@dataclass(frozen=True, slots=True)
class AdminGuard:
    """Checks the admin token of a page request; ``token`` None: the sandbox has none."""

    token: str | None

    @property
    def enabled(self) -> bool:
        return self.token is not None

    def matches(self, value: str | None) -> bool:
        if self.token is None:
            return True
        if not value:
            return False
        return secrets.compare_digest(value.encode(), self.token.encode())

    def held(self, request: Request) -> str | None:
        """The token the request holds (header, else cookie), or None when it holds none.

        Without an admin token every request passes, holding ``""``."""
        if self.token is None:
            return ""
        for value in (request.headers.get(HEADER), request.cookies.get(COOKIE)):
            if value and self.matches(value):
                return value
        return None

    def remember(self, response: Response, token: str) -> Response:
        response.set_cookie(
            COOKIE, token, path=UI_PATH, httponly=True, samesite="strict"
        )  # no max_age: a session cookie
        return response

    def forget(self, response: Response) -> Response:
        response.delete_cookie(COOKIE, path=UI_PATH, httponly=True, samesite="strict")
        return response

    def refuse(self, request: Request, *, wrong: bool = False) -> Response:
        """The 401: an explaining page for a browser, the control plane's error otherwise."""
        message = "Invalid or missing X-Sandbox-Admin-Token"
        if "text/html" not in request.headers.get("accept", ""):
            return JSONResponse(
                {"statusCode": 401, "message": message, "error": "Unauthorized"},
                status_code=401,
            )
        return html_page(refusal_page(wrong=wrong), status=401, csp=_REFUSAL_CSP)


class Guarded:
    """An ASGI app (the dashboard's static files) behind the guard."""

    def __init__(self, app: ASGIApp, guard: AdminGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            if self.guard.held(request) is None:
                await self.guard.refuse(request)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def refusal_page(*, wrong: bool) -> str:
    problem = (
        "That token is not this sandbox's admin token."
        if wrong
        else "This sandbox was started with <code>SANDBOX_ADMIN_TOKEN</code>, so every "
        "<code>/__sandbox</code> request but health needs that token, the dashboard included."
    )
    ui = escape(UI_PATH)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox dashboard: admin token needed</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d232a; }}
code {{ background: #eef1f4; padding: 0 .25em; border-radius: 3px; }}
form {{ display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin: 1rem 0; }}
label {{ display: flex; flex-direction: column; font-weight: 600; flex: 1 1 16rem; }}
input {{ font: inherit; padding: .4rem; border: 1px solid #8a96a3; border-radius: 4px; }}
button {{ font: inherit; padding: .45rem 1rem; border: 0; border-radius: 4px;
          background: #1f5f99; color: #fff; cursor: pointer; }}
.problem {{ border-left: 4px solid #b3261e; padding-left: .75rem; }}
</style>
</head>
<body>
<h1>The dashboard needs the admin token</h1>
<p class="problem" id="problem">{problem}</p>
<p>Give it to this browser in one of these ways:</p>
<form method="post" action="{ui}">
  <label>Admin token
    <input type="password" name="token" autocomplete="current-password" required autofocus>
  </label>
  <button type="submit">Open the dashboard</button>
</form>
<ul>
  <li>open <code>{ui}?token=YOUR_TOKEN</code> (the value of <code>SANDBOX_ADMIN_TOKEN</code>);</li>
  <li>or send the header <code>X-Sandbox-Admin-Token: YOUR_TOKEN</code> with the request.</li>
</ul>
<p>The browser keeps the token in a session cookie for <code>{ui}</code> only, and the
dashboard sends it as <code>X-Sandbox-Admin-Token</code> on every control call.
<code>{ui}?lock=1</code> forgets it. The API reference at <a href="/docs">/docs</a> needs no
token.</p>
</body>
</html>
"""
