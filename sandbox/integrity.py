"""Referential integrity of a fixture: what the JSON Schema cannot see, and what breaks later.

A fixture that passes its schema can still tell a story the sandbox cannot serve: a cart line
naming a product the catalog lacks (``GET /cart`` then answers ``404 SKU not found``), a user
listed twice (one of them silently lost), a package of an order that does not exist, a wallet
whose balance its own ledger does not explain. :func:`integrity_problems` finds each of these
in a document that passed the schema, as ``field: reason`` lines:

- ids listed twice: keys, users, products and their SKUs, and per user its cart lines,
  addresses, favorites, coupons, orders, packages, shipping orders and transactions;
- references to nothing: keys and ``mintFrom`` to users; cart lines, favorites, order items
  and stock entries to products and SKUs; orders to the user's coupons; packages to the user's
  orders; shipping orders to the user's packages and to the logistics channels;
- a wallet ledger that does not add up: each transaction's ``balanceAfter`` and
  ``frozenAfter`` must follow from the one before (by its type's movement), and the last must
  be the wallet's ``balance`` and ``frozenBalance``.

A generated product (``catalog.generate``) is known by its id; its SKUs are checked by their
form (``g<productId>-<n>``), since the catalog generates them only when first read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.domain.wallet import MOVEMENTS

#: Problems reported at most; past it, one line says how many more there were.
MAX_PROBLEMS = 100


class Catalog:
    """What a fixture's story may refer to in its catalog: listed products and their SKUs,
    and the generated id range."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        catalog = document.get("catalog") or {}
        self.skus: dict[int, set[str]] = {}
        for product in catalog.get("products", []):
            self.skus.setdefault(int(product["id"]), set()).update(
                str(s["skuId"]) for s in product.get("skus", [])
            )
        generate = catalog.get("generate")
        if generate:
            first = int(generate.get("firstId", max(self.skus, default=0) + 1))
            self.generated = range(first, first + int(generate["count"]))
        else:
            self.generated = range(0)

    def describe(self) -> str:
        listed = f"{len(self.skus)} listed"
        if self.generated:
            return f"{listed}, generated {self.generated.start}..{self.generated.stop - 1}"
        return listed

    def product_problem(self, product_id: Any) -> str | None:
        if int(product_id) in self.skus or int(product_id) in self.generated:
            return None
        return f"no product {product_id} in the catalog ({self.describe()})"

    def sku_problem(self, product_id: Any, sku_id: Any) -> str | None:
        pid = int(product_id)
        if pid in self.skus:
            if str(sku_id) in self.skus[pid]:
                return None
            known = ", ".join(sorted(self.skus[pid])) or "none"
            return f"product {pid} has no SKU {sku_id} (its SKUs: {known})"
        if pid in self.generated and not re.fullmatch(rf"g{pid}-\d+", str(sku_id)):
            return f"generated product {pid} has no SKU {sku_id} (its SKUs are g{pid}-1, ...)"
        return None


def integrity_problems(document: Mapping[str, Any]) -> list[str]:
    """Every integrity problem of a fixture document that passed the schema."""
    found: list[str] = []
    catalog = Catalog(document)
    users = document.get("users", [])
    user_ids = [int(u["id"]) for u in users]
    found += _duplicates("users", users, "id", "user")
    found += _duplicates("keys", document.get("keys", []), "key", "key")
    for i, key in enumerate(document.get("keys", [])):
        if int(key["userId"]) not in user_ids:
            found.append(f"keys[{i}].userId: key {key['key']} names unknown user "
                         f"{key['userId']} ({_listing(user_ids)})")  # fmt: skip
    if "mintFrom" in document and int(document["mintFrom"]) not in user_ids:
        found.append(f"mintFrom: unknown user {document['mintFrom']} ({_listing(user_ids)})")
    for i, product in enumerate((document.get("catalog") or {}).get("products", [])):
        found += _duplicates(f"catalog.products[{i}].skus", product.get("skus", []), "skuId",
                             f"SKU of product {product['id']}")  # fmt: skip
    found += _duplicates("catalog.products", (document.get("catalog") or {}).get("products", []),
                         "id", "product")  # fmt: skip
    channels = {c["channelId"] for c in (document.get("logistics") or {}).get("channels", [])}
    for i, user in enumerate(users):
        found += _user_problems(f"users[{i}]", user, catalog, channels)
    if len(found) > MAX_PROBLEMS:
        found = [*found[:MAX_PROBLEMS], f"... and {len(found) - MAX_PROBLEMS} more problems"]
    return found


