"""The fixture files the benchmark serves, written as JSON into a temporary directory.

Both are ``fixtures/default.yaml`` with one change for throughput runs: a rate limit that
wrk cannot reach (10^9 requests a window), because at the default 1000 a minute every
run would measure 429s. The limiter itself still runs on every request. The large one
also holds 100,000 explicit products in ``catalog.products``: the fixture's own, then
copies of product 12345 under new ids.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURE = REPO / "fixtures" / "default.yaml"
UNREACHABLE_LIMIT = 1_000_000_000
TEMPLATE_PRODUCT = 12345
FIRST_COPY_ID = 1_000_000


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
        return text.replace("+00:00", "Z")
    raise TypeError(f"cannot write {type(value).__name__} to a fixture")


def read_default() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(DEFAULT_FIXTURE.read_bytes(), Loader=loader)
    return document


def write_fixture(path: Path, *, products: int | None = None) -> Path:
    """Write the benchmark's fixture to ``path``; with ``products``, a catalog of exactly that
    many explicit products. Returns ``path``."""
    document = read_default()
    document["rateLimit"] = {"limit": UNREACHABLE_LIMIT, "windowSeconds": 60}
    if products is not None:
        catalog = document["catalog"]
        own: list[dict[str, Any]] = catalog["products"]
        template = next(p for p in own if p["id"] == TEMPLATE_PRODUCT)
        copies = []
        for n in range(products - len(own)):
            product_id = FIRST_COPY_ID + n
            product = copy.deepcopy(template)
            product["id"] = product_id
            product["title"] = f"{template['title']} #{n}"
            product["platformItemId"] = str(9_000_000_000 + n)
            copies.append(product)
        catalog["products"] = own + copies
    path.write_text(json.dumps(document, default=_json_default))
    return path


def last_copy_id(products: int) -> int:
    """The id of the last copied product of a ``products``-product fixture."""
    return FIRST_COPY_ID + products - len(read_default()["catalog"]["products"]) - 1
