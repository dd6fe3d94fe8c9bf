"""Test helpers over HTTP: isolated tenants (:class:`Sandbox`) of a running sandbox.

These are what the pytest plugin's fixtures hand to tests, and they work without pytest too::

    with Sandbox.mint("http://localhost:8080") as sandbox:   # retired again on exit
        sandbox.client.get("/cart")
        sandbox.advance_clock(3600)

Every control helper acts on its tenant only: it sends the tenant's key as ``Authorization:
Bearer`` to the control plane (``/__sandbox``), which then applies the action to that key's
user alone (SPEC §6), and it sends the admin token, when there is one, as
``X-Sandbox-Admin-Token``. A control request that fails raises :class:`SandboxControlError`,
whose message says what the sandbox answered and what to do about it.

A :class:`Connection` is what tenants of one server share: one HTTP transport (one connection
pool and one SSL context) and one control client. Tenants share nothing else: each has its own
key, its own ``httpx.Client`` (headers, cookies) and its own state in the sandbox.
"""

from __future__ import annotations

import difflib
import http.client
import json as _json
import os
import re
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import httpx

from sandbox.journal import api_path as _api_path
from sandbox.scenario.model import compile_path
from sandbox.server import wait_until_healthy

__all__ = [
    "ADMIN_TOKEN_HEADER",
    "Connection",
    "ExternalServer",
    "Sandbox",
    "SandboxControlError",
    "SandboxFactory",
    "SandboxServer",
    "admin_token_from_env",
    "wait_until_healthy",
]

ADMIN_TOKEN_HEADER = "X-Sandbox-Admin-Token"

#: The journal filters the control plane takes (``GET /__sandbox/requests?...``).
FILTERS = ("method", "path", "status", "limit")

#: How many journal entries an assertion's failure message lists.
NEAREST = 5


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
        message = f"{request.method} {request.url.path} answered {self.status_code}: {self.body}"
        hint = _hint(request, self.status_code, self.body)
        super().__init__(f"{message}\n{hint}" if hint else message)


def _hint(request: httpx.Request, status: int, body: Any) -> str:
    """What to do about a refused control request, when the refusal says."""
    text = str(body.get("message", "")) if isinstance(body, dict) else str(body)
    if status == 401 and "Admin-Token" in text:
        if ADMIN_TOKEN_HEADER.lower() in request.headers:
            return "The admin token sent is not the sandbox's: check SANDBOX_ADMIN_TOKEN."
        return (
            "The sandbox was started with an admin token: set SANDBOX_ADMIN_TOKEN (or pass "
            "--sandbox-admin-token to pytest) to the same value."
        )
    if status == 404 and "/scenarios/" in request.url.path:
        return (
            "No scenario by that name here: `sandbox scenarios` lists the bundled ones, "
            "GET /__sandbox/scenarios those this tenant knows; post your own with "
            "sandbox.scenario(doc)."
        )
    if status == 404 and text == "Unknown API key":
        return "The tenant's key is unknown to the sandbox: was it retired, or the sandbox reset?"
    return ""


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


