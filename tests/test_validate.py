"""``sandbox validate`` refuses what would break, or never match, at run time: each refusal
names the file, the field and the reason (and the server refuses the same at start)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sandbox.cli import main
from sandbox.fixtures import default_fixture_path, load_fixture

Edit = Callable[[dict[str, Any]], None]


def story(document: dict[str, Any]) -> dict[str, Any]:
    user: dict[str, Any] = document["users"][0]
    return user


def _set(path: list[Any], value: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        target: Any = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


def _append(path: list[Any], make: Callable[[dict[str, Any]], Any]) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        target: Any = document
        for part in path:
            target = target[part]
        target.append(make(document))

    return edit


BROKEN_FIXTURES: dict[str, tuple[Edit, str]] = {
    "a cart line naming an unknown product": (
        _set(["users", 0, "cart", 0, "productId"], 99999),
        "users[0].cart[0].productId: no product 99999 in the catalog",
    ),
    "a cart line naming an unknown SKU": (
        _set(["users", 0, "cart", 0, "skuId"], "s404"),
        "users[0].cart[0].skuId: product 12345 has no SKU s404 (its SKUs: s001, s002)",
    ),
    "an order item naming an unknown SKU": (
        _set(["users", 0, "orders", 1, "items", 0, "skuId"], "nope"),
        "users[0].orders[1].items[0].skuId: product 12345 has no SKU nope",
    ),
    "a generated product's SKU of the wrong form": (
        _set(
            ["users", 0, "cart", 0], {"id": 501, "productId": 20001, "skuId": "s001", "quantity": 1}
        ),
        "users[0].cart[0].skuId: generated product 20001 has no SKU s001",
    ),
    "a key naming an unknown user": (
        _set(["keys", 1, "userId"], 4242),
        "keys[1].userId: key sk-sandbox-readonly names unknown user 4242",
    ),
    "a user listed twice": (
        _append(["users"], lambda d: copy.deepcopy(d["users"][0])),
        "users[1].id: user 1001 is listed twice (first at users[0])",
    ),
    "a package of an order that does not exist": (
        _set(["users", 0, "packages", 0, "orderNo"], "ORD-20240101-999"),
        "users[0].packages[0].orderNo: user 1001 has no order ORD-20240101-999",
    ),
    "an order with a coupon the user lacks": (
        _set(["users", 0, "orders", 0, "couponId"], 77),
        "users[0].orders[0].couponId: user 1001 has no coupon 77",
    ),
    "a shipping order of a missing package": (
        _append(
            ["users", 0, "shippingOrders"],
            lambda d: {
                "orderNo": "SHP-20240120-001",
                "status": "pending",
                "channelId": "ch-001",
                "channelName": "EMS Express",
                "carrier": "EMS",
                "items": [{"inventoryId": 999, "name": "x"}],
                "totalWeight": 850,
                "shippingFee": 80.0,
                "createdAt": "2024-01-20T00:00:00Z",
                "recipient": {
                    "name": "J",
                    "phone": "1",
                    "country": "US",
                    "city": "LA",
                    "address": "1 St",
                    "zipCode": "90001",
                },
            },
        ),
        "users[0].shippingOrders[0].items[0].inventoryId: user 1001 has no package 999",
    ),
    "a duplicate cart line id": (
        _append(["users", 0, "cart"], lambda d: dict(d["users"][0]["cart"][0])),
        "users[0].cart[1].id: cart 501 is listed twice (first at users[0].cart[0])",
    ),
    "a duplicate product id": (
        _append(["catalog", "products"], lambda d: copy.deepcopy(d["catalog"]["products"][0])),
        "catalog.products[3].id: product 12345 is listed twice",
    ),
    "a balance the ledger does not explain": (
        _set(["users", 0, "wallet", "balance"], 2100.0),
        "users[0].wallet.balance: 2100.00 is not explained by the ledger, whose last "
        "transaction leaves 2000.00",
    ),
    "a ledger entry that does not follow": (
        _set(["users", 0, "wallet", "transactions", 3, "balanceAfter"], 2400.0),
        "users[0].wallet.transactions[3].balanceAfter: 2400.00 does not follow",
    ),
}


def write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def validate(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    status = main(["validate", str(path)])
    captured = capsys.readouterr()
    return status, captured.err + captured.out


@pytest.fixture
def default() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(default_fixture_path().read_text())
    return loaded


@pytest.mark.parametrize(("edit", "expected"), BROKEN_FIXTURES.values(), ids=list(BROKEN_FIXTURES))
def test_a_broken_fixture_is_refused_with_file_field_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], default: dict[str, Any],
    edit: Edit, expected: str,
) -> None:  # fmt: skip
    edit(default)
    path = write(tmp_path, "broken.yaml", default)
    status, output = validate(capsys, path)
    assert status == 1
    assert f"{path.resolve()}: {expected}" in output or f"{path}: {expected}" in output, output


def test_the_server_refuses_a_broken_fixture_at_start(
    tmp_path: Path, default: dict[str, Any]
) -> None:
    story(default)["cart"][0]["skuId"] = "s404"
    with pytest.raises(ValueError, match=r"cart\[0\]\.skuId: product 12345 has no SKU s404"):
        load_fixture(write(tmp_path, "broken.yaml", default))


def test_the_default_fixture_and_the_bundled_scenarios_validate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A start does not check these against their JSON Schemas (it trusts the package's own
    # files): this test does, for every file the loader reads (bundled_scenarios).
    folder = default_fixture_path().parent.parent / "scenarios"
    bundled = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    assert bundled
    assert main(["validate", str(default_fixture_path()), *map(str, bundled)]) == 0
    assert capsys.readouterr().out.count(": ok (") == 1 + len(bundled)


def rule(match: dict[str, Any]) -> dict[str, Any]:
    return {"name": "broken", "rules": [{"match": match, "respond": {"status": 503}}]}


BROKEN_SCENARIOS: dict[str, tuple[dict[str, Any], str]] = {
    "a path with /v1": (
        rule({"method": "POST", "path": "/v1/orders"}),
        "rules[0].match.path: /v1/orders never matches: rule paths are written without /v1",
    ),
    "a path no operation has": (
        rule({"path": "/order"}),
        "rules[0].match.path: /order matches no operation of the API; nearest: POST /orders",
    ),
    "an unknown method": (
        rule({"method": "FETCH", "path": "/orders"}),
        "rules[0].match.method: FETCH is not a method the API serves",
    ),
    "a method the path does not take": (
        rule({"method": "GET", "path": "/shipping/create"}),
        "rules[0].match: no operation is GET /shipping/create",
    ),
    "a field a rule cannot match": (
        rule({"header": {"X-A": "1"}}),
        "rules[0].match.header: a rule cannot match on 'header'; it matches on method, path",
    ),
    "a body on a GET": (
        rule({"method": "GET", "path": "/cart", "body": {"a": 1}}),
        "rules[0].match.body: GET requests carry no body, so the rule never matches",
    ),
}


@pytest.mark.parametrize(("document", "expected"), BROKEN_SCENARIOS.values(),
                         ids=list(BROKEN_SCENARIOS))  # fmt: skip
def test_a_scenario_rule_that_can_never_match_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: dict[str, Any], expected: str
) -> None:
    path = write(tmp_path, "broken.yaml", document)
    status, output = validate(capsys, path)
    assert status == 1
    assert f"{path}: {expected}" in output, output


@pytest.mark.parametrize(("document", "expected"), BROKEN_SCENARIOS.values(),
                         ids=list(BROKEN_SCENARIOS))  # fmt: skip
def test_the_control_plane_refuses_the_same_scenarios(
    document: dict[str, Any], expected: str
) -> None:
    from starlette.testclient import TestClient

    from sandbox.http.app import create_app

    with TestClient(create_app()) as client:
        reply = client.post("/__sandbox/scenarios", json=document)
    assert reply.status_code == 400
    assert expected in " ".join(reply.json()["message"])


def test_the_server_refuses_a_scenario_file_that_never_matches_at_start(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", rule({"path": "/v1/cart"}))
    assert main(["serve", "--port", "0", "--scenario", str(path)]) == 1
