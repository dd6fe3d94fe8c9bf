"""Test helpers over HTTP: an isolated tenant (:class:`Sandbox`) and an external server.

These are what the pytest plugin's fixtures hand to tests, and they work without pytest too::

    with Sandbox.mint("http://localhost:8080") as sandbox:
        sandbox.client.get("/cart")
        sandbox.advance_clock(3600)

Every control helper acts on the tenant only: it sends the tenant's key as ``Authorization:
Bearer`` to the control plane (``/__sandbox``), which then applies the action to that key's
user alone (SPEC §6). A control request that fails raises :class:`SandboxControlError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from sandbox.server import wait_until_healthy

__all__ = [
    "ADMIN_TOKEN_HEADER",
    "ExternalServer",
    "Sandbox",
    "SandboxControlError",
    "SandboxServer",
    "admin_token_from_env",
    "wait_until_healthy",
]

ADMIN_TOKEN_HEADER = "X-Sandbox-Admin-Token"


class SandboxControlError(Exception):
    """A control-plane request did not succeed; ``status_code`` and ``body`` say why."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        try:
            self.body: Any = response.json()
        except ValueError:
            self.body = response.text
        request = response.request
        super().__init__(
            f"{request.method} {request.url.path} answered {self.status_code}: {self.body}"
        )


class SandboxServer(Protocol):
    """What the ``sandbox_server`` fixture gives: a base URL, and a check for server errors."""

    @property
    def url(self) -> str: ...

    def check(self) -> None:
        """Raise what went wrong inside the server, if the server lives in this process."""


@dataclass(frozen=True, slots=True)
class ExternalServer:
    """A sandbox served elsewhere (``--sandbox-url``, ``SANDBOX_URL``: a container, say)."""

    url: str

    def check(self) -> None:
        """Nothing to check: an external server's errors are in its own logs."""

    def wait_until_healthy(self, timeout: float = 30.0) -> ExternalServer:
        """Return once ``/__sandbox/health`` answers 200; raise ``TimeoutError`` after
        ``timeout`` seconds (a container may still be starting)."""
        wait_until_healthy(self.url, timeout)
        return self


def admin_token_from_env() -> str | None:
    """``SANDBOX_ADMIN_TOKEN``, when set and not empty."""
    return os.environ.get("SANDBOX_ADMIN_TOKEN") or None


class Sandbox:
    """One isolated tenant of a sandbox: its key, a client that sends it, control helpers.

    Make one with :meth:`mint`; :meth:`close` (or ``with``) closes its HTTP clients.
    """

    def __init__(
        self,
        url: str,
        key: str,
        user_id: int,
        scopes: list[str],
        *,
        admin_token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.key = key
        self.user_id = user_id
        self.scopes = scopes
        #: An ``httpx.Client`` of the API with this tenant's key: ``client.get("/cart")``.
        self.client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=timeout
        )
        self._control = _control_client(self.url, admin_token, timeout, key=key)

    @classmethod
    def mint(
        cls,
        url: str,
        *,
        scopes: list[str] | None = None,
        balance: float | Decimal | None = None,
        admin_token: str | None = None,
        timeout: float = 30.0,
    ) -> Sandbox:
        """A new tenant from ``POST /__sandbox/keys``: a copy of user 1001's story, with
        ``scopes`` (default: every scope) and a wallet ``balance`` (default: the story's)."""
        body: dict[str, Any] = {}
        if scopes is not None:
            body["scopes"] = list(scopes)
        if balance is not None:
            body["balance"] = _number(balance)
        with _control_client(url.rstrip("/"), admin_token, timeout) as control:
            data = _data(control.post("/keys", json=body))
        return cls(
            url,
            data["key"],
            data["userId"],
            list(data["scopes"]),
            admin_token=admin_token,
            timeout=timeout,
        )

    # -- control helpers: each acts on this tenant only ------------------------------

    def advance_clock(self, seconds: float) -> Any:
        """Move the tenant's clock forward, firing every progression and window due;
        returns the clock (``{"now", "frozen"}``)."""
        return _data(self._control.post("/clock/advance", json={"seconds": seconds}))

    def advance_order(self, order_no: str, to: str | None = None) -> Any:
        """Move a purchase order one step forward, or up to status ``to``, with every side
        effect of the steps passed; returns what the control plane answers (the order)."""
        path = f"/orders/{quote(order_no, safe='')}/advance"
        return _data(self._control.post(path, json={} if to is None else {"to": to}))

    def advance_shipping(self, order_no: str, to: str | None = None) -> Any:
        """The same as :meth:`advance_order`, for a shipping order (``SHP-...``)."""
        path = f"/shipping/{quote(order_no, safe='')}/advance"
        return _data(self._control.post(path, json={} if to is None else {"to": to}))

    def activate(self, name: str) -> Any:
        """Activate a scenario (bundled or posted) on this tenant."""
        return _data(self._control.post(f"/scenarios/{quote(name, safe='')}/activate"))

    def deactivate(self, name: str) -> Any:
        """Deactivate a scenario on this tenant (the state it set stays; reset undoes it)."""
        return _data(self._control.post(f"/scenarios/{quote(name, safe='')}/deactivate"))

    def topup(self, amount: float | Decimal) -> Any:
        """Credit the tenant's wallet with ``amount`` CNY; returns the wallet."""
        return _data(self._control.post("/wallet/topup", json={"amount": _number(amount)}))

    def requests(self, **filters: str | int) -> list[dict[str, Any]]:
        """The tenant's request journal, newest first, filtered by ``method``, ``path``
        (exact) and ``status``: ``sandbox.requests(method="POST", path="/orders")``."""
        params = {name: str(value) for name, value in filters.items()}
        entries: list[dict[str, Any]] = _data(self._control.get("/requests", params=params))
        return entries

    # -- lifetime ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the tenant's HTTP clients (the tenant itself lives on in the sandbox)."""
        self.client.close()
        self._control.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Sandbox user {self.user_id} at {self.url}>"


def _control_client(
    url: str, admin_token: str | None, timeout: float, *, key: str | None = None
) -> httpx.Client:
    headers: dict[str, str] = {}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    if admin_token is not None:
        headers[ADMIN_TOKEN_HEADER] = admin_token
    return httpx.Client(base_url=f"{url}/__sandbox", headers=headers, timeout=timeout)


def _data(response: httpx.Response) -> Any:
    """The ``data`` of a control reply, or :class:`SandboxControlError`."""
    if not response.is_success:
        raise SandboxControlError(response)
    return response.json()["data"]


def _number(value: float | Decimal) -> float | int:
    """A JSON number: money travels as a number (2 decimals survive a float exactly)."""
    return value if isinstance(value, int) else float(value)