class _Shared(httpx.BaseTransport):
    """A transport many clients use: closing one client leaves it open for the others."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.transport.handle_request(request)

    def close(self) -> None:
        """Left to the :class:`Connection` that owns the transport."""


class _ControlChannel:
    """Control requests over one keep-alive connection (``http.client``), under a lock.

    The control plane is the sandbox's own, and a test pays for two control requests at
    least (mint and retire): a bare connection costs about half of what an ``httpx`` request
    does. A connection the server closed while idle is opened again, and the request sent
    again once, as connection pools do.
    """

    def __init__(self, url: str, headers: Mapping[str, str], timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not a sandbox URL: {url!r} (http://host:port, or https://...)")
        self.url = url
        self.secure = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/") + "/__sandbox"
        self.headers = {"Accept": "application/json", **headers}
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self.closed = False

    def request(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes, dict[str, str]]:
        """Status, headers and body of the reply, and the headers sent."""
        sent = {**self.headers, **headers}
        with self._lock:
            if self.closed:
                raise RuntimeError(f"the connection to {self.url} is closed")
            for retry in (False, True):
                fresh = self._connection is None
                connection = self._connection or self._connect()
                self._connection = connection
                try:
                    connection.request(method, self.prefix + path, body=body, headers=sent)
                    response = connection.getresponse()
                    data = response.read()
                except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError):
                    self._drop()
                    if fresh or retry:
                        raise
                    continue  # the server had closed the idle connection: once more, anew
                except BaseException:
                    self._drop()
                    raise
                if response.will_close:
                    self._drop()
                return response.status, response.getheaders(), data, sent
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> http.client.HTTPConnection:
        if self.secure:
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        """Close the connection for good: a later request is a ``RuntimeError``."""
        with self._lock:
            self._drop()
            self.closed = True


class Connection:
    """One sandbox server as tests reach it: one transport, one control channel, a session.

    Every :class:`Sandbox` it mints sends its API requests through the same connection pool
    and SSL context (an ``httpx.Client`` built from scratch costs tens of milliseconds, one on
    a shared transport tens of microseconds), and every control request goes through one
    keep-alive connection that carries the admin token. Nothing a test can change lives here:
    headers, cookies and keys belong to each tenant and its own clients.
    """

    def __init__(self, url: str, *, admin_token: str | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.admin_token = admin_token
        self.timeout = timeout
        headers = {ADMIN_TOKEN_HEADER: admin_token} if admin_token is not None else {}
        self._control = _ControlChannel(self.url, headers, timeout)
        self._transport = httpx.HTTPTransport()
        self._ssl_context: ssl.SSLContext | None = None

    def client(self, *, headers: Mapping[str, str] | None = None) -> httpx.Client:
        """A new ``httpx.Client`` of this server on the shared transport (closing it leaves
        the transport open for the others)."""
        return httpx.Client(
            base_url=self.url,
            headers=dict(headers or {}),
            timeout=self.timeout,
            transport=_Shared(self._transport),
            trust_env=False,  # a sandbox is reached directly, never through $HTTP_PROXY
        )

    def async_client(self, *, headers: Mapping[str, str] | None = None) -> httpx.AsyncClient:
        """A new ``httpx.AsyncClient`` of this server, on the connection's SSL context.

        It keeps no idle connections, so it can be left unclosed and belongs to no event loop
        once a request is done (each test may run its own loop).
        """
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        transport = httpx.AsyncHTTPTransport(
            verify=self._ssl_context, limits=httpx.Limits(max_keepalive_connections=0)
        )
        return httpx.AsyncClient(
            base_url=self.url,
            headers=dict(headers or {}),
            timeout=self.timeout,
            transport=transport,
            trust_env=False,
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """One control request (``path`` below ``/__sandbox``), on ``key``'s tenant when a key
        is given; the reply's ``data``, or :class:`SandboxControlError`."""
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        if json is not None:
            content = _json.dumps(json).encode()
            content_type = "application/json"
        if content_type is not None:
            headers["Content-Type"] = content_type
        if params:
            path = f"{path}?{urlencode(params)}"
        status, reply_headers, data, sent = self._control.request(method, path, content, headers)
        if not 200 <= status < 300:
            request = httpx.Request(method, f"{self.url}/__sandbox{path}", headers=sent)
            raise SandboxControlError(
                httpx.Response(status, headers=reply_headers, content=data, request=request)
            )
        return _json.loads(data)["data"]

    def mint(
        self,
        *,
        scopes: list[str] | tuple[str, ...] | None = None,
        balance: float | Decimal | None = None,
        story: bool = True,
    ) -> Sandbox:
        """A new isolated tenant (``POST /__sandbox/keys``), as :meth:`Sandbox.mint` says."""
        body: dict[str, Any] = {}
        if scopes is not None:
            body["scopes"] = list(scopes)
        if balance is not None:
            body["balance"] = _number(balance)
        if not story:
            body["story"] = False
        data = self.call("POST", "/keys", json=body)
        return Sandbox(data["key"], data["userId"], list(data["scopes"]), connection=self,
                       minted=True)  # fmt: skip

    def tenant_count(self) -> int:
        """How many tenants the sandbox holds (``GET /__sandbox/tenants``, without a key)."""
        return len(self.call("GET", "/tenants"))

    def close(self) -> None:
        """Close the control connection and the shared transport."""
        self._control.close()
        self._transport.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Connection to {self.url}>"


