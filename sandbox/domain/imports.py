"""1688 import: which URLs name an offer, and the product an offer gives.

Accepted forms (extra query parameters such as ``spm`` are ignored)::

    https://detail.1688.com/offer/<id>.html
    https://m.1688.com/offer/<id>.html
    https://detail.m.1688.com/page/index.html?offerId=<id>

An offer id has 10 to 13 digits. The product is generated from the offer id alone, so the
same offer gives the same product, with the same id, on every import.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sandbox.domain.catalog import Catalog
from sandbox.domain.generate import offer_product
from sandbox.domain.product import Product
from sandbox.errors import BadRequest

__all__ = ["ImportRefused", "InvalidOffer", "offer_id_from", "offer_product"]

_OFFER_ID = re.compile(r"^[0-9]{10,13}$")
_OFFER_PATH = re.compile(r"^/offer/([0-9]+)\.html$")
_OFFER_HOSTS = {"detail.1688.com", "m.1688.com"}


class InvalidOffer(BadRequest):
    """400: the url or offerId does not name a 1688 offer."""


class ImportRefused(BadRequest):
    """400: the offer exists but cannot be imported (a fixture's ``refusedOffers``)."""


def offer_id_from(url: str | None, offer_id: str | None) -> str:
    """The offer id named by ``url`` or ``offer_id`` (both: they must agree)."""
    from_url = _parse_url(url) if url is not None else None
    if offer_id is not None and not _OFFER_ID.match(offer_id):
        raise InvalidOffer("offerId must be a 1688 offer id of 10 to 13 digits")
    if from_url is not None and offer_id is not None and from_url != offer_id:
        raise InvalidOffer("url and offerId name different offers")
    chosen = from_url or offer_id
    if chosen is None:
        raise InvalidOffer("url or offerId is required")
    return chosen


def _parse_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    found: str | None = None
    if parts.scheme in ("http", "https"):
        match = _OFFER_PATH.match(parts.path)
        if host in _OFFER_HOSTS and match:
            found = match.group(1)
        elif host == "detail.m.1688.com" and parts.path == "/page/index.html":
            found = next(iter(parse_qs(parts.query).get("offerId", [])), None)
    if found is None or not _OFFER_ID.match(found):
        raise InvalidOffer(
            "url must be a 1688 offer URL such as https://detail.1688.com/offer/<offerId>.html"
        )
    return found


def import_offer(catalog: Catalog, offer_id: str, refused: frozenset[str]) -> Product:
    """The product of a 1688 offer, in the shared catalog from now on (unless the fixture
    lists the offer as refused: a 400)."""
    if offer_id in refused:
        raise ImportRefused(f"Offer {offer_id} cannot be imported: it is no longer available")
    return catalog.add_offer(offer_id)
