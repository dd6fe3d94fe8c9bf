"""``GET /__sandbox/ui``: the dashboard of the running sandbox.

The server renders the page's frame (the panels and the control forms, with the statuses an
order or a shipping order can be advanced to, read from the lifecycle tables); the script
``assets/ui/dashboard.js`` fills it in and drives the sandbox, through the public control plane
only: ``GET /__sandbox/tenants``, the tenant's journal (``GET /__sandbox/requests``, polled every
:data:`POLL_MS` milliseconds), its state, scenarios, and the control actions. The page is
guarded by the admin token (:mod:`sandbox.pages.guard`).
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sandbox.domain.lifecycle import ORDER_STATUSES, SHIPPING_STATUSES
from sandbox.pages.guard import UI_PATH, AdminGuard, Guarded
from sandbox.pages.render import ASSETS, asset, html_page
from sandbox.settings import Settings

ASSETS_PATH = f"{UI_PATH}/assets"

#: How often the page asks for the tenant's journal: new entries show within a second.
POLL_MS = 500

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class Dashboard:
    """The dashboard's handlers over one guard."""

    def __init__(self, guard: AdminGuard) -> None:
        self.guard = guard

    async def show(self, request: Request) -> Response:
        query = request.query_params
        if "lock" in query:
            return self.guard.forget(RedirectResponse(UI_PATH, status_code=303))
        given = query.get("token")
        if self.guard.enabled and given is not None:
            return self._unlock(request, given)
        token = self.guard.held(request)
        if token is None:
            return self.guard.refuse(request)
        return html_page(page(token), csp=_CSP)

    async def unlock(self, request: Request) -> Response:
        """The refusal page's form: ``token=...`` as a form body."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        return self._unlock(request, (form.get("token") or [""])[0])

    def _unlock(self, request: Request, token: str) -> Response:
        if not self.guard.matches(token):
            return self.guard.refuse(request, wrong=True)
        # Off the URL (history, logs) and into the session cookie.
        return self.guard.remember(RedirectResponse(UI_PATH, status_code=303), token)


def dashboard_routes(settings: Settings) -> list[BaseRoute]:
    dashboard = Dashboard(AdminGuard(settings.admin_token))
    files = StaticFiles(directory=ASSETS / "ui")
    return [
        Route(UI_PATH, dashboard.show, methods=["GET"]),
        Route(UI_PATH, dashboard.unlock, methods=["POST"]),
        Route(f"{UI_PATH}/", lambda _: RedirectResponse(UI_PATH, status_code=308)),
        Mount(ASSETS_PATH, app=Guarded(files, dashboard.guard)),
    ]


def _options(statuses: tuple[str, ...]) -> str:
    return "".join(f'<option value="{escape(s)}">{escape(s)}</option>' for s in statuses)


def page(token: str) -> str:
    """The dashboard's HTML; ``token`` (the admin token, or "") goes to the script."""
    token_meta = f'<meta name="sandbox-admin-token" content="{escape(token)}">\n' if token else ""
    lock = f' · <a href="{UI_PATH}?lock=1">Lock</a>' if token else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{token_meta}<title>Sandbox dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{asset(ASSETS_PATH, "dashboard.css")}">
<script src="{asset(ASSETS_PATH, "dashboard.js")}" defer></script>
</head>
<body data-poll-ms="{POLL_MS}">
<header class="bar">
  <h1>Commerce API sandbox <span class="muted">dashboard</span></h1>
  <nav><a href="/docs">API reference</a> · <a href="/openapi.json">openapi.json</a>{lock}</nav>
</header>
<div id="notice" class="notice" hidden></div>
<noscript><p class="notice error">The dashboard needs JavaScript.</p></noscript>
<main class="layout">
  <aside class="panel" id="tenants-panel" aria-labelledby="tenants-title">
    <div class="panel-head">
      <h2 id="tenants-title">Tenants</h2>
      <button type="button" id="mint">Mint a key</button>
    </div>
    <ul id="tenants" class="tenants"><li class="muted">Loading…</li></ul>
  </aside>
  <div class="tenant" id="tenant">
    <section class="panel" aria-labelledby="tenant-title">
      <div class="panel-head">
        <h2 id="tenant-title">Tenant</h2>
        <span class="actions">
          <a id="docs-link" href="/docs">Try the API with this key</a>
          <button type="button" id="reset" class="warn">Reset tenant</button>
          <button type="button" id="retire" class="warn" hidden>Retire key</button>
        </span>
      </div>
      <dl id="tenant-summary" class="summary"></dl>
      <div class="controls">
        <form id="clock-form" class="control">
          <label>Advance the clock by
            <input name="seconds" value="3600" inputmode="decimal" size="9"> seconds</label>
          <button type="submit">Advance clock</button>
        </form>
        <form id="topup-form" class="control">
          <label>Top up the wallet by
            <input name="amount" value="1000" inputmode="decimal" size="9"> CNY</label>
          <button type="submit">Top up</button>
        </form>
        <form id="order-form" class="control">
          <label>Order <input name="orderNo" list="order-numbers" size="18"
            placeholder="ORD-…" autocomplete="off"></label>
          <label>to <select name="to"><option value="">the next step</option>
            {_options(ORDER_STATUSES)}</select></label>
          <button type="submit">Advance order</button>
        </form>
        <form id="shipping-form" class="control">
          <label>Shipping order <input name="orderNo" list="shipping-numbers" size="18"
            placeholder="SHP-…" autocomplete="off"></label>
          <label>to <select name="to"><option value="">the next step</option>
            {_options(SHIPPING_STATUSES)}</select></label>
          <button type="submit">Advance shipping</button>
        </form>
        <datalist id="order-numbers"></datalist>
        <datalist id="shipping-numbers"></datalist>
      </div>
      <details class="scenarios" open>
        <summary>Scenarios</summary>
        <ul id="scenarios" class="scenario-list"></ul>
      </details>
    </section>
    <section class="panel journal-panel" aria-labelledby="journal-title">
      <div class="panel-head">
        <h2 id="journal-title">Journal <span id="live" class="live" title="Polling"></span></h2>
        <span class="actions">
          <input id="journal-filter" type="search" placeholder="Filter" aria-label="Filter">
          <button type="button" id="clear-journal">Clear</button>
        </span>
      </div>
      <div class="journal">
        <div class="scroll">
          <table class="grid" id="journal">
            <thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th>
              <th>ms</th><th>Scenario</th></tr></thead>
            <tbody></tbody>
          </table>
          <p id="journal-empty" class="muted">No requests yet: call the API with the
            tenant's key and they show here.</p>
        </div>
        <article id="entry" class="entry" aria-live="polite">
          <p class="muted">Open an entry to see its request and response.</p>
        </article>
      </div>
    </section>
    <section class="panel" aria-labelledby="state-title">
      <div class="panel-head"><h2 id="state-title">State</h2></div>
      <div id="state" class="state"></div>
    </section>
  </div>
</main>
</body>
</html>
"""