class Sandbox:
    """One isolated tenant of a sandbox: its key, clients that send it, control helpers.

    Make one with :meth:`mint` (or take the plugin's ``sandbox`` fixture). Every helper acts
    on this tenant only, and returns the control plane's ``data``.
    """

    def __init__(
        self,
        key: str,
        user_id: int,
        scopes: list[str],
        *,
        connection: Connection,
        minted: bool = False,
    ) -> None:
        self.connection = connection
        self.url = connection.url
        #: The tenant's API key (``sk-sandbox-...``).
        self.key = key
        #: The tenant's user id.
        self.user_id = user_id
        #: The key's scopes, in the key's order.
        self.scopes = scopes
        #: Whether this object minted the tenant (then :meth:`retire` on ``with`` exit).
        self.minted = minted
        self._auth = {"Authorization": f"Bearer {key}"}
        #: An ``httpx.Client`` of the API with this tenant's key: ``client.get("/cart")``.
        self.client = connection.client(headers=self._auth)
        self._async_client: httpx.AsyncClient | None = None
        self._owns_connection = False

    @classmethod
    def mint(
        cls,
        url: str,
        *,
        scopes: list[str] | tuple[str, ...] | None = None,
        balance: float | Decimal | None = None,
        story: bool = True,
        admin_token: str | None = None,
        timeout: float = 30.0,
    ) -> Sandbox:
        """A new tenant from ``POST /__sandbox/keys`` of the sandbox at ``url``.

        ``scopes``: the key's scopes (default: every scope). ``story``: a copy of user 1001's
        story (cart line 501, the four orders...), else an empty user with the fixture's
        catalog only. ``balance``: the wallet's balance (default: the story's 2,000.00, or
        0.00 without the story). ``admin_token``: sent with every control request.
        The tenant gets a :class:`Connection` of its own, closed by :meth:`close`.
        """
        connection = Connection(url, admin_token=admin_token, timeout=timeout)
        try:
            tenant = connection.mint(scopes=scopes, balance=balance, story=story)
        except BaseException:
            connection.close()
            raise
        tenant._owns_connection = True
        return tenant

    @property
    def async_client(self) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` of the API with this tenant's key, like :attr:`client`
        (made on first use; ``await sandbox.async_client.get("/cart")``)."""
        if self._async_client is None:
            self._async_client = self.connection.async_client(headers=self._auth)
        return self._async_client

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.connection.call(method, path, key=self.key, **kwargs)

    # -- the clock ------------------------------------------------------------------------

    def now(self) -> datetime:
        """The tenant's clock, as an aware ``datetime`` in UTC (``GET /__sandbox/clock``)."""
        return _parse_time(self._control("GET", "/clock")["now"])

    def advance_clock(self, seconds: float) -> Any:
        """Move the tenant's clock forward, firing every progression and window due;
        returns the clock (``{"now", "frozen"}``)."""
        return self._control("POST", "/clock/advance", json={"seconds": seconds})

    def set_clock(self, now: datetime | str | None = None, frozen: bool | None = None) -> Any:
        """Set the tenant's clock to ``now`` (a ``datetime``, naive meaning UTC, or an ISO
        8601 string) and/or freeze (``frozen=True``) or thaw it; returns the clock. Setting it
        forward fires what falls due on the way, as :meth:`advance_clock` does."""
        if now is None and frozen is None:
            raise TypeError("set_clock() needs now, frozen, or both")
        body: dict[str, Any] = {}
        if now is not None:
            body["now"] = _format_time(now)
        if frozen is not None:
            body["frozen"] = frozen
        return self._control("PUT", "/clock", json=body)

    def freeze_clock(self) -> Any:
        """Stop the tenant's clock where it is (it moves only when told to); returns it."""
        return self.set_clock(frozen=True)

    # -- orders, shipping, the wallet -----------------------------------------------------

    def advance_order(self, order_no: str, to: str | None = None) -> Any:
        """Move a purchase order one step forward, or up to status ``to``, with every side
        effect of the steps passed; returns what the control plane answers (the order)."""
        path = f"/orders/{quote(order_no, safe='')}/advance"
        return self._control("POST", path, json={} if to is None else {"to": to})

    def advance_shipping(self, order_no: str, to: str | None = None) -> Any:
        """The same as :meth:`advance_order`, for a shipping order (``SHP-...``)."""
        path = f"/shipping/{quote(order_no, safe='')}/advance"
        return self._control("POST", path, json={} if to is None else {"to": to})

    def topup(self, amount: float | Decimal) -> Any:
        """Credit the tenant's wallet with ``amount`` CNY; returns the wallet."""
        return self._control("POST", "/wallet/topup", json={"amount": _number(amount)})

    # -- scenarios ------------------------------------------------------------------------

    def activate(self, name: str) -> Any:
        """Activate a scenario (bundled or posted) on this tenant."""
        return self._control("POST", f"/scenarios/{quote(name, safe='')}/activate")

    def deactivate(self, name: str) -> Any:
        """Deactivate a scenario on this tenant (the state it set stays; reset undoes it)."""
        return self._control("POST", f"/scenarios/{quote(name, safe='')}/deactivate")

    def scenario(self, doc: Mapping[str, Any] | str | Path) -> str:
        """Post a scenario document to this tenant, which activates it; returns its name.

        ``doc`` is a dict, a YAML or JSON string, or a ``pathlib.Path`` of a scenario file
        (``.json`` is sent as JSON, anything else as YAML). A document the sandbox refuses
        raises :class:`SandboxControlError` naming the field and the reason.
        """
        if isinstance(doc, Path):
            content = doc.read_bytes()
            media = "application/json" if doc.suffix == ".json" else "application/yaml"
        elif isinstance(doc, str):
            if "\n" not in doc and doc.strip().endswith((".yaml", ".yml", ".json")):
                raise TypeError(
                    f"scenario({doc!r}) takes a document: to post a file, pass "
                    f"pathlib.Path({doc!r}); to activate a known scenario, use activate()"
                )
            content = doc.encode()
            media = "application/json" if doc.lstrip().startswith("{") else "application/yaml"
        elif isinstance(doc, Mapping):
            return str(self._control("POST", "/scenarios", json=dict(doc))["name"])
        else:
            raise TypeError(f"scenario() takes a dict, a str or a Path, not {type(doc).__name__}")
        reply = self._control("POST", "/scenarios", content=content, content_type=media)
        return str(reply["name"])

    # -- state ----------------------------------------------------------------------------

    def reset(self) -> Any:
        """The tenant back to its story: state, clock, scenarios, windows and journal."""
        return self._control("POST", "/reset")

    def state(self) -> dict[str, Any]:
        """The tenant's whole state, in the fixture's ``users[]`` format (a dict to keep,
        edit, and give back to :meth:`restore`)."""
        state: dict[str, Any] = self._control("GET", "/state")
        return state

    def restore(self, state: Mapping[str, Any]) -> Any:
        """Replace the tenant's state with one :meth:`state` returned (changed or not)."""
        return self._control("PUT", "/state", json=dict(state))

    # -- the journal ----------------------------------------------------------------------

    def requests(self, **filters: str | int) -> list[dict[str, Any]]:
        """The tenant's request journal, newest first, filtered by ``method``, ``path``
        (with or without ``/v1``) and ``status``, at most ``limit`` of them:
        ``sandbox.requests(method="POST", path="/orders")``. Each entry has ``requestId``,
        ``method``, ``path``, ``query``, ``body``, ``status``, ``response``, ``scenario``,
        ``durationMs``, ``time``..."""
        unknown = sorted(set(filters) - set(FILTERS))
        if unknown:
            raise TypeError(f"unknown journal filter {', '.join(unknown)}: use {FILTERS}")
        params = {name: str(value) for name, value in filters.items()}
        entries: list[dict[str, Any]] = self._control("GET", "/requests", params=params)
        return entries

    def last_request(self, **filters: str | int) -> dict[str, Any]:
        """The newest journal entry matching ``filters`` (as :meth:`requests` takes them);
        ``AssertionError`` listing the nearest entries when there is none."""
        found = self.requests(**{**filters, "limit": 1})
        if found:
            return found[0]
        wanted = " ".join(f"{k}={v}" for k, v in filters.items()) or "any request"
        raise AssertionError(
            f"no request in the journal of user {self.user_id} matches {wanted}.\n"
            + _nearest(self.requests(), str(filters.get("method", "")),
                       str(filters.get("path", "")), _status(filters.get("status")))
        )  # fmt: skip

    def assert_requested(
        self,
        method: str,
        path: str,
        *,
        times: int | None = None,
        status: int | None = None,
    ) -> list[dict[str, Any]]:
        """Assert that the tenant's client sent ``method path`` (at least once, or exactly
        ``times`` times; with ``status``, answered so); returns the matching entries.

        ``path`` is written with or without ``/v1``, and may hold the patterns of scenario
        rules: ``/orders/{orderNo}`` or ``/orders/*`` (one segment), ``/user/**`` (any rest).
        A failure's ``AssertionError`` lists the journal's nearest entries.
        """
        journal = self.requests()
        pattern = _path_pattern(path)
        matching = [
            entry
            for entry in journal
            if entry["method"] == method.upper()
            and pattern.fullmatch(_api_path(entry["path"])) is not None
            and (status is None or entry["status"] == status)
        ]
        if (len(matching) >= 1) if times is None else (len(matching) == times):
            return matching
        wanted = f"{method.upper()} {path}" + (f" answered {status}" if status else "")
        expected = "at least once" if times is None else _times(times)
        raise AssertionError(
            f"expected {wanted} {expected}, found it {_times(len(matching))} in the journal "
            f"of user {self.user_id}.\n" + _nearest(journal, method, path, status)
        )

    # -- lifetime -------------------------------------------------------------------------

    def retire(self) -> None:
        """Retire the tenant (``DELETE /__sandbox/keys/{key}``): its key stops working and
        the sandbox forgets its state. A tenant already gone (a whole-sandbox reset) is fine."""
        try:
            self.connection.call("DELETE", f"/keys/{quote(self.key, safe='')}")
        except SandboxControlError as exc:
            if exc.status_code != 404:
                raise

    def close(self) -> None:
        """Close the tenant's HTTP clients (the tenant itself lives on in the sandbox)."""
        self.client.close()
        if self._owns_connection:
            self.connection.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.minted:
                self.retire()
        finally:
            self.close()

    def __repr__(self) -> str:
        return f"<Sandbox user {self.user_id} at {self.url}>"


class SandboxFactory(Protocol):
    """The ``sandbox_factory`` fixture: mints another tenant per call, retired at teardown."""

    def __call__(
        self,
        scopes: list[str] | tuple[str, ...] | None = None,
        balance: float | Decimal | None = None,
        story: bool = True,
    ) -> Sandbox: ...


# -- helpers ------------------------------------------------------------------------------


def _number(value: float | Decimal) -> float | int:
    """A JSON number: money travels as a number (2 decimals survive a float exactly)."""
    return value if isinstance(value, int) else float(value)


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _format_time(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(value: object) -> int | None:
    return int(str(value)) if value is not None else None


def _times(count: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _path_pattern(path: str) -> re.Pattern[str]:
    """A path as scenario rules write it (``/orders/{orderNo}``, ``/user/**``), ``/v1`` or not."""
    return compile_path(_api_path(path))


def _nearest(journal: list[dict[str, Any]], method: str, path: str, status: int | None) -> str:
    """The journal's entries closest to ``method path status``, best first, as text."""
    if not journal:
        return "The tenant's journal is empty: no request reached the sandbox with its key."
    wanted = _api_path(path) if path else ""

    def distance(entry: dict[str, Any]) -> float:
        far = 0.0 if not method or entry["method"] == method.upper() else 1.0
        if wanted:
            far += 2 * (1 - difflib.SequenceMatcher(None, _api_path(entry["path"]), wanted).ratio())
        if status is not None and entry["status"] != status:
            far += 0.5
        return far

    ranked = sorted(enumerate(journal), key=lambda pair: (distance(pair[1]), pair[0]))
    lines = [f"The nearest of its {len(journal)} journal entries:"]
    for _, entry in ranked[:NEAREST]:
        query = "?" + "&".join(f"{k}={v}" for k, v in entry["query"].items()) if entry.get(
            "query") else ""  # fmt: skip
        scenario = f"  (scenario {entry['scenario']})" if entry.get("scenario") else ""
        lines.append(f"  {entry['method']} {entry['path']}{query} -> {entry['status']}"
                     f"  [{entry['requestId']}]{scenario}")  # fmt: skip
    return "\n".join(lines)