def _user_problems(
    at: str, user: Mapping[str, Any], catalog: Catalog, channels: set[str]
) -> list[str]:
    found: list[str] = []
    for name, id_field in (("cart", "id"), ("addresses", "id"), ("favorites", "id"),
                           ("coupons", "id"), ("orders", "orderNo"), ("packages", "id"),
                           ("shippingOrders", "orderNo")):  # fmt: skip
        found += _duplicates(f"{at}.{name}", user.get(name, []), id_field, name.rstrip("s"))
    for j, line in enumerate(user.get("cart", [])):
        found += _item_problems(f"{at}.cart[{j}]", line, catalog)
    for j, favorite in enumerate(user.get("favorites", [])):
        problem = catalog.product_problem(favorite["productId"])
        if problem:
            found.append(f"{at}.favorites[{j}].productId: {problem}")
    coupons = {int(c["id"]) for c in user.get("coupons", [])}
    orders = {o["orderNo"] for o in user.get("orders", [])}
    for j, order in enumerate(user.get("orders", [])):
        for k, item in enumerate(order.get("items", [])):
            found += _item_problems(f"{at}.orders[{j}].items[{k}]", item, catalog)
        coupon = order.get("couponId")
        if coupon is not None and int(coupon) not in coupons:
            found.append(f"{at}.orders[{j}].couponId: user {user['id']} has no coupon {coupon} "
                         f"({_listing(sorted(coupons))})")  # fmt: skip
    packages = {int(p["id"]) for p in user.get("packages", [])}
    for j, package in enumerate(user.get("packages", [])):
        if package.get("orderNo") is not None and package["orderNo"] not in orders:
            found.append(f"{at}.packages[{j}].orderNo: user {user['id']} has no order "
                         f"{package['orderNo']} ({_listing(sorted(orders))})")  # fmt: skip
    for j, shipping in enumerate(user.get("shippingOrders", [])):
        for k, item in enumerate(shipping.get("items", [])):
            if int(item["inventoryId"]) not in packages:
                found.append(f"{at}.shippingOrders[{j}].items[{k}].inventoryId: user "
                             f"{user['id']} has no package {item['inventoryId']} "
                             f"({_listing(sorted(packages))})")  # fmt: skip
        if channels and shipping["channelId"] not in channels:
            found.append(f"{at}.shippingOrders[{j}].channelId: no channel "
                         f"{shipping['channelId']} in logistics.channels "
                         f"({_listing(sorted(channels))})")  # fmt: skip
    stock = user.get("stock") or {}
    for name in ("reserved", "overrides"):
        for j, entry in enumerate(stock.get(name, [])):
            found += _item_problems(f"{at}.stock.{name}[{j}]", entry, catalog)
    found += _ledger_problems(f"{at}.wallet", user.get("wallet") or {})
    return found


def _item_problems(at: str, item: Mapping[str, Any], catalog: Catalog) -> list[str]:
    """A line naming a product and one of its SKUs (cart, order item, stock entry)."""
    problem = catalog.product_problem(item["productId"])
    if problem:
        return [f"{at}.productId: {problem}"]
    problem = catalog.sku_problem(item["productId"], item["skuId"])
    return [f"{at}.skuId: {problem}"] if problem else []


def _ledger_problems(at: str, wallet: Mapping[str, Any]) -> list[str]:
    """The first place where the ledger stops explaining the wallet, if any."""
    transactions = wallet.get("transactions") or []
    if not transactions:
        return []
    found = _duplicates(f"{at}.transactions", transactions, "id", "transaction")
    balance = frozen = Decimal(0)
    for j, entry in enumerate(transactions):
        amount = _decimal(entry["amount"])
        balance_sign, frozen_sign = MOVEMENTS[entry["type"]]
        balance += balance_sign * amount
        frozen += frozen_sign * amount
        stated = _decimal(entry["balanceAfter"])
        if stated != balance:
            return [*found, f"{at}.transactions[{j}].balanceAfter: {stated:.2f} does not follow "
                            f"from the ledger before it ({balance:.2f} after this "
                            f"{entry['type']} of {amount:.2f})"]  # fmt: skip
        stated_frozen = _decimal(entry.get("frozenAfter", frozen))
        if stated_frozen != frozen:
            return [*found, f"{at}.transactions[{j}].frozenAfter: {stated_frozen:.2f} does not "
                            f"follow from the ledger before it ({frozen:.2f} after this "
                            f"{entry['type']})"]  # fmt: skip
    for name, stated, left in (
        ("balance", _decimal(wallet["balance"]), balance),
        ("frozenBalance", _decimal(wallet.get("frozenBalance", 0)), frozen),
    ):
        if stated != left:
            found.append(f"{at}.{name}: {stated:.2f} is not explained by the ledger, whose "
                         f"last transaction leaves {left:.2f}")  # fmt: skip
    return found


def _duplicates(at: str, items: Iterable[Mapping[str, Any]], field: str, what: str) -> list[str]:
    first: dict[Any, int] = {}
    found = []
    for i, item in enumerate(items):
        value = item.get(field)
        if value is None:
            continue
        if value in first:
            found.append(f"{at}[{i}].{field}: {what} {value} is listed twice "
                         f"(first at {at}[{first[value]}])")  # fmt: skip
        else:
            first[value] = i
    return found


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:  # the schema refused it already; keep the check total
        return Decimal(0)


def _listing(values: Iterable[Any]) -> str:
    shown = [str(v) for v in values]
    if not shown:
        return "none"
    return "known: " + ", ".join(shown[:10]) + (", ..." if len(shown) > 10 else "")
