"""One :class:`Settings` object, from command-line flags and environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.journal import JOURNAL_SIZE, JOURNAL_TOTAL

#: Express's body-parser default, which NestJS uses: 100 kb.
BODY_LIMIT = 100 * 1024

#: Node's ``--max-http-header-size``: a request line and headers over 16 KiB get a 431.
HEADER_LIMIT = 16 * 1024

#: Seconds a client may take to send a whole request head (then 408 and close; Node waits 60).
HEADER_TIMEOUT = 10.0

#: Seconds a client may take to send a request body once its head is in (then 408 and close).
BODY_TIMEOUT = 30.0

#: Connections served at once; uvicorn answers 503 beyond (a file descriptor each).
MAX_CONNECTIONS = 1000


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    fixtures: Path | None = None  # None: the bundled default fixture
    seed: int | None = None
    admin_token: str | None = None
    state_file: Path | None = None
    scenarios: tuple[str, ...] = field(default_factory=tuple)
    access_log: bool = False
    #: Print one line per API request (``--log-requests``): time, tenant, method, path...
    log_requests: bool = False
    body_limit: int = BODY_LIMIT
    journal_size: int = JOURNAL_SIZE
    header_limit: int = HEADER_LIMIT
    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    #: Entries the journal keeps in all (beside ``journal_size`` per tenant).
    journal_total: int = JOURNAL_TOTAL
    #: Seconds after which an idle minted tenant is retired; None: never (the default).
    tenant_ttl: float | None = None
    #: Whether ``sandbox serve`` prints the admin token (one ``--admin-token auto`` made).
    announce_token: bool = False
    #: Origins a browser may call the sandbox from (CORS); empty: off, as on the real API.
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``SANDBOX_*`` variables; unset ones keep their defaults."""
        env = os.environ if env is None else env
        defaults = cls()

        def get(name: str) -> str | None:
            value = env.get(f"SANDBOX_{name}")
            return value if value else None

        port, seed = get("PORT"), get("SEED")
        fixtures, state = get("FIXTURES"), get("STATE_FILE")
        scenarios = get("SCENARIOS")
        journal = get("JOURNAL_SIZE")
        total, ttl = get("JOURNAL_TOTAL"), get("TENANT_TTL")
        connections, body_timeout = get("MAX_CONNECTIONS"), get("BODY_TIMEOUT")
        cors = get("CORS_ORIGINS")
        return cls(
            host=get("HOST") or defaults.host,
            port=int(port) if port else defaults.port,
            fixtures=Path(fixtures) if fixtures else None,
            seed=int(seed) if seed else None,
            admin_token=get("ADMIN_TOKEN"),
            state_file=Path(state) if state else None,
            scenarios=tuple(s.strip() for s in scenarios.split(",") if s.strip())
            if scenarios
            else (),
            access_log=(get("ACCESS_LOG") or "").lower() in ("1", "true", "yes", "on"),
            log_requests=(get("LOG_REQUESTS") or "").lower() in ("1", "true", "yes", "on"),
            journal_size=int(journal) if journal else defaults.journal_size,
            journal_total=int(total) if total else defaults.journal_total,
            tenant_ttl=float(ttl) if ttl else None,
            max_connections=int(connections) if connections else defaults.max_connections,
            body_timeout=float(body_timeout) if body_timeout else defaults.body_timeout,
            cors_origins=parse_origins(cors) if cors else (),
        )


def parse_origins(value: str) -> tuple[str, ...]:
    """``--cors-origins`` / ``SANDBOX_CORS_ORIGINS``: a comma-separated list, or ``*``."""
    return tuple(origin.strip().rstrip("/") for origin in value.split(",") if origin.strip())
