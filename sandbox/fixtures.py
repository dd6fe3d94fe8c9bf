"""Fixture files: YAML (or JSON) -> JSON Schema check -> a :class:`Fixture` value.

A bad file is refused with :class:`FixtureError`, whose message names the file, the field and
the reason, e.g. ``fixtures/x.yaml: users[0].wallet.balance: 'abc' is not valid ...``.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import yaml

from sandbox.clock import parse_iso
from sandbox.domain.access import ApiKey, RateLimit
from sandbox.domain.catalog import GeneratedRange
from sandbox.domain.fixture import Fixture
from sandbox.domain.freight import Logistics
from sandbox.integrity import integrity_problems
from sandbox.schemas import BULK, bulk_problems, problems

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FixtureError(ValueError):
    """A fixture or scenario file that cannot be used, with its path, field and reason."""


def default_fixture_path() -> Path:
    """The bundled default fixture, inside the installed package."""
    return Path(str(resources.files("sandbox").joinpath("bundled/fixtures/default.yaml")))


def read_document(path: str | Path) -> Any:
    """Parse a YAML or JSON file, refusing unreadable or unparsable ones with their path."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read the file: {exc.strerror}") from None
    return parse_document(text, source=str(path), json=path.suffix == ".json")


def parse_document(text: bytes | str, *, source: str, json: bool = False) -> Any:
    """Parse YAML (a superset of JSON) or, with ``json``, strict JSON."""
    try:
        return orjson.loads(text) if json else yaml.load(text, Loader=_YAML_LOADER)
    except orjson.JSONDecodeError as exc:
        raise FixtureError(f"{source}: not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        raise FixtureError(f"{source}: not valid YAML: {exc}") from None


def load_fixture(path: str | Path | None = None) -> Fixture:
    """Load and check a fixture file; the bundled default when ``path`` is None."""
    if path is None:
        return _bundled_fixture()
    path = Path(path).resolve()
    return build_fixture(read_document(path), source=str(path))


@functools.cache
def _bundled_fixture() -> Fixture:
    # The package's own file never changes while it runs, and a Fixture is read-only, so every
    # app and reset of a process shares one build of it. The test suite checks it against the
    # JSON Schema (``sandbox validate``, tests/test_validate.py), so a start does not: that
    # check, and importing jsonschema for it, cost more than the rest of loading it.
    path = default_fixture_path().resolve()
    return build_fixture(read_document(path), source=str(path), schema=False)


def build_fixture(document: Any, *, source: str = "<fixture>", schema: bool = True) -> Fixture:
    """Check ``document`` and build the fixture (a large ``catalog.products`` list is checked
    in bulk: see :func:`sandbox.schemas.bulk_problems`). ``schema=False`` skips the JSON
    Schema check, for the package's own fixture only (its integrity is checked still)."""
    catalog = document.get("catalog") if isinstance(document, dict) else None
    listed = catalog.get("products") if isinstance(catalog, dict) else None
    if not schema:
        found = []
    elif isinstance(catalog, dict) and isinstance(listed, list) and len(listed) > BULK:
        rest = {**document, "catalog": {**catalog, "products": []}}
        found = problems(rest, "fixture") or bulk_problems(
            listed, "fixture", "product", "catalog.products"
        )
    else:
        found = problems(document, "fixture")
    if not found:  # what refers to what: sandbox.integrity
        found = integrity_problems(document)
    if found:
        raise FixtureError("\n".join(f"{source}: {problem}" for problem in found))
    users = {int(u["id"]): u for u in document["users"]}
    keys = tuple(ApiKey(k["key"], k["userId"], tuple(k["scopes"])) for k in document["keys"])
    mint_from = int(document.get("mintFrom", document["users"][0]["id"]))
    catalog = document.get("catalog", {})
    products = {int(p["id"]): p for p in catalog.get("products", [])}
    generate = catalog.get("generate")
    generated = None
    if generate:
        first = int(generate.get("firstId", max(products, default=0) + 1))
        generated = GeneratedRange(first, int(generate["count"]), int(generate.get("seed", 0)))
        clash = [pid for pid in products if pid in generated]
        if clash:
            raise FixtureError(
                f"{source}: catalog.generate: ids {first}..{first + generated.count - 1} "
                f"overlap the fixture's own product {clash[0]}"
            )
    rate = document.get("rateLimit", {})
    return Fixture(
        source=source,
        start=parse_iso(document["clock"]["start"]),
        frozen=bool(document["clock"].get("frozen", False)),
        rate_limit=RateLimit(rate.get("limit", 1000), rate.get("windowSeconds", 60)),
        keys=keys,
        users=users,
        mint_from=mint_from,
        products=products,
        generated=generated,
        refused_offers=frozenset(document.get("imports", {}).get("refusedOffers", [])),
        logistics=_logistics(document.get("logistics", {}), source),
    )


def _logistics(data: dict[str, Any], source: str) -> Logistics:
    """Countries and channels; a channel may only serve countries the fixture lists."""
    logistics = Logistics.from_dict(data)
    known = {country.code for country in logistics.countries}
    for channel in logistics.channels.values():
        unknown = sorted(channel.countries - known)
        if unknown:
            raise FixtureError(
                f"{source}: logistics.channels: {channel.channel_id} serves unlisted "
                f"countries {', '.join(unknown)}"
            )
    return logistics
